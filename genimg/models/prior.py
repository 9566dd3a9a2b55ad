"""A learned sampling prior for a VAE: a Gaussian mixture over the latent space, as plain numpy arrays.

    p(z) = sum_k w_k N(z; m_k, S_k),   k = 1..K,   weights (K,), means (K, D), covariances (K, D, D)

Why: the VAE is trained with the prior N(0, I), but its decoder only ever sees latents where training
images encode (the "aggregate posterior", the average of q(z|x) over the data). Much of N(0, I)'s mass
lies elsewhere, and decodes to blurry non-images. A mixture fitted to the aggregate posterior (the
"ex-post density estimation" of Ghosh et al. 2020; pythae's GaussianMixtureSampler) puts the samples
where the decoder has been. genimg/train/prior.py fits it; genimg/checkpoints.py stores its arrays.

Seeds keep their meaning: seed s draws eps = RandomState(s).randn(D) (the very z the standard prior
gives seed s), then the component k from the same RandomState, and z = m_k + L_k (psi * eps), with
L_k the Cholesky factor of S_k. So seed s names one image under each prior, on any machine.

What it is not: part of the VAE's objective (the ELBO, its KL and the test -ELBO still use N(0, I)),
an nn.Module (it has no weights to train), or a file reader. No sklearn here: sampling and density
are a few lines of numpy.
"""

import numpy as np


class GaussianMixturePrior:
    """A K-component, full-covariance Gaussian mixture in D dimensions; float32 arrays in, float32 latents out."""

    def __init__(self, weights, means, covariances):
        weights, means = np.asarray(weights, np.float32), np.asarray(means, np.float32)
        covariances = np.asarray(covariances, np.float32)
        if weights.ndim != 1 or len(weights) < 1:
            raise ValueError(f"weights must be (K,) with K >= 1, got shape {weights.shape}")
        k = len(weights)
        if means.ndim != 2 or means.shape[0] != k:
            raise ValueError(f"means must be (K={k}, D), got shape {means.shape}")
        d = means.shape[1]
        if covariances.shape != (k, d, d):
            raise ValueError(f"covariances must be (K={k}, D={d}, D={d}), got shape {covariances.shape}")
        if not (np.isfinite(weights).all() and np.isfinite(means).all() and np.isfinite(covariances).all()):
            raise ValueError("weights, means and covariances must be finite numbers")
        if (weights < 0).any() or weights.sum() <= 0:
            raise ValueError("weights must be non-negative with a positive sum")
        self.weights, self.means, self.covariances = weights, means, covariances
        self.probabilities = weights.astype(np.float64) / weights.sum(dtype=np.float64)  # exactly summing to 1
        try:  # S_k = L_k L_k^T; fails unless every S_k is symmetric positive definite
            self.cholesky = np.linalg.cholesky(covariances.astype(np.float64))  # (K, D, D), lower triangular
        except np.linalg.LinAlgError as e:
            raise ValueError(f"every covariance must be positive definite ({e})") from e

    @property
    def num_components(self) -> int:
        return len(self.weights)

    @property
    def z_dim(self) -> int:
        return self.means.shape[1]

    def latent_from_seed(self, seed: int, psi: float = 1.0) -> np.ndarray:
        """Seed -> z (D,) float32: eps = RandomState(seed).randn(D), then k from the same state;
        z = m_k + L_k (psi * eps). psi < 1 pulls z towards its component's mean (truncation)."""
        rs = np.random.RandomState(seed)
        eps = rs.randn(self.z_dim)  # (D,): the standard prior's z for this seed, drawn first
        k = rs.choice(self.num_components, p=self.probabilities)
        return (self.means[k] + self.cholesky[k] @ (psi * eps)).astype(np.float32)

    def log_density(self, z) -> np.ndarray:
        """log p(z) for z (N, D) -> (N,) float64, in nats."""
        z = np.asarray(z, np.float64)
        if z.ndim != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"z must be (N, {self.z_dim}), got shape {z.shape}")
        per_component = np.empty((len(z), self.num_components))  # (N, K): log w_k + log N(z; m_k, S_k)
        for k in range(self.num_components):
            centred = z - self.means[k]  # (N, D)
            # L^-1 (z - m) by solving L y = (z - m); Mahalanobis distance = |y|^2
            y = np.linalg.solve(self.cholesky[k], centred.T).T  # (N, D)
            log_det = 2 * np.log(np.diag(self.cholesky[k])).sum()
            log_normal = -0.5 * ((y ** 2).sum(1) + log_det + self.z_dim * np.log(2 * np.pi))
            per_component[:, k] = np.log(self.probabilities[k] + 1e-300) + log_normal
        top = per_component.max(1, keepdims=True)  # log-sum-exp over components, stable
        return top[:, 0] + np.log(np.exp(per_component - top).sum(1))

    def marginal(self, dims: list[int]) -> "GaussianMixturePrior":
        """The mixture over a few latent dimensions (the others integrated out): same weights, the means'
        and covariances' rows/columns of those dimensions. Exact for Gaussians; used for 2-D contours."""
        dims = [int(d) for d in dims]
        if not dims or any(not 0 <= d < self.z_dim for d in dims):
            raise ValueError(f"dims must be latent dimensions 0..{self.z_dim - 1}, got {dims}")
        return GaussianMixturePrior(self.weights, self.means[:, dims], self.covariances[:, dims][:, :, dims])

    def mass_levels(self, masses: list[float], draws: int = 4000, seed: int = 0) -> list[float]:
        """Log-densities whose contours enclose the given shares of the mixture's mass (e.g. 0.5, 0.9, 0.99),
        the "highest density regions" (Hyndman 1996), estimated from `draws` seeded samples."""
        rs = np.random.RandomState(seed)
        components = rs.choice(self.num_components, size=draws, p=self.probabilities)  # (draws,)
        eps = rs.randn(draws, self.z_dim)
        z = self.means[components] + np.einsum("nij,nj->ni", self.cholesky[components], eps)  # (draws, D)
        return [float(np.quantile(self.log_density(z), 1 - m)) for m in masses]

    def arrays(self) -> dict[str, np.ndarray]:
        """The whole mixture as named arrays (what the prior file stores)."""
        return {"weights": self.weights, "means": self.means, "covariances": self.covariances}
