"""Convolutional variational autoencoder (Kingma & Welling 2014).

Encoder q(z|x) = N(mu, diag(exp(logvar))) from stride-2 convolutions; decoder p(x|z) from their
transposed mirror; prior p(z) = N(0, I). Two likelihoods:
- "bernoulli": decoder outputs logits; the loss is the summed binary cross-entropy over pixels in
  [0, 1], the convention of pytorch/examples vae/main.py (for grey digits).
- "gaussian": decoder outputs means in [0, 1] with one learned log-scale per channel
  (Rybkin et al. 2021, "sigma-VAE"); the loss is the Gaussian negative log-density of the pixels
  (for colour images).
This file holds the network and its loss; no I/O, no training loop.
Images are float (N, C, H, W) in [0, 1]; supported sizes 28, 32 and 64.
"""

import math

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from .gan import start_size

LIKELIHOODS = ("bernoulli", "gaussian")


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
        # sigma-VAE: one learned log standard deviation per channel (used by "gaussian" only).
        self.log_scale = nn.Parameter(torch.full((channels,), -2.0)) if likelihood == "gaussian" else None

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
        log_sigma = self.log_scale.clamp(-6.0, 2.0).view(1, -1, 1, 1)
        nll = 0.5 * ((x - out) / log_sigma.exp()) ** 2 + log_sigma + 0.5 * math.log(2 * math.pi)
        return nll.flatten(1).sum(1)

    def loss(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Negative ELBO terms per image: (reconstruction nll (N,), KL (N,)), in nats."""
        out, mu, logvar = self(x)
        return self.reconstruction_nll(out, x), kl_divergence(mu, logvar).sum(1)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, 1)) per dimension, (N, z_dim), in nats.

    Closed form, see Appendix B of Kingma & Welling 2014: -0.5 * (1 + logvar - mu^2 - exp(logvar)).
    """
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
