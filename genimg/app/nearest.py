""""Is it just copying?": a generated image's nearest training images, in the dataset classifier's feature space.

The same ruler as `python -m genimg.evaluate`'s memorisation figure (genimg/evaluate/metrics.py): distances
between the classifier's penultimate-layer features, set against how near held-out test images come to
their own nearest training image (a fresh image from the data is at about the median; 1% are nearer than
the "copy" threshold).

Where the training images come from: the dataset in the data cache ($GENIMG_DATA, filled by
`python -m genimg.data fetch mnist|emoji`), read once per process on first use (seconds; longer for emoji).
They are not committed with the checkpoints: the repository keeps all checkpoints under 40 MB, and MNIST's
9,000 training digits alone are 7 MB raw, emoji's 6,815 are 84 MB. Without the cached dataset the panel
says how to get it. Nothing is downloaded at run time. No Gradio here: tabs/gan.py shows the result.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .. import data as datasets
from ..checkpoints import CheckpointError, load, read_card
from ..models import Classifier
from ..sampling import from_uint8
from .i18n import text

BATCH = 500
NEIGHBOURS = 3
COPY_PERCENTILE = 1.0  # as evaluate's copy_fraction


class NotAvailable(Exception):
    """The nearest-training lookup cannot run here. `key` names the locale string that says why and what would
    make it work (formatted with `fields`); str() is the English text."""

    def __init__(self, key: str, **fields):
        self.key, self.fields = key, fields
        super().__init__(text(key).format(**fields))


@dataclass
class TrainingIndex:
    """One dataset's train split with its classifier features, and the test split's nearest-train distances."""

    images: np.ndarray  # (N, H, W, C) uint8, the train split
    labels: np.ndarray  # (N,)
    class_names: list[str]
    features: torch.Tensor  # (N, D) float32
    classifier: Classifier
    copy_threshold: float  # 1st percentile of test images' nearest-train distances
    test_median: float  # their median


@torch.no_grad()
def features_of(classifier: Classifier, images: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, C) -> penultimate-layer features (N, D) float32."""
    return torch.cat([classifier.features(from_uint8(images[i:i + BATCH])) for i in range(0, len(images), BATCH)])


def cached(source: str) -> bool:
    """Whether every npm tarball of an npm dataset is already in the data cache (so loading fetches nothing)."""
    packages = datasets.PACKAGES.get(source)
    return bool(packages) and all((datasets.cache_dir() / p.tarball).is_file() for p in packages)


class NearestTraining:
    """Builds a TrainingIndex per dataset on first use (thread-safe), then answers lookups."""

    def __init__(self, root: Path):
        self.root = Path(root)  # the checkpoints folder: <root>/<dataset>/classifier
        self.indexes: dict[str, TrainingIndex] = {}
        self.lock = threading.Lock()

    def index(self, dataset: str) -> TrainingIndex:
        with self.lock:  # one build per dataset, even when many students click at once
            if dataset not in self.indexes:
                self.indexes[dataset] = self.build(dataset)
            return self.indexes[dataset]

    def build(self, dataset: str) -> TrainingIndex:
        directory = self.root / dataset / "classifier"
        try:
            classifier = load(directory)
            source = read_card(directory).get("dataset")
        except CheckpointError as e:
            raise NotAvailable("nearest_no_classifier", model=dataset, problem=str(e)) from e
        if not isinstance(classifier, Classifier) or source not in datasets.PACKAGES:
            raise NotAvailable("nearest_no_classifier", model=dataset,
                               problem=f"{directory} is not a classifier of mnist or emoji")
        if not cached(source):
            raise NotAvailable("nearest_not_cached", source=source)
        full = datasets.load(source)
        train, test = full.split("train"), full.split("test")
        features = features_of(classifier, train.images)
        test_nearest = torch.cdist(features_of(classifier, test.images), features).min(dim=1).values  # (N_test,)
        return TrainingIndex(train.images, train.labels, list(train.class_names), features, classifier,
                             float(np.percentile(test_nearest.numpy(), COPY_PERCENTILE)),
                             float(test_nearest.median()))

    def nearest(self, dataset: str, image: np.ndarray, k: int = NEIGHBOURS) -> tuple[list[dict], TrainingIndex]:
        """One uint8 image (H, W, C) -> its k nearest training images as {image, index, label, distance},
        nearest first, and the index (for its reference distances)."""
        index = self.index(dataset)
        if image.shape != index.images.shape[1:]:
            raise ValueError(f"the image is {image.shape}; {dataset} training images are {index.images.shape[1:]}")
        distances = torch.cdist(features_of(index.classifier, image[None]), index.features)[0]  # (N,)
        top = distances.topk(k, largest=False)
        return [{"image": index.images[i], "index": int(i), "label": index.class_names[index.labels[i]],
                 "distance": float(d)} for d, i in zip(top.values.tolist(), top.indices.tolist())], index
