"""Seeds -> latents -> images: the seed parser, determinism (in-process and across processes), truncation,
class labels, encode/decode, and the `python -m genimg.sample` CLI."""

import hashlib
import subprocess

import numpy as np
import pytest
import torch
from conftest import PYTHON, python_env, tiny_gan, tiny_vae
from PIL import Image

import genimg
from genimg.sampling import (
    MAX_SEED,
    SEED_SYNTAX,
    SeedError,
    generate,
    label_from_seed,
    labels_for_seeds,
    latent_from_seed,
    parse_seeds,
    slerp,
)

# ---- the seed parser ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, seeds", [
    ("0-3,42", [0, 1, 2, 3, 42]),
    ("7", [7]),
    ("5-5", [5]),
    (" 1 , 2 - 3 ,9 ", [1, 2, 3, 9]),
    ("3,3,1-2,3", [3, 3, 1, 2, 3]),  # order and duplicates kept
    (f"{MAX_SEED}", [MAX_SEED]),
    ("0-9999", list(range(10_000))),
])
def test_parse_seeds_accepts(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text, reason", [
    ("abc", "'abc' is not a seed or a range"),
    ("5-2", "runs backwards"),
    ("-3", "'-3' is not a seed or a range"),
    ("1.5", "not a seed"),
    ("1 2", "'1 2' is not a seed or a range"),  # not silently seed 12
    ("1,,2", "not a seed"),
    ("4,", "not a seed"),
    ("0-10000", "more than 10000 seeds"),
    ("0-5000,0-5000", "more than 10000 seeds"),
    (f"{MAX_SEED + 1}", f"seed {MAX_SEED + 1} is above {MAX_SEED}"),
    ("0-99999999999999999999", "is above"),
    ("", "no seeds given"),
    ("   ", "no seeds given"),
])
def test_parse_seeds_rejects_with_the_syntax(text, reason):
    with pytest.raises(SeedError) as error:
        parse_seeds(text)
    assert reason in str(error.value)
    if "more than" not in reason:
        assert SEED_SYNTAX in str(error.value)


def test_seed_error_is_a_value_error():
    with pytest.raises(ValueError):
        genimg.parse_seeds("x")


# ---- latents ---------------------------------------------------------------------------------------------------


def test_latent_from_seed_is_the_stylegan_convention():
    z = latent_from_seed(0, 3)
    assert z.dtype == np.float32 and z.shape == (3,)
    assert np.array_equal(z, np.random.RandomState(0).randn(3).astype(np.float32))
    assert z[0] == pytest.approx(1.7640524)  # pinned: a seed names the same image forever


def test_label_from_seed_follows_the_class_prior():
    assert {label_from_seed(s, 8, [0.0, 0.0, 1.0], 3) for s in range(20)} == {2}
    labels = {label_from_seed(s, 8, [], 3) for s in range(50)}  # no prior: uniform
    assert labels == {0, 1, 2}


def test_slerp_endpoints_and_norm():
    a, b = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
    assert np.allclose(slerp(a, b, 0.0), a) and np.allclose(slerp(a, b, 1.0), b)
    mid = slerp(a, b, 0.5)
    assert np.linalg.norm(mid) == pytest.approx(1.0)  # stays on the sphere, unlike lerp (0.707)
    assert np.allclose(mid, [np.sqrt(0.5), np.sqrt(0.5)])
    assert np.allclose(slerp(a, 2 * a, 0.5), 1.5 * a)  # parallel: falls back to lerp


# ---- sampling --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size, channels", [(28, 1), (32, 3), (64, 3)])
def test_sample_returns_uint8_at_native_size(size, channels):
    for model in (tiny_gan(image_size=size, channels=channels), tiny_vae(image_size=size, channels=channels)):
        images = genimg.sample(model, seeds=[0, 1, 2])
        assert images.dtype == np.uint8 and images.shape == (3, size, size, channels)


def test_sample_of_no_seeds_is_empty():
    assert genimg.sample(tiny_gan(), seeds=[]).shape == (0, 28, 28, 1)


@pytest.mark.parametrize("make", [tiny_gan, tiny_vae])
def test_same_seed_same_bytes_and_independent_of_batch(make):
    model = make()
    first = genimg.sample(model, seeds=[3, 4, 5])
    genimg.sample(make(seed=1), seeds=[0])  # other work in between changes nothing
    again = genimg.sample(model, seeds=[3, 4, 5])
    assert first.tobytes() == again.tobytes()
    assert np.array_equal(genimg.sample(model, seeds=[4])[0], first[1])  # a seed's image, alone or in a batch
    assert not np.array_equal(first[0], first[1])


@pytest.mark.parametrize("make", [tiny_gan, tiny_vae])
def test_psi_one_is_the_default_and_psi_scales_z(make):
    model = make()
    seeds = [10, 11]
    assert np.array_equal(genimg.sample(model, seeds), genimg.sample(model, seeds, psi=1.0))
    labels = labels_for_seeds(model, seeds)
    z = np.stack([latent_from_seed(s, model.z_dim) for s in seeds])
    assert np.array_equal(genimg.sample(model, seeds, psi=0.5), generate(model, 0.5 * z, labels))
    assert not np.array_equal(genimg.sample(model, seeds, psi=0.5), genimg.sample(model, seeds))


def test_psi_zero_collapses_every_seed_to_one_image():
    model = tiny_gan(num_classes=0)
    images = genimg.sample(model, seeds=[1, 2, 3], psi=0.0)
    assert np.array_equal(images[0], images[1]) and np.array_equal(images[1], images[2])


def test_psi_must_be_finite():
    with pytest.raises(ValueError, match="psi"):
        genimg.sample(tiny_gan(), [0], psi=float("nan"))


def test_label_by_name_or_index_and_any():
    model = tiny_gan(num_classes=3)
    by_name = genimg.sample(model, [0, 1], label="class2")
    assert np.array_equal(by_name, genimg.sample(model, [0, 1], label=2))
    assert np.array_equal(by_name, genimg.sample(model, [0, 1], label="2"))  # the CLI passes text
    assert np.array_equal(genimg.sample(model, [0, 1], label="any"), genimg.sample(model, [0, 1]))
    assert labels_for_seeds(model, [0, 1], "class1") == [1, 1]


@pytest.mark.parametrize("label, message", [
    ("dog", "unknown class 'dog'; accepted: any, class0, class1, class2"),
    (3, "out of range 0..2"),
    ("7", "out of range 0..2"),
    (-1, "out of range"),
])
def test_bad_label_is_refused(label, message):
    with pytest.raises(ValueError, match=message):
        genimg.sample(tiny_gan(num_classes=3), [0], label=label)


def test_label_on_unconditional_model_is_refused():
    for model in (tiny_gan(num_classes=0), tiny_vae()):
        with pytest.raises(ValueError, match="not class-conditional"):
            genimg.sample(model, [0], label=1)


def test_sample_refuses_a_classifier():
    with pytest.raises(TypeError, match="GAN generator or a VAE"):
        genimg.sampling.generate(genimg.models.Classifier(width=8), np.zeros((1, 4)))


def test_vae_seed_decodes_the_seed_latent():
    vae = tiny_vae()
    z = latent_from_seed(9, vae.z_dim)[None]
    assert np.array_equal(genimg.sample(vae, [9]), genimg.decode(vae, z))


def test_encode_decode_shapes_and_errors():
    vae = tiny_vae()
    images = genimg.sample(vae, [0, 1])
    mu, logvar = genimg.encode(vae, images)
    assert mu.shape == logvar.shape == (2, vae.z_dim)
    assert genimg.decode(vae, mu).shape == (2, 28, 28, 1)
    assert genimg.decode(vae, mu.numpy()).shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match=r"\(H, W, C\) = \(28, 28, 1\)"):
        genimg.encode(vae, np.zeros((1, 32, 32, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        genimg.encode(vae, np.zeros((1, 28, 28, 1), np.float32))
    with pytest.raises(ValueError, match=r"z must be \(N, 4\)"):
        genimg.decode(vae, torch.zeros(1, 5))


def test_sampling_does_not_use_the_global_rngs():
    model = tiny_gan()
    torch.manual_seed(123)
    np.random.seed(123)
    first = genimg.sample(model, [0, 1])
    torch.manual_seed(7)
    np.random.seed(7)
    assert np.array_equal(genimg.sample(model, [0, 1]), first)  # seeds come from RandomState(seed) only


# ---- across processes and the CLI ---------------------------------------------------------------------------

DIGEST = "import genimg, hashlib, sys; m = genimg.load(sys.argv[1]); " \
         "print(hashlib.sha256(genimg.sample(m, list(range(16)), psi=0.8).tobytes()).hexdigest())"


def test_same_seed_same_bytes_in_another_process(gan_dir, vae_dir, isolated_cache):
    for directory in (gan_dir, vae_dir):
        here = hashlib.sha256(genimg.sample(genimg.load(directory), list(range(16)), psi=0.8).tobytes()).hexdigest()
        there = subprocess.run([PYTHON, "-c", DIGEST, str(directory)], capture_output=True, text=True,
                               env=python_env(isolated_cache, one_thread=False), timeout=120)
        assert there.returncode == 0, there.stderr  # this process runs 1 thread, that one torch's default
        assert there.stdout.strip() == here


def run_sample_cli(*args, cache):
    return subprocess.run([PYTHON, "-m", "genimg.sample", *map(str, args)], capture_output=True, text=True,
                          env=python_env(cache), timeout=120)


def test_sample_cli_writes_one_png_per_seed(gan_dir, tmp_path, isolated_cache):
    out = tmp_path / "out"
    run = run_sample_cli(gan_dir, "--seeds", "0-2,42", "--psi", "0.7", "--label", "class1", "--outdir", out,
                         cache=isolated_cache)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["seed0000.png", "seed0001.png", "seed0002.png", "seed0042.png"]
    expected = genimg.sample(genimg.load(gan_dir), [42], psi=0.7, label="class1")[0, ..., 0]
    assert np.array_equal(np.asarray(Image.open(out / "seed0042.png")), expected)


@pytest.mark.parametrize("extra, code, message", [
    (["--seeds", "5-2"], 2, "a seed list looks like 0-31,42"),
    (["--seeds", "0", "--label", "nope"], 1, "unknown class 'nope'"),
])
def test_sample_cli_bad_input_exits_nonzero_with_reason(gan_dir, tmp_path, isolated_cache, extra, code, message):
    run = run_sample_cli(gan_dir, *extra, "--outdir", tmp_path / "out", cache=isolated_cache)
    assert run.returncode == code
    assert message in run.stderr
    assert not (tmp_path / "out").exists()


def test_sample_cli_missing_checkpoint_names_it(tmp_path, isolated_cache):
    run = run_sample_cli(tmp_path / "nowhere", "--seeds", "0", "--outdir", tmp_path / "out", cache=isolated_cache)
    assert run.returncode == 1
    assert "nowhere: not a directory" in run.stderr
