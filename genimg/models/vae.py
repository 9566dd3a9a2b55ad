"""Convolutional variational autoencoder (Kingma & Welling 2014).

Encoder q(z|x) = N(mu, diag(exp(logvar))) from stride-2 convolutions; decoder p(x|z) from their
transposed mirror; prior p(z) = N(0, I) (a learned mixture for sampling may ride along, see prior.py).
Three likelihoods:
- "bernoulli": decoder outputs logits; the loss is the summed binary cross-entropy over pixels in
  [0, 1], the convention of pytorch/examples vae/main.py (for grey digits).
- "gaussian": decoder outputs means in [0, 1] with one learned log-scale per channel
  (Rybkin et al. 2021, "sigma-VAE"); the loss is the Gaussian negative log-density of the pixels.
- "logistic": decoder outputs means with one learned log-scale per channel; each 8-bit pixel value
  gets the probability mass of its bin under a logistic distribution, the discretised logistic of
  PixelCNN++ (Salimans et al. 2017) with one component. A true probability of the 8-bit image, so
  the loss converts exactly to bits per dimension (for colour images).
This file holds the network and its loss; no I/O, no training loop.
Images are float (N, C, H, W) in [0, 1]; supported sizes 28, 32 and 64.
"""

import copy
import math

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from .gan import start_size

LIKELIHOODS = ("bernoulli", "gaussian", "logistic")
LOW_KL = 0.05  # nats; a latent dimension whose mean KL is below this is (nearly) unused by the decoder
HALF_BIN = 0.5 / 255  # pixels k/255: the bin of k spans k/255 +- HALF_BIN


class VAE(nn.Module, PyTorchModelHubMixin):
    def __init__(
        self,
        z_dim: int = 16,
        image_size: int = 28,
        channels: int = 1,
        width: int = 32,
        hidden: int = 256,
        likelihood: str = "bernoulli",
        class_names: list[str] | None = None,
    ):
        super().__init__()
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
        self.z_dim, self.image_size, self.channels = z_dim, image_size, channels
        self.likelihood = likelihood
        self.class_names = list(class_names or [])
        s0 = start_size(image_size)
        n = int(math.log2(image_size // s0))  # number of stride-2 stages
        self.s0, self.c_top = s0, width * 2 ** (n - 1)

        enc, c_in, c = [], channels, width
        for _ in range(n):  # 28 -> 14 -> 7, or 64 -> 32 -> 16 -> 8 -> 4
            enc += [nn.Conv2d(c_in, c, 4, 2, 1), nn.SiLU()]
            c_in, c = c, c * 2
        self.encoder = nn.Sequential(*enc, nn.Flatten(), nn.Linear(c_in * s0 * s0, hidden), nn.SiLU())
        self.to_stats = nn.Linear(hidden, 2 * z_dim)  # -> (mu, logvar)

        self.from_z = nn.Sequential(
            nn.Linear(z_dim, hidden), nn.SiLU(), nn.Linear(hidden, self.c_top * s0 * s0), nn.SiLU()
        )
        dec, c = [], self.c_top
        for _ in range(n - 1):
            dec += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1), nn.SiLU()]
            c //= 2
        dec += [nn.ConvTranspose2d(c, channels, 4, 2, 1)]
        self.decoder = nn.Sequential(*dec)
        # One learned log-scale per channel (sigma-VAE for "gaussian", the logistic's s for "logistic").
        self.log_scale = nn.Parameter(torch.full((channels,), -2.0)) if likelihood != "bernoulli" else None
        # A learned sampling prior (a GaussianMixturePrior, models/prior.py) or None for N(0, I) only. Not a
        # weight: genimg.checkpoints.load attaches it from prior.safetensors; training never touches it.
        self.prior = None

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (N, C, H, W) in [0, 1] -> mu, logvar, each (N, z_dim)."""
        mu, logvar = self.to_stats(self.encoder(x)).chunk(2, dim=1)
        return mu, logvar.clamp(-12.0, 8.0)

    def decoder_output(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, z_dim) -> logits (bernoulli) or raw means (gaussian), (N, C, H, W)."""
        h = self.from_z(z).view(-1, self.c_top, self.s0, self.s0)  # (N, c_top, s0, s0)
        return self.decoder(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, z_dim) -> mean image (N, C, H, W) in [0, 1]."""
        out = self.decoder_output(z)
        return torch.sigmoid(out) if self.likelihood == "bernoulli" else out.clamp(0.0, 1.0)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # reparameterisation trick
        return self.decoder_output(z), mu, logvar

    def reconstruction_nll(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """-log p(x|z) summed over pixels, per image (N,), in nats."""
        if self.likelihood == "bernoulli":
            return F.binary_cross_entropy_with_logits(out, x, reduction="none").flatten(1).sum(1)
        if self.likelihood == "logistic":
            return -discretized_logistic_log_prob(x, out, self.log_scale.clamp(-7.0, 2.0)).flatten(1).sum(1)
        log_sigma = self.log_scale.clamp(-6.0, 2.0).view(1, -1, 1, 1)
        nll = 0.5 * ((x - out) / log_sigma.exp()) ** 2 + log_sigma + 0.5 * math.log(2 * math.pi)
        return nll.flatten(1).sum(1)

    def loss(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Negative ELBO terms per image: (reconstruction nll (N,), KL (N,)), in nats."""
        out, mu, logvar = self(x)
        return self.reconstruction_nll(out, x), kl_divergence(mu, logvar).sum(1)


def discretized_logistic_log_prob(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """log P(pixel bin of x) under Logistic(mean, exp(log_scale)); x, mean (N, C, H, W), log_scale (C,).

    P = sigmoid((x + HALF_BIN - mean) / s) - sigmoid((x - HALF_BIN - mean) / s); the edge bins 0 and 255
    take the whole tail (Salimans et al. 2017, PixelCNN++, sec. 2.1).
    """
    inv_s = torch.exp(-log_scale).view(1, -1, 1, 1)
    centred = x - mean
    upper, lower = inv_s * (centred + HALF_BIN), inv_s * (centred - HALF_BIN)
    log_cdf_upper = upper - F.softplus(upper)  # log sigmoid(upper)
    log_one_minus_cdf_lower = -F.softplus(lower)  # log (1 - sigmoid(lower))
    mass = torch.sigmoid(upper) - torch.sigmoid(lower)
    mid = inv_s * centred  # where the mass underflows, use the density at the bin centre times the bin width
    log_density = mid + torch.log(inv_s) - 2 * F.softplus(mid) + math.log(2 * HALF_BIN)
    middle = torch.where(mass > 1e-5, torch.log(mass.clamp_min(1e-12)), log_density)
    return torch.where(x < HALF_BIN, log_cdf_upper, torch.where(x > 1 - HALF_BIN, log_one_minus_cdf_lower, middle))


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, 1)) per dimension, (N, z_dim), in nats.

    Closed form, see Appendix B of Kingma & Welling 2014: -0.5 * (1 + logvar - mu^2 - exp(logvar)).
    """
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())


@torch.no_grad()
def standardise_latents(vae: VAE, mu: torch.Tensor, logvar: torch.Tensor) -> VAE:
    """A copy of `vae` whose latent is z' = (z - m) / a per dimension: the same reconstructions, a smaller KL.

    mu, logvar (N, z_dim) are the posteriors of the training images. m = mean(mu) and
    a^2 = var(mu) + mean(exp(logvar)) minimise the mean KL to N(0, 1) over all such maps (closed form).
    The encoder's last layer and the decoder's first layer absorb the map exactly, so the reconstruction
    term is unchanged. Why it is needed: training leaves the posterior means spread wider than the prior
    (variance 4-10 per dimension on emoji), because shrinking them is worth only ~0.1% of the loss and Adam
    never gets there; prior samples then land in the untrained middle of the latent space.
    """
    m = mu.mean(0)
    a = (mu.var(0, unbiased=False) + logvar.exp().mean(0)).sqrt().clamp_min(1e-3)  # (z_dim,)
    out = copy.deepcopy(vae)
    stats, first = out.to_stats, out.from_z[0]  # Linear(hidden, 2 z_dim) -> (mu, logvar); Linear(z_dim, hidden)
    k = vae.z_dim
    stats.weight[:k] /= a[:, None]
    stats.bias[:k] = (stats.bias[:k] - m) / a
    stats.bias[k:] -= 2 * a.log()  # logvar' = logvar - 2 log a
    first.bias += first.weight @ m  # z = m + a z'
    first.weight *= a[None, :]
    return out
