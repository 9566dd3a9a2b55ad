"""Classification Accuracy Score (Ravuri & Vinyals 2019): train a classifier on generated images only, test on real.

CAS asks a class-conditional generator for images of every class (balanced: seed s is asked for class
s mod K, seeds 0..N-1, N = the size of the real train split), trains a fresh classifier of the ruler's
architecture (genimg/models/classifier.py) on those images and the asked labels alone, and scores it on
the real test split. Beside it, with the same recipe and the same number of steps: the same classifier
trained on the real train split ("real"), and on real + generated. A model whose class-k samples carry
what makes real images class k scores near "real"; one that is sharp but off-class, or covers only part
of each class, scores lower, even when its FID is good.

Unconditional models (the VAEs) cannot be asked for a class: their samples (seeds 0..N-1, from each
prior the VAE has) are labelled by the ruler's argmax. That CAS measures something weaker: a classifier
can only learn back the ruler's own reading of the samples, and the class mix is the VAE's, not balanced.

Accuracy is reported plain (share of test images right, as in the paper) and balanced (mean over classes
of per-class accuracy), because a balanced training set meets an imbalanced test split on emoji.

What it is not: a realism score a person would give (see detect.py), nor a likelihood. The classifiers
trained here are scored and thrown away, never saved. The training loop is fit_classifier (one function).
"""

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from .. import data as datasets
from ..checkpoints import load, read_card
from ..models import VAE, Classifier, Generator
from ..sampling import generate, latents_for_seeds, sample
from ..train.classifier import random_shift
from ..train.cli import DEFAULTS as TRAIN_DEFAULTS
from ..train.common import batches, set_cosine_lr
from .evaluator import BATCH, SEED, EvalError, embed, find_classifier, generate_batched, load_dataset

ASKED_LABELS_NOTE = "labels are the classes the generator was asked for: seed s -> class s mod K"
RULER_LABELS_NOTE = ("labels are the ruler's argmax (the model cannot be asked for a class): this CAS measures "
                     "only how well a classifier learns back the ruler's reading of the samples, a weaker claim "
                     "than CAS with asked labels")


@dataclass(frozen=True)
class Recipe:
    """How every classifier here is trained: the ruler's recipe (genimg/train/classifier.py), budget in steps.

    steps = epochs * (train_images // batch_size) for every training set, so real + generated (twice the
    images) gets the same number of steps as real alone: each of its images is seen epochs / 2 times.
    """

    epochs: int  # passes over a set the size of the real train split
    batch_size: int
    lr: float
    train_images: int
    seed: int = SEED

    @property
    def steps(self) -> int:
        return self.epochs * (self.train_images // self.batch_size)


@dataclass
class Setup:
    """What CAS and the detector share: the checkpoint, its dataset's splits, the ruler, the recipe."""

    directory: Path
    source: str  # the dataset, as card.json names it
    model: nn.Module
    train: datasets.ImageDataset
    test: datasets.ImageDataset
    ruler_dir: Path
    ruler: Classifier
    architecture: dict  # the ruler's config.json: Classifier(**architecture) is a fresh copy of its network
    ruler_epochs: int  # the ruler's own recipe
    recipe: Recipe


def prepare(directory: Path, epochs: int | None = None, classifier_dir: Path | None = None) -> Setup:
    """A gan or vae checkpoint directory -> its Setup; epochs defaults to the ruler's own (its card.json)."""
    card = read_card(directory)
    if card["kind"] not in ("gan", "vae"):
        raise EvalError(f"{directory}: a {card['kind']} checkpoint makes no images; --cas and --detect need a gan "
                        "or vae directory")
    dataset = load_dataset(card)
    ruler_dir = find_classifier(directory, card["dataset"], classifier_dir)
    ruler, ruler_card = load(ruler_dir), read_card(ruler_dir)
    architecture = json.loads((ruler_dir / "config.json").read_text(encoding="utf-8"))
    train, test = dataset.split("train"), dataset.split("test")
    if (ruler.image_size, ruler.channels) != (train.image_size, train.channels):
        raise EvalError(f"{ruler_dir} takes {ruler.image_size}x{ruler.image_size}x{ruler.channels} images but "
                        f"{card['dataset']} has {train.image_size}x{train.image_size}x{train.channels}")
    if len(train) < 2 or len(test) < 1:
        raise EvalError(f"{card['dataset']}: {len(train)} train and {len(test)} test images; CAS needs at least 2 "
                        "and 1")
    ruler_epochs = int(ruler_card.get("epochs") or 1)
    recipe = Recipe(epochs=epochs or ruler_epochs,
                    batch_size=min(int(ruler_card.get("batch_size", TRAIN_DEFAULTS["classifier"]["batch_size"])),
                                   len(train)),
                    lr=float(ruler_card.get("lr", TRAIN_DEFAULTS["classifier"]["lr"])), train_images=len(train))
    return Setup(directory, card["dataset"], load(directory), train, test, ruler_dir, ruler, architecture,
                 ruler_epochs, recipe)


# --- the training loop and its scores ------------------------------------------------------------------


def channels_first(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, C) -> uint8 (N, C, H, W); kept as bytes (an emoji train split is 167 MB, not 670)."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).contiguous()


def fit_classifier(images: torch.Tensor, labels: torch.Tensor, architecture: dict, num_classes: int,
                   recipe: Recipe, desc: str) -> Classifier:
    """uint8 images (N, C, H, W) and labels (N,) -> a fresh Classifier(**architecture) trained recipe.steps steps.

    The ruler's recipe (genimg/train/classifier.py): Adam, cross-entropy, shuffled batches, each batch shifted
    by up to 2 pixels, learning rate decayed to 0 on a cosine. Seeded: the same inputs give the same weights.
    """
    torch.manual_seed(recipe.seed)
    model = Classifier(**{**architecture, "num_classes": num_classes, "class_names": None})
    opt = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    rng = torch.Generator().manual_seed(recipe.seed)
    model.train()
    step = 0
    with tqdm(total=recipe.steps, desc=desc, unit="step", leave=False) as bar:
        while step < recipe.steps:  # passes over the set until the budget is spent
            for x, y in batches(images, labels, recipe.batch_size, rng):
                x = random_shift(x.float().div_(255.0), rng)  # (B, C, H, W) in [0, 1]
                loss = F.cross_entropy(model(x), y)
                set_cosine_lr(opt, recipe.lr, step / recipe.steps)  # Loshchilov & Hutter 2017, as the ruler
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
                bar.update()
                bar.set_postfix(loss=f"{loss.item():.3f}")
                if step == recipe.steps:
                    break
    return model.eval()


@torch.no_grad()
def predict(model: Classifier, images: torch.Tensor) -> np.ndarray:
    """uint8 images (N, C, H, W) -> class probabilities (N, K), the model in eval mode."""
    model.eval()
    return torch.cat([model(images[i:i + BATCH].float().div_(255.0)).softmax(1)
                      for i in range(0, len(images), BATCH)]).numpy()


def scores(probabilities: np.ndarray, labels: np.ndarray, num_classes: int) -> dict:
    """Accuracy (share of images right), balanced accuracy (mean per-class accuracy over the classes present)
    and per-class accuracy (None for a class absent from the test split)."""
    predicted = probabilities.argmax(1)
    per_class = [float((predicted[labels == c] == c).mean()) if (labels == c).any() else None
                 for c in range(num_classes)]
    present = [a for a in per_class if a is not None]
    return {"accuracy": float((predicted == labels).mean()), "balanced_accuracy": float(np.mean(present)),
            "per_class": [None if a is None else round(a, 4) for a in per_class]}


# --- generated training sets ---------------------------------------------------------------------------


def seed_text(seeds: range) -> str:
    return f"{seeds.start}-{seeds.stop - 1}"


def priors_of(model: nn.Module) -> list[str]:
    """The priors CAS samples from: a VAE's learned prior (if it has one) then N(0, I); a GAN's N(0, I)."""
    if isinstance(model, Generator):
        return ["standard"]
    return (["learned"] if getattr(model, "prior", None) is not None else []) + ["standard"]


def generated_set(model: nn.Module, seeds: range, prior: str, ruler: Classifier,
                  num_classes: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Seeds -> uint8 images (N, H, W, C), labels (N,), and how the labels were obtained ('asked' or 'ruler').

    A class-conditional GAN is asked for class seed mod K (balanced, round-robin); anything else samples
    with the seed alone and the ruler's argmax names the class.
    """
    seeds = list(seeds)
    if isinstance(model, Generator) and model.num_classes:
        if model.num_classes != num_classes:
            raise EvalError(f"the generator has {model.num_classes} classes, its dataset {num_classes}")
        images = generate_batched(lambda s: generate(model, latents_for_seeds(model, s), [x % num_classes for x in s]),
                                  seeds, "sampling, class = seed mod K")
        return images, np.array([s % num_classes for s in seeds]), "asked"
    if not isinstance(model, (Generator, VAE)):
        raise EvalError(f"cannot sample from a {type(model).__name__}")
    images = generate_batched(lambda s: sample(model, s, prior=prior), seeds, f"sampling ({prior} prior)")
    _, labels = embed(ruler, images, "ruler labels")
    return images, labels, "ruler"


def timed(fn, *args, **kwargs):
    start = time.monotonic()
    result = fn(*args, **kwargs)
    return result, round(time.monotonic() - start, 1)


# --- the score -----------------------------------------------------------------------------------------


def classification_accuracy_score(directory: Path, epochs: int | None = None,
                                  classifier_dir: Path | None = None) -> dict:
    """A gan or vae checkpoint -> CAS, real and real + generated accuracy on the real test split (a dict for
    card.json's metrics.cas): the model's default sampling at the top, every prior under by_prior (VAEs)."""
    start = time.monotonic()
    s = prepare(directory, epochs, classifier_dir)
    num_classes = len(s.train.class_names)
    x_train, y_train = channels_first(s.train.images), torch.from_numpy(s.train.labels).long()  # (N, C, H, W), (N,)
    x_test, y_test = channels_first(s.test.images), s.test.labels

    def fit(x: torch.Tensor, y: torch.Tensor, desc: str) -> Classifier:
        return fit_classifier(x, y, s.architecture, num_classes, s.recipe, desc)

    ruler = scores(predict(s.ruler, x_test), y_test, num_classes)
    real_model, real_s = timed(fit, x_train, y_train, "classifier on real")
    real = scores(predict(real_model, x_test), y_test, num_classes)
    seeds = range(SEED, SEED + len(s.train))  # as many samples as real train images
    by_prior = {}
    for prior in priors_of(s.model):
        images, labels, how = generated_set(s.model, seeds, prior, s.ruler, num_classes)
        x_gen, y_gen = channels_first(images), torch.from_numpy(labels).long()  # (N, C, H, W), (N,)
        gen_model, gen_s = timed(fit, x_gen, y_gen, f"classifier on generated ({prior} prior)")
        both_model, both_s = timed(fit, torch.cat([x_train, x_gen]), torch.cat([y_train, y_gen]),
                                   f"classifier on real + generated ({prior} prior)")
        cas, both = scores(predict(gen_model, x_test), y_test, num_classes), scores(predict(both_model, x_test),
                                                                                    y_test, num_classes)
        by_prior[prior] = {
            "cas": cas["accuracy"], "cas_balanced": cas["balanced_accuracy"],
            "real_plus_generated": both["accuracy"], "real_plus_generated_balanced": both["balanced_accuracy"],
            "labels": how, "prior": prior, "samples": len(seeds), "seeds": seed_text(seeds),
            "sample_class_counts": np.bincount(labels, minlength=num_classes).tolist(),
            "per_class": {"cas": cas["per_class"], "real_plus_generated": both["per_class"]},
            "train_seconds": {"generated": gen_s, "real_plus_generated": both_s},
        }
    default = next(iter(by_prior.values()))  # the model's default sampling: a VAE's learned prior when it has one
    results = {
        **{k: v for k, v in default.items() if k not in ("per_class", "train_seconds")},
        "real": real["accuracy"], "real_balanced": real["balanced_accuracy"],
        "ruler": ruler["accuracy"], "ruler_balanced": ruler["balanced_accuracy"], "ruler_epochs": s.ruler_epochs,
        "per_class": {"real": real["per_class"], **default["per_class"]},
        "dataset": s.source, "test_images": len(s.test), "train_images": len(s.train),
        "architecture": f"{s.ruler_dir} (its config.json), trained afresh for each row",
        "recipe": {**asdict(s.recipe), "steps": s.recipe.steps, "augment": "random shift <= 2 px",
                   "optimizer": "Adam, cosine decay to 0"},
        "epochs": s.recipe.epochs,
        "budget": (f"every classifier {s.recipe.steps} steps of {s.recipe.batch_size} images ({s.recipe.epochs} "
                   f"epochs of the real train split; real + generated sees each image {s.recipe.epochs / 2:g} "
                   f"times); the ruler: its own recipe"),
        "note": RULER_LABELS_NOTE if default["labels"] == "ruler" else ASKED_LABELS_NOTE,
        "train_seconds": {"real": real_s, **default["train_seconds"]},
    }
    if isinstance(s.model, VAE) or len(by_prior) > 1:
        results["by_prior"] = by_prior
    return {**results, "wall_time_s": round(time.monotonic() - start, 1)}
