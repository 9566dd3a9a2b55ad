"""The networks: a GAN (generator + discriminator), a VAE (+ its learned sampling prior), and the metrics classifier."""

from .classifier import Classifier
from .gan import Discriminator, Generator
from .prior import GaussianMixturePrior
from .vae import VAE

__all__ = ["Classifier", "Discriminator", "GaussianMixturePrior", "Generator", "VAE"]
