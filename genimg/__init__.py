"""genimg: a small image-generation lab: datasets, a GAN and a VAE, their training and evaluation.

    import genimg
    gan = genimg.load("checkpoints/mnist/gan")
    images = genimg.sample(gan, seeds=[0, 1, 2], psi=1.0, label=None)   # uint8 (N, H, W, C)
    found = genimg.invert(gan, "my_digit.png", steps=100)                # found.z, found.label, found.mse
"""

__version__ = "0.1.0"  # first: submodules read it (recipes record it)

from . import sample as _sample_cli  # noqa: E402, F401
from .checkpoints import CheckpointError, load  # noqa: E402
from .invert import invert  # noqa: E402
from .sampling import decode, encode, parse_seeds, sample  # noqa: E402

# genimg.sample and genimg.invert are functions; the modules of the same names are the command lines
# (python -m genimg.sample | genimg.invert). Both modules are imported above, before the functions are bound:
# importing a submodule for the first time rebinds the package attribute to the module, so a later
# `from genimg.sample import main` would otherwise replace the function genimg.sample with a module.

__all__ = ["CheckpointError", "decode", "encode", "invert", "load", "parse_seeds", "sample"]
