"""genimg: a small image-generation lab: datasets, a GAN and a VAE, their training and evaluation.

    import genimg
    gan = genimg.load("checkpoints/mnist/gan")
    images = genimg.sample(gan, seeds=[0, 1, 2], psi=1.0, label=None)   # uint8 (N, H, W, C)
    found = genimg.invert(gan, "my_digit.png", steps=100)                # found.z, found.label, found.mse
"""

from .checkpoints import CheckpointError, load
from .inversion import invert
from .sampling import decode, encode, parse_seeds, sample
from .version import __version__

__all__ = ["CheckpointError", "__version__", "decode", "encode", "invert", "load", "parse_seeds", "sample"]
