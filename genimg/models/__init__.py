"""The networks: a GAN (generator + discriminator), a VAE, and the metrics classifier."""

from .classifier import Classifier
from .gan import Discriminator, Generator
from .vae import VAE

__all__ = ["Classifier", "Discriminator", "Generator", "VAE"]
