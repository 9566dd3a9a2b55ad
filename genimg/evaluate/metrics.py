"""Sample-quality and VAE metrics, on feature arrays and models; no I/O, no CLI, no datasets.

Sample metrics take features (N, D) from any embedding (genimg uses the dataset's own classifier,
not Inception, so the numbers are comparable only within genimg; see README):
  fid                  Frechet distance (Heusel et al. 2017), torchmetrics' FrechetInceptionDistance
  kid                  kernel distance (Binkowski et al. 2018), torchmetrics' KernelInceptionDistance
  precision_recall     improved precision and recall, k-NN manifolds (Kynkaenniemi et al. 2019)
  class_histogram / histogram_kl   how the classifier spreads samples over the classes
  nearest_distances / memorisation   how close samples come to training images, against held-out images
VAE metrics take a model with encode(x) -> (mu, logvar), decoder_output(z) and
reconstruction_nll(out, x) (genimg's VAE and the benchmark's MLP VAE both do):
  negative_elbo, importance_weighted_nll, active_units, reconstruction_error, linear_probe_accuracy
This module computes numbers; genimg/evaluate/evaluator.py decides what to feed them and where they go.
"""

import math
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torchmetrics.functional.image import peak_signal_noise_ratio
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance

from ..models.vae import kl_divergence


class PrecomputedFeatures(nn.Module):
    """Identity 'feature extractor', so torchmetrics' FID/KID accept features we already computed."""

    def __init__(self, num_features: int):
        super().__init__()
        self.num_features = num_features

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features


def as_features(x) -> torch.Tensor:
    """(N, D) array-like -> float64 tensor; refuses anything else."""
    t = torch.as_tensor(np.asarray(x), dtype=torch.float64)
    if t.ndim != 2 or len(t) < 2:
        raise ValueError(f"features must be (N >= 2, D), got shape {tuple(t.shape)}")
    return t


# --- sample metrics on features ---------------------------------------------------------------


def fid(real, fake) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (Heusel et al. 2017, eq. 6):
    ||mu_r - mu_f||^2 + Tr(S_r + S_f - 2 (S_r S_f)^1/2). torchmetrics does the arithmetic (float64)."""
    real, fake = as_features(real), as_features(fake)
    metric = FrechetInceptionDistance(feature=PrecomputedFeatures(real.shape[1]))
    metric.update(real, real=True)
    metric.update(fake, real=False)
    return max(float(metric.compute()), 0.0)  # tiny negative values are round-off


def kid(real, fake, subsets: int = 100, subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Kernel distance (Binkowski et al. 2018): unbiased MMD^2 with the cubic polynomial kernel
    (x.y / D + 1)^3, averaged over random subsets; returns (mean, std over subsets). Seeded."""
    real, fake = as_features(real), as_features(fake)
    subset_size = min(subset_size, len(real), len(fake))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*will save all extracted features.*")
        metric = KernelInceptionDistance(feature=PrecomputedFeatures(real.shape[1]), subsets=subsets,
                                         subset_size=subset_size)
    metric.update(real, real=True)
    metric.update(fake, real=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        mean, std = metric.compute()
    return float(mean), float(std)


def kth_neighbour_radii(features: torch.Tensor, k: int, chunk: int = 1024) -> torch.Tensor:
    """Distance from each point to its k-th nearest other point in the same set, (N,)."""
    if len(features) <= k:
        raise ValueError(f"need more than k={k} points for k-NN radii, got {len(features)}")
    radii = []
    for i in range(0, len(features), chunk):
        d = torch.cdist(features[i:i + chunk], features)  # (chunk, N); column i is the point itself (0)
        radii.append(d.topk(k + 1, dim=1, largest=False).values[:, k])
    return torch.cat(radii)


def inside_manifold(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor, chunk: int = 1024):
    """For each point (M,), whether it lies in any ball B(centre_j, radius_j): bool (M,)."""
    inside = []
    for i in range(0, len(points), chunk):
        d = torch.cdist(points[i:i + chunk], centres)  # (chunk, N)
        inside.append((d <= radii[None, :]).any(dim=1))
    return torch.cat(inside)


def precision_recall(real, fake, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkaenniemi et al. 2019, sec. 2, k = 3): each set's manifold is
    the union of balls reaching each point's k-th nearest neighbour. Precision = share of fake points
    inside the real manifold; recall = share of real points inside the fake manifold."""
    real, fake = as_features(real), as_features(fake)
    precision = inside_manifold(fake, real, kth_neighbour_radii(real, k)).double().mean()
    recall = inside_manifold(real, fake, kth_neighbour_radii(fake, k)).double().mean()
    return float(precision), float(recall)


def nearest_distances(points, reference, chunk: int = 1024) -> tuple[torch.Tensor, torch.Tensor]:
    """For each point (M, D), the Euclidean distance to its nearest reference point (N, D) and that point's
    index: (M,) float64, (M,) int64."""
    points, reference = as_features(points), as_features(reference)
    distances, indices = [], []
    for i in range(0, len(points), chunk):
        nearest = torch.cdist(points[i:i + chunk], reference).min(dim=1)  # over (chunk, N)
        distances.append(nearest.values)
        indices.append(nearest.indices)
    return torch.cat(distances), torch.cat(indices)


def memorisation(train, test, samples, percentile: float = 1.0) -> dict:
    """Is a generator copying its training images? Features (N, D) of the train split, the test split
    and the samples, in one feature space.

    A held-out test image is a fresh draw from the data, so its distance to the nearest training image
    says how close "new" images come by chance. The threshold is the 1st percentile of those test
    distances; copy_fraction is the share of samples nearer a training image than that. A model that
    draws new images like the test split's gives about percentile/100 (0.01); one that replays its
    training set gives ~1. The idea of Meehan et al. 2020's data-copying test (generated-to-train
    against held-out-to-train nearest-neighbour distances), in the classifier's feature space.
    """
    test_nearest, _ = nearest_distances(test, train)  # (N_test,)
    sample_nearest, _ = nearest_distances(samples, train)  # (N_samples,)
    threshold = float(np.percentile(test_nearest.numpy(), percentile))
    return {
        "copy_fraction": float((sample_nearest < threshold).double().mean()),
        "threshold": threshold, "threshold_percentile": percentile,
        "sample_nearest_train_median": float(sample_nearest.median()),
        "test_nearest_train_median": float(test_nearest.median()),
        "median_ratio": float(sample_nearest.median() / test_nearest.median().clamp_min(1e-12)),
    }


def class_histogram(labels, num_classes: int) -> np.ndarray:
    """Predicted or true labels (N,) -> class frequencies (num_classes,), summing to 1."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes)[:num_classes]
    return counts / max(counts.sum(), 1)


def histogram_kl(p, q, eps: float = 1e-12) -> float:
    """KL(p || q) = sum p log(p / q) in nats, for class histograms (p: samples, q: data)."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    mask = p > 0
    return float(np.sum(p[mask] * (np.log(p[mask]) - np.log(np.maximum(q[mask], eps)))))


# --- VAE metrics ------------------------------------------------------------------------------


def batched(x: torch.Tensor, batch_size: int):
    for i in range(0, len(x), batch_size):
        yield x[i:i + batch_size]


@torch.no_grad()
def negative_elbo(vae: nn.Module, x: torch.Tensor, seed: int = 0, batch_size: int = 500) -> dict:
    """Mean per-image -ELBO = E_q[-log p(x|z)] + KL(q(z|x) || p(z)) (Kingma & Welling 2014, eq. 10),
    one z per image from a fixed seed, in nats; with the KL per latent dimension (z_dim,)."""
    generator = torch.Generator().manual_seed(seed)
    recon_sum, kl_dims = 0.0, 0.0
    for xb in batched(x, batch_size):
        mu, logvar = vae.encode(xb)  # (B, z_dim) each
        z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=generator)
        recon_sum += float(vae.reconstruction_nll(vae.decoder_output(z), xb).sum())
        kl_dims = kl_dims + kl_divergence(mu, logvar).sum(0)  # (z_dim,), closed form (Appendix B)
    recon, kl_per_dim = recon_sum / len(x), (kl_dims / len(x)).tolist()
    return {"loss": recon + sum(kl_per_dim), "recon": recon, "kl": sum(kl_per_dim), "kl_per_dim": kl_per_dim}


@torch.no_grad()
def importance_weighted_nll(vae: nn.Module, x: torch.Tensor, k: int = 100, seed: int = 0,
                            batch_size: int = 20) -> float:
    """Mean per-image -L_k, the importance-weighted bound (Burda et al. 2015, eq. 8) in nats:
    log p(x) >= E[log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x)], z_i ~ q(z|x). Tighter than -ELBO as k grows."""
    generator = torch.Generator().manual_seed(seed)
    total = 0.0
    for xb in batched(x, batch_size):
        mu, logvar = vae.encode(xb)  # (B, z_dim)
        std = torch.exp(0.5 * logvar)
        eps = torch.randn((len(xb), k, mu.shape[1]), generator=generator)  # (B, k, z_dim)
        z = mu[:, None] + std[:, None] * eps  # (B, k, z_dim)
        x_rep = xb.repeat_interleave(k, dim=0)  # (B*k, C, H, W), image-major like z.flatten(0, 1)
        log_px_z = -vae.reconstruction_nll(vae.decoder_output(z.flatten(0, 1)), x_rep).view(len(xb), k)
        log_pz = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(-1)  # (B, k), prior N(0, I)
        log_qz = -0.5 * (eps.pow(2) + math.log(2 * math.pi)).sum(-1) - 0.5 * logvar.sum(-1, keepdim=True)
        log_w = log_px_z + log_pz - log_qz  # (B, k)
        total -= float((torch.logsumexp(log_w, dim=1) - math.log(k)).sum())
    return total / len(x)


def active_units(mu: torch.Tensor, threshold: float = 0.01) -> tuple[int, list[float]]:
    """Active units (Burda et al. 2015, sec. 5.3): dimensions u with Cov_x(E_q[z_u|x]) > 0.01.
    mu: posterior means (N, z_dim) over the data. Returns (count, variance per dim)."""
    variance = mu.double().var(dim=0, unbiased=True)  # (z_dim,)
    return int((variance > threshold).sum()), variance.tolist()


@torch.no_grad()
def reconstruction_error(vae: nn.Module, x: torch.Tensor, batch_size: int = 500) -> tuple[float, float]:
    """Decode the posterior mean: mean squared error per pixel on the [0, 1] scale, and PSNR in dB
    (10 log10(1 / MSE), torchmetrics) over the whole set."""
    recon = torch.cat([vae.decode(vae.encode(xb)[0]) for xb in batched(x, batch_size)])  # (N, C, H, W)
    mse = float(F.mse_loss(recon, x))
    return mse, float(peak_signal_noise_ratio(recon, x, data_range=1.0))


@torch.enable_grad()  # it fits a model, even when called under no_grad
def linear_probe_accuracy(train_x, train_y, test_x, test_y, weight_decay: float = 1e-4, steps: int = 200) -> float:
    """Accuracy on test of a multinomial logistic regression fitted (L-BFGS, full batch, standardised
    inputs, L2 penalty) on train: how linearly the features (e.g. latent means) carry the label."""
    train_x, test_x = torch.as_tensor(train_x).double(), torch.as_tensor(test_x).double()
    train_y, test_y = torch.as_tensor(train_y).long(), torch.as_tensor(test_y).long()
    mean, std = train_x.mean(0), train_x.std(0).clamp_min(1e-8)
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    num_classes = int(max(train_y.max(), test_y.max())) + 1
    weight = torch.zeros(train_x.shape[1], num_classes, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(num_classes, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(train_x @ weight + bias, train_y) + weight_decay * weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        return float(((test_x @ weight + bias).argmax(1) == test_y).double().mean())


def bits_per_dim(nats_per_image: float, dims: int) -> float:
    """Nats per image of a density on [0, 1]-scaled 8-bit pixels -> bits per dimension on the usual
    [0, 256) scale (add D log 256 for the change of variables, as in Real NVP / Glow)."""
    return (nats_per_image + dims * math.log(256)) / (dims * math.log(2))
