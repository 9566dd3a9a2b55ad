"""Fit a VAE's learned sampling prior: a Gaussian mixture over where the training images encode.

    python -m genimg.train prior checkpoints/mnist/vae     # -> prior.safetensors + a "prior" entry in card.json

What it fits: the aggregate posterior q(z) = (1/N) sum_i N(mu_i, diag(sigma_i^2)) of the train split,
through DRAWS_PER_IMAGE draws z = mu_i + sigma_i * eps per training image (posterior means and
variances both count). The VAE itself is not touched: same weights, same test -ELBO.

How many components: held-out likelihood. The train split's images are split 90/10 by a seeded
permutation; for each K in CANDIDATES a mixture is fitted on the 90% (EM, full covariances, k-means
start: scikit-learn's GaussianMixture) and scored by its mean log-density on the other 10%; the K with
the highest held-out log-likelihood is refitted on all the training draws. The test split is never
used: it belongs to evaluation.

Only the mixture's arrays leave this module (genimg.models.prior.GaussianMixturePrior); the sklearn
object is never saved, so nothing is pickled. Not here: sampling (models/prior.py), the file format
(checkpoints.py).
"""

import time
from pathlib import Path

import numpy as np
import torch
from sklearn.mixture import GaussianMixture

from .. import data as datasets
from ..checkpoints import PRIOR, atomic_write_json, load, read_card, save_prior
from ..models import VAE, GaussianMixturePrior
from .common import UsageError, as_float, posteriors

CANDIDATES = (1, 2, 4, 8, 16, 32, 64)
DRAWS_PER_IMAGE = 4
HELD_OUT = 0.1  # share of the train split's images kept aside to choose K
REG_COVAR = 1e-4  # added to every covariance's diagonal: keeps each S_k positive definite (latents are ~unit scale)


def aggregate_posterior_draws(mu: np.ndarray, logvar: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """(N, D) posterior means and log-variances -> (N * draws, D) samples of q(z), image-major."""
    eps = np.random.RandomState(seed).randn(len(mu), draws, mu.shape[1])  # (N, draws, D)
    z = mu[:, None] + np.exp(0.5 * logvar)[:, None] * eps  # (N, draws, D)
    return z.reshape(-1, mu.shape[1])


def fit_mixture(z: np.ndarray, components: int, seed: int) -> GaussianMixture:
    return GaussianMixture(components, covariance_type="full", reg_covar=REG_COVAR, max_iter=300,
                           random_state=seed).fit(z)


def fit_prior(mu: np.ndarray, logvar: np.ndarray, candidates: tuple[int, ...] = CANDIDATES,
              seed: int = 0) -> tuple[GaussianMixturePrior, dict]:
    """Train-split posteriors (N, D) each -> the mixture with K chosen by held-out likelihood, and a report."""
    mu, logvar = np.asarray(mu, np.float64), np.asarray(logvar, np.float64)
    n = len(mu)
    held = np.random.RandomState(seed).permutation(n)[:max(1, int(n * HELD_OUT))]
    is_held = np.zeros(n, bool)
    is_held[held] = True
    fit_z = aggregate_posterior_draws(mu[~is_held], logvar[~is_held], DRAWS_PER_IMAGE, seed)
    held_z = aggregate_posterior_draws(mu[is_held], logvar[is_held], DRAWS_PER_IMAGE, seed + 1)
    usable = [k for k in candidates if k <= len(fit_z) // 10]  # at least ~10 points per component
    if not usable:
        raise UsageError(f"{n} training images are too few to fit even {min(candidates)} component(s)")
    scores = {}
    for k in usable:
        scores[k] = float(fit_mixture(fit_z, k, seed).score(held_z))  # mean log p(z) over held-out draws, nats
        print(f"prior: K={k:3d} held-out log-likelihood {scores[k]:.3f} nats per z", flush=True)
    best = max(scores, key=scores.get)
    final = fit_mixture(aggregate_posterior_draws(mu, logvar, DRAWS_PER_IMAGE, seed), best, seed)
    prior = GaussianMixturePrior(final.weights_, final.means_, final.covariances_)
    report = {
        "kind": "gaussian_mixture", "components": best, "covariance": "full",
        "chosen_by": f"highest mean held-out log-likelihood over K in {list(usable)}: fitted on the posteriors of "
                     f"{n - len(held)} train images, scored on the other {len(held)} (test split unused)",
        "held_out_log_likelihood": {str(k): round(v, 4) for k, v in scores.items()},
        "fitted_on": f"{DRAWS_PER_IMAGE} draws z = mu + sigma * eps per train image ({n} images), "
                     "the aggregate posterior",
        "reg_covar": REG_COVAR, "seed": seed,
    }
    return prior, report


def fit_and_save(directory: Path, vae: VAE, train_images: torch.Tensor, candidates: tuple[int, ...] = CANDIDATES,
                 seed: int = 0) -> dict:
    """Fit the prior of `vae` (saved in DIR) on its train images (N, C, H, W) in [0, 1]; write
    DIR/prior.safetensors and the card's "prior" entry. Returns that entry."""
    started = time.monotonic()
    with torch.no_grad():
        mu, logvar = posteriors(vae.eval(), train_images)
    prior, report = fit_prior(mu.cpu().numpy(), logvar.cpu().numpy(), candidates, seed)
    report["fit_time_s"] = round(time.monotonic() - started, 1)
    save_prior(directory, prior)
    report["file_bytes"] = (Path(directory) / PRIOR).stat().st_size
    card = read_card(directory)
    card["prior"] = report
    atomic_write_json(Path(directory) / "card.json", card)
    return report


def fit_checkpoint_prior(directory: Path, candidates: tuple[int, ...] = CANDIDATES, seed: int = 0) -> dict:
    """`python -m genimg.train prior DIR`: the VAE in DIR, its dataset's train split, fit_and_save."""
    directory = Path(directory)
    card = read_card(directory)
    if card["kind"] != "vae":
        raise UsageError(f"{directory} holds a {card['kind']} checkpoint; a learned prior is fitted for a vae")
    vae = load(directory)
    size = card.get("image_shape", [None])[0] if str(card.get("dataset", "")).startswith("folder:") else None
    train = datasets.load(card["dataset"], image_size=size).split("train")
    images, _ = as_float(train, "cpu")
    return fit_and_save(directory, vae, images, candidates, seed)
