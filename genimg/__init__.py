"""genimg: a small image-generation lab: datasets, a GAN and a VAE, their training and evaluation.

    import genimg
    gan = genimg.load("checkpoints/mnist/gan")
    images = genimg.sample(gan, seeds=[0, 1, 2], psi=1.0, label=None)   # uint8 (N, H, W, C)
"""

from .checkpoints import CheckpointError, load
from .sampling import decode, encode, parse_seeds, sample

__all__ = ["CheckpointError", "decode", "encode", "load", "parse_seeds", "sample"]
__version__ = "0.1.0"
