"""The in-memory dataset every source decodes to, and the fixed train/test split.

ImageDataset holds uint8 images (N, H, W, C) and integer labels in the source's own order; split()
applies the one rule used everywhere: test = indices i with i % 10 == 9. Not here: fetching (npm.py),
decoding a source (sources.py, emoji.py), augmentation (augment.py).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


class DataError(Exception):
    """A dataset could not be fetched or read; the message says what to do."""


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
