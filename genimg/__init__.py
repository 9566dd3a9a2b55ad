"""genimg: a small image-generation lab: datasets, a GAN and a VAE, their training and evaluation.

    import genimg
    gan = genimg.load("checkpoints/mnist/gan")
    images = genimg.sample(gan, seeds=[0, 1, 2], psi=1.0, label=None)   # uint8 (N, H, W, C)
    found = genimg.invert(gan, "my_digit.png", steps=100)                # found.z, found.label, found.mse
"""

__version__ = "0.1.0"  # first: submodules read it (recipes record it)

from .checkpoints import CheckpointError, load  # noqa: E402
from .invert import invert  # noqa: E402 (the function: `python -m genimg.invert` is the command line)
from .sampling import decode, encode, parse_seeds, sample  # noqa: E402

__all__ = ["CheckpointError", "decode", "encode", "invert", "load", "parse_seeds", "sample"]
