"""genimg.evaluate.metrics on cases with known answers: no models from disk, no data, no network."""

import math

import numpy as np
import pytest
import torch
from scipy import linalg

from genimg.evaluate import metrics
from genimg.models import VAE


def with_moments(mean: np.ndarray, cov: np.ndarray, n: int, seed: int) -> np.ndarray:
    """n points (n, d) whose sample mean and unbiased sample covariance are exactly mean and cov."""
    z = np.random.RandomState(seed).randn(n, len(mean))
    z -= z.mean(0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.atleast_2d(np.cov(z, rowvar=False)))).T  # sample cov now exactly I
    return mean + z @ np.linalg.cholesky(cov).T


def frechet_distance(m1, s1, m2, s2) -> float:
    """Analytic Frechet distance between N(m1, s1) and N(m2, s2) (Dowson & Landau 1982)."""
    return float(np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real))


def test_fid_of_identical_sets_is_zero():
    x = np.random.RandomState(0).randn(500, 16)
    assert metrics.fid(x, x) == pytest.approx(0.0, abs=1e-6)


def test_fid_of_two_gaussians_is_the_analytic_frechet_distance():
    rs = np.random.RandomState(1)
    a, b = rs.randn(5, 5), rs.randn(5, 5)
    m1, s1 = rs.randn(5), a @ a.T + 0.5 * np.eye(5)
    m2, s2 = rs.randn(5), b @ b.T + 0.5 * np.eye(5)
    x1, x2 = with_moments(m1, s1, 400, seed=2), with_moments(m2, s2, 300, seed=3)
    assert metrics.fid(x1, x2) == pytest.approx(frechet_distance(m1, s1, m2, s2), rel=1e-6)


def test_fid_one_dimensional_closed_form():
    x1 = with_moments(np.array([1.0]), np.array([[4.0]]), 100, seed=0)  # N(1, 2^2)
    x2 = with_moments(np.array([-2.0]), np.array([[9.0]]), 100, seed=1)  # N(-2, 3^2)
    assert metrics.fid(x1, x2) == pytest.approx((1 + 2) ** 2 + (2 - 3) ** 2, rel=1e-6)


def unbiased_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3, written out (Binkowski et al. 2018, eq. 3)."""
    d, m = x.shape[1], len(x)
    kxx, kyy, kxy = ((x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3, (x @ y.T / d + 1) ** 3)
    return ((kxx.sum() - np.trace(kxx)) + (kyy.sum() - np.trace(kyy))) / (m * (m - 1)) - 2 * kxy.mean()


def test_kid_with_one_full_subset_is_the_unbiased_mmd():
    rs = np.random.RandomState(0)
    x, y = rs.randn(200, 8), rs.randn(200, 8) + 0.3
    mean, std = metrics.kid(x, y, subsets=1, subset_size=200)
    assert mean == pytest.approx(unbiased_mmd2(x, y), rel=1e-9)
    assert std == 0.0


def test_kid_near_zero_for_same_distribution_and_large_for_a_shift():
    rs = np.random.RandomState(0)
    x, y = rs.randn(1000, 8), rs.randn(1000, 8)
    same, same_std = metrics.kid(x, y, subsets=20, subset_size=500)
    shifted, _ = metrics.kid(x, y + 1.0, subsets=20, subset_size=500)
    assert abs(same) < 3 * same_std + 1e-3
    assert shifted > 100 * abs(same)
    assert metrics.kid(x, y, subsets=20, subset_size=500) == (same, same_std)  # seeded


def on_a_line(xs) -> np.ndarray:
    return np.stack([np.asarray(xs, dtype=float), np.zeros(len(xs))], axis=1)  # (N, 2)


def test_precision_recall_toy_sets():
    real = on_a_line(range(100))  # k=3 radius: 2 inside, 3 at the two ends
    assert metrics.precision_recall(real, real) == (1.0, 1.0)
    # The left half of the real points: all precise; its balls (radius 3 at 49) reach real points 0..52.
    assert metrics.precision_recall(real, on_a_line(range(50))) == (1.0, 0.53)
    assert metrics.precision_recall(real, on_a_line(np.arange(100) + 1000.0)) == (0.0, 0.0)
    # Half the fakes fall 500 away from everything: precision halves, the fake manifold still covers 0..52.
    half_off = on_a_line(list(range(50)) + list(np.arange(50) + 600.0))
    assert metrics.precision_recall(real, half_off) == (0.5, 0.53)


def test_kth_neighbour_radii_need_more_than_k_points():
    with pytest.raises(ValueError, match="more than k=3"):
        metrics.kth_neighbour_radii(torch.zeros(3, 2, dtype=torch.float64), 3)


def test_class_histogram_and_kl():
    assert metrics.class_histogram([0, 0, 1, 0], 3).tolist() == [0.75, 0.25, 0.0]
    assert metrics.histogram_kl([0.2, 0.8], [0.2, 0.8]) == 0.0
    assert metrics.histogram_kl([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))


def test_features_must_be_two_dimensional():
    with pytest.raises(ValueError, match="features must be"):
        metrics.fid(np.zeros(10), np.zeros(10))


def test_active_units_counts_dimensions_with_variance_above_a_hundredth():
    rs = np.random.RandomState(0)
    mu = torch.from_numpy(with_moments(np.zeros(3), np.diag([1.0, 0.02, 0.001]), 50, seed=0))
    count, variances = metrics.active_units(mu)
    assert count == 2 and variances == pytest.approx([1.0, 0.02, 0.001])
    assert metrics.active_units(torch.from_numpy(rs.randn(50, 4) * 0.01))[0] == 0


def test_linear_probe_separates_separable_classes():
    rs = np.random.RandomState(0)
    labels = np.arange(200) % 4
    centres = np.array([[5, 0], [0, 5], [-5, 0], [0, -5]], dtype=float)
    x = centres[labels] + rs.randn(200, 2) * 0.5
    assert metrics.linear_probe_accuracy(x[:150], labels[:150], x[150:], labels[150:]) == 1.0


def test_bits_per_dim_adds_the_8_bit_change_of_variables():
    assert metrics.bits_per_dim(0.0, 1) == pytest.approx(8.0)
    assert metrics.bits_per_dim(-784 * math.log(256), 784) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_vae_bounds_on_a_tiny_model(likelihood):
    torch.manual_seed(0)
    vae = VAE(z_dim=3, image_size=28, channels=1, width=4, hidden=16, likelihood=likelihood).eval()
    x = torch.rand(8, 1, 28, 28)
    elbo = metrics.negative_elbo(vae, x, seed=0)
    assert elbo["loss"] == pytest.approx(elbo["recon"] + elbo["kl"])
    assert len(elbo["kl_per_dim"]) == 3 and all(v >= 0 for v in elbo["kl_per_dim"])
    assert elbo == metrics.negative_elbo(vae, x, seed=0)  # seeded
    iw = metrics.importance_weighted_nll(vae, x, k=100, seed=0)
    assert math.isfinite(iw) and iw <= elbo["loss"] + 1.0  # L_k tightens the bound (Burda et al., thm. 1)
    mse, psnr = metrics.reconstruction_error(vae, x)
    assert psnr == pytest.approx(10 * math.log10(1 / mse), rel=1e-5)
