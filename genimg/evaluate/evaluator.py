"""Evaluate a checkpoint offline: samples and test images through the dataset's own classifier.

The ruler for a dataset is its own classifier checkpoint (checkpoints/<dataset>/classifier, the
sibling `classifier` folder of DIR, or --classifier): its penultimate layer is the feature space,
its argmax names the class of a sample. No downloaded Inception weights, so these FIDs are
comparable only with other genimg numbers on the same dataset and classifier (see README).

Every sample set is compared with the test split (held out from all training); the "floor" puts the
train split where the generator would be, i.e. what a model that reproduced its training data
exactly would score. Samples come from fixed seeds 0..N-1 (the StyleGAN seed convention).

  gan         FID, KID, precision/recall (k=3), class histogram + KL to the data's, and for a
              class-conditional GAN the classifier's accuracy on class-conditioned samples
  vae         test -ELBO (nats/image, pytorch/examples convention; bits/dim for colour), IW bound
              (k=100), KL per dimension, active units, recon MSE/PSNR, linear probe, sample metrics
              under the standard prior N(0, I) ("samples") and the learned prior ("samples_learned_prior")
  classifier  test accuracy (and the real-vs-real floor of its feature space)
Every sample set also gets "memorisation": how near samples come to training images (metrics.memorisation).
With --cas or --detect, instead: the Classification Accuracy Score (cas.py) or a real-vs-generated detector
(detect.py), each training small classifiers of the ruler's architecture.

Not here: the metric formulas (metrics.py), writing cards and README tables (report.py), the CLI (cli.py).
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from tqdm import tqdm

from .. import data as datasets
from ..checkpoints import load, read_card
from ..data.preprocess import on_white
from ..models import VAE, Classifier, Generator
from ..sampling import from_uint8, latent_from_seed, sample
from . import metrics

NUM_SAMPLES = 10_000
IW_SAMPLES = 100  # importance samples for the IW bound (Burda et al. 2015 use k = 5000; >= 100 here)
SEED = 0
BATCH = 500
README_MARKERS = ("<!-- results:start -->", "<!-- results:end -->")


class EvalError(Exception):
    """Input the evaluator cannot use; the message says what was wrong and what is accepted."""


@dataclass
class Reference:
    """The ruler for one dataset: its splits, its classifier, their features, and the real-vs-real floor."""

    source: str
    classifier_dir: Path
    classifier: Classifier
    train: datasets.ImageDataset
    test: datasets.ImageDataset
    train_features: torch.Tensor  # (N_train, D)
    test_features: torch.Tensor  # (N_test, D)
    data_histogram: np.ndarray  # (num_classes,) class frequencies of the train split
    classifier_test_accuracy: float
    floor: dict


# --- loading ----------------------------------------------------------------------------------


def load_dataset(card: dict) -> datasets.ImageDataset:
    source = card.get("dataset")
    if not isinstance(source, str):
        raise EvalError("card.json has no 'dataset'; it is needed to know what to compare against")
    size = card.get("image_shape", [None])[0] if source.startswith("folder:") else None
    return datasets.load(source, image_size=size)


def find_classifier(directory: Path, source: str, override: Path | None) -> Path:
    """--classifier, else DIR/../classifier, else checkpoints/<dataset>/classifier; its dataset must match."""
    candidates = [override] if override else [directory.parent / "classifier",
                                              Path("checkpoints") / source / "classifier"]
    for candidate in candidates:
        if (candidate / "card.json").is_file():
            card = read_card(candidate)
            if card["kind"] != "classifier" or card.get("dataset") != source:
                raise EvalError(f"{candidate} is a {card['kind']} on {card.get('dataset')!r}; the ruler for "
                                f"{source!r} must be a classifier trained on {source!r}")
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise EvalError(f"no classifier checkpoint for {source!r} (looked in {tried}); train one with "
                    f"`python -m genimg.train classifier --data {source} --out <dir>` or pass --classifier DIR")


@torch.no_grad()
def embed(classifier: Classifier, images: np.ndarray, desc: str) -> tuple[torch.Tensor, np.ndarray]:
    """uint8 images (N, H, W, C) -> classifier features (N, D) float64 and predicted labels (N,)."""
    features, labels = [], []
    for i in tqdm(range(0, len(images), BATCH), desc=desc, unit="batch", leave=False):
        h = classifier.features(from_uint8(images[i:i + BATCH]))  # (B, D)
        features.append(h.double())
        labels.append(classifier.head(h).argmax(1).numpy())
    return torch.cat(features), np.concatenate(labels)


def sample_scores(real: torch.Tensor, fake: torch.Tensor) -> dict:
    """FID, KID (mean, std), precision, recall of fake features against real features."""
    kid_mean, kid_std = metrics.kid(real, fake, seed=SEED)
    precision, recall = metrics.precision_recall(real, fake, k=3)
    return {"fid": metrics.fid(real, fake), "kid": kid_mean, "kid_std": kid_std,
            "precision": precision, "recall": recall}


def build_reference(directory: Path, card: dict, classifier_dir: Path | None = None) -> Reference:
    dataset = load_dataset(card)
    source = card["dataset"]
    classifier_dir = find_classifier(directory, source, classifier_dir)
    classifier = load(classifier_dir)
    if (classifier.image_size, classifier.channels) != (dataset.image_size, dataset.channels):
        raise EvalError(f"{classifier_dir} takes {classifier.image_size}x{classifier.image_size}x"
                        f"{classifier.channels} images but {source} has {dataset.image_size}x"
                        f"{dataset.image_size}x{dataset.channels}")
    train, test = dataset.split("train"), dataset.split("test")
    train_features, _ = embed(classifier, train.images, "features: train split")
    test_features, test_predicted = embed(classifier, test.images, "features: test split")
    return Reference(
        source=source, classifier_dir=classifier_dir, classifier=classifier, train=train, test=test,
        train_features=train_features, test_features=test_features,
        data_histogram=metrics.class_histogram(train.labels, len(train.class_names)),
        classifier_test_accuracy=float((test_predicted == test.labels).mean()),
        floor=sample_scores(test_features, train_features),
    )


# --- scoring ----------------------------------------------------------------------------------


def score_images(images: np.ndarray, ref: Reference) -> dict:
    """Any generator's uint8 images (N, H, W, C) -> sample metrics against the test split, with the floor."""
    expected = (ref.test.image_size, ref.test.image_size, ref.test.channels)
    if images.dtype != np.uint8 or images.ndim != 4 or tuple(images.shape[1:]) != expected:
        raise EvalError(f"samples must be uint8 (N, {expected[0]}, {expected[1]}, {expected[2]}) for {ref.source}, "
                        f"got {images.dtype} {tuple(images.shape)}")
    features, predicted = embed(ref.classifier, images, "features: samples")
    histogram = metrics.class_histogram(predicted, len(ref.data_histogram))
    return {
        "num_samples": len(images),
        **sample_scores(ref.test_features, features),
        "floor": ref.floor,
        "class_histogram": histogram.round(4).tolist(),
        "data_class_histogram": ref.data_histogram.round(4).tolist(),
        "class_kl": metrics.histogram_kl(histogram, ref.data_histogram),
        "memorisation": metrics.memorisation(ref.train_features, ref.test_features, features),
    }


def generate_batched(fn, seeds: list[int], desc: str) -> np.ndarray:
    """fn(seed_batch) -> uint8 (B, H, W, C), over all seeds in batches, with a progress bar."""
    chunks = [seeds[i:i + BATCH] for i in range(0, len(seeds), BATCH)]
    return np.concatenate([fn(chunk) for chunk in tqdm(chunks, desc=desc, unit="batch", leave=False)])


def evaluate_gan(generator: Generator, ref: Reference, num_samples: int) -> dict:
    seeds = list(range(SEED, SEED + num_samples))
    images = generate_batched(lambda s: sample(generator, s), seeds, "sampling")
    results = score_images(images, ref)
    if generator.num_classes:  # one block of seeds per class, the class forced
        per_class = num_samples // generator.num_classes
        accuracies = []
        for label in range(generator.num_classes):
            images = generate_batched(lambda s, y=label: sample(generator, s, label=y), seeds[:per_class],
                                      f"class {label}")
            _, predicted = embed(ref.classifier, images, f"classify class {label}")
            accuracies.append(float((predicted == label).mean()))
        results["conditional_accuracy"] = float(np.mean(accuracies))
        results["conditional_accuracy_per_class"] = [round(a, 4) for a in accuracies]
    return results


@torch.no_grad()
def decode_seeds(vae: nn.Module, seeds: list[int], prior: str = "standard") -> np.ndarray:
    """Seeds -> z (StyleGAN convention, or the VAE's learned prior) -> decoded means as uint8 (N, H, W, C);
    any VAE-like model (the learned prior needs `vae.prior`)."""
    if prior == "learned":
        z = torch.from_numpy(np.stack([vae.prior.latent_from_seed(s) for s in seeds]))  # (N, z_dim)
    else:
        z = torch.from_numpy(np.stack([latent_from_seed(s, vae.z_dim) for s in seeds]))
    return (vae.decode(z).clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


@torch.no_grad()
def evaluate_vae(vae: nn.Module, ref: Reference, num_samples: int) -> dict:
    """Test-split likelihood figures, latent usage, reconstructions, a linear probe, and sample metrics."""
    x_test, x_train = from_uint8(ref.test.images), from_uint8(ref.train.images)  # (N, C, H, W) in [0, 1]
    dims = int(np.prod(x_test.shape[1:]))
    with tqdm(total=5, desc="vae metrics", leave=False) as bar:
        elbo = metrics.negative_elbo(vae, x_test, seed=SEED)
        bar.update()
        iw = metrics.importance_weighted_nll(vae, x_test, k=IW_SAMPLES, seed=SEED)
        bar.update()
        mu_test = torch.cat([vae.encode(xb)[0] for xb in metrics.batched(x_test, BATCH)])  # (N_test, z_dim)
        mu_train = torch.cat([vae.encode(xb)[0] for xb in metrics.batched(x_train, BATCH)])
        active, variances = metrics.active_units(mu_test)
        bar.update()
        mse, psnr = metrics.reconstruction_error(vae, x_test)
        bar.update()
        probe = metrics.linear_probe_accuracy(mu_train, ref.train.labels, mu_test, ref.test.labels)
        bar.update()
    results = {
        "test_loss_nats": elbo["loss"], "test_recon_nats": elbo["recon"], "test_kl_nats": elbo["kl"],
        "iw_nll_nats": iw, "iw_samples": IW_SAMPLES,
        "kl_per_dim": [round(v, 4) for v in elbo["kl_per_dim"]],
        "active_units": active, "z_dim": len(variances),
        "posterior_mean_variance": [round(v, 4) for v in variances],
        "recon_mse": mse, "recon_psnr_db": psnr, "linear_probe_accuracy": probe,
    }
    likelihood = getattr(vae, "likelihood", "bernoulli")
    if likelihood == "gaussian":  # colour: a density on [0, 1] pixels -> bits/dim
        results["test_bits_per_dim"] = metrics.bits_per_dim(elbo["loss"], dims)
        results["iw_bits_per_dim"] = metrics.bits_per_dim(iw, dims)
    elif likelihood == "logistic":  # colour: already a probability of the 8-bit image -> bits/dim directly
        results["test_bits_per_dim"] = elbo["loss"] / (dims * math.log(2))
        results["iw_bits_per_dim"] = iw / (dims * math.log(2))
    seeds = list(range(SEED, SEED + num_samples))
    results["samples"] = score_images(generate_batched(lambda s: decode_seeds(vae, s), seeds, "sampling N(0, I)"),
                                      ref)
    prior = getattr(vae, "prior", None)
    if prior is not None:  # the same seeds through the learned mixture (genimg/models/prior.py); decoder unchanged
        results["prior"] = {"kind": "gaussian_mixture", "components": prior.num_components}
        results["samples_learned_prior"] = score_images(
            generate_batched(lambda s: decode_seeds(vae, s, "learned"), seeds, "sampling learned prior"), ref)
    return results


def evaluate_classifier(ref: Reference) -> dict:
    _, predicted = embed(ref.classifier, ref.test.images, "classify test split")
    per_class = [float((predicted[ref.test.labels == c] == c).mean()) if (ref.test.labels == c).any() else None
                 for c in range(len(ref.data_histogram))]
    return {"test_accuracy": float((predicted == ref.test.labels).mean()),
            "test_accuracy_per_class": [None if a is None else round(a, 4) for a in per_class],
            "feature_dim": int(ref.test_features.shape[1]), "floor": ref.floor}


def read_sample_folder(folder: Path, ref: Reference) -> np.ndarray:
    """A folder of images -> uint8 (N, H, W, C) in the dataset's channels; sizes must match exactly."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in datasets.IMAGE_SUFFIXES and p.is_file())
    if len(files) < 10:
        raise EvalError(f"--samples {folder}: found {len(files)} image(s); at least 10 are needed "
                        f"(thousands for a stable FID)")
    size, channels = ref.test.image_size, ref.test.channels
    images = []
    for path in tqdm(files, desc="reading samples", leave=False):
        try:
            with Image.open(path) as image:
                image = on_white(image)
        except (OSError, ValueError) as e:
            raise EvalError(f"--samples: cannot read {path} ({e})") from e
        if image.size != (size, size):
            raise EvalError(f"--samples: {path.name} is {image.size[0]}x{image.size[1]}; {ref.source} images "
                            f"are {size}x{size} (resize them first; the evaluator does not)")
        images.append(np.asarray(image.convert("L") if channels == 1 else image, np.uint8).reshape(size, size, -1))
    return np.stack(images)


def evaluate_checkpoint(directory: Path, num_samples: int = NUM_SAMPLES, classifier_dir: Path | None = None,
                        samples_dir: Path | None = None) -> dict:
    """A checkpoint directory (or a folder of samples scored against its dataset) -> metrics dict."""
    card = read_card(directory)
    if card["kind"] not in ("gan", "vae", "classifier") and samples_dir is None:
        raise EvalError(f"{directory}: a {card['kind']} checkpoint has nothing to evaluate; "
                        "pass a gan, vae or classifier directory")
    ref = build_reference(directory, card, classifier_dir)
    header = {"dataset": ref.source, "seed": SEED, "feature_space": f"{ref.classifier_dir} (penultimate layer, "
              f"{ref.test_features.shape[1]}-d)", "classifier_test_accuracy": ref.classifier_test_accuracy,
              "reference": f"test split ({len(ref.test)} images); floor = train split ({len(ref.train)}) vs test"}
    if samples_dir is not None:
        return {**header, "samples_dir": str(samples_dir), **score_images(read_sample_folder(samples_dir, ref), ref)}
    model = load(directory)
    if isinstance(model, Generator):
        return {**header, **evaluate_gan(model, ref, num_samples)}
    if isinstance(model, VAE):
        return {**header, **evaluate_vae(model, ref, num_samples)}
    return {**header, **evaluate_classifier(ref)}
