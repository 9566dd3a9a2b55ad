"""The machine's answer to "real or generated?": a small classifier trained to tell a model's samples from real images.

A fresh classifier of the ruler's architecture with 2 outputs (0 = real, 1 = generated) learns, with the
ruler's recipe (cas.fit_classifier), the real train split against as many samples (seeds 0..N-1, the
model's default sampling: psi 1, a conditional GAN's class drawn from the seed, a VAE's learned prior when
it has one). It is then tested on images it never saw: the real test split against as many fresh samples
(seeds N..N+M-1). Accuracy 0.5 means it cannot tell them apart, 1.0 that every image gives itself away.
AUC is the probability that a random generated image looks more "generated" to it than a random real one
(Hanley & McNeil 1982); unlike accuracy it does not depend on the 0.5 threshold.

What it is not: what a person sees. The detector reads pixel statistics no eye notices, so it usually beats
people; it is the machine's score to show beside the humans' one. It is scored and thrown away, never saved.
"""

import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from ..models import Generator
from ..sampling import resolve_prior, sample
from .cas import channels_first, fit_classifier, predict, prepare, seed_text
from .evaluator import SEED, generate_batched

CLASSES = ["real", "generated"]


def sampling_text(model, prior: str) -> str:
    if isinstance(model, Generator):
        return "psi 1" + (", class drawn from the seed (the data's class frequencies)" if model.num_classes else "")
    return f"psi 1, {prior} prior"


def detector_accuracy(directory: Path, epochs: int | None = None, classifier_dir: Path | None = None) -> dict:
    """A gan or vae checkpoint -> held-out accuracy and AUC of a real-vs-generated classifier (card.json's
    metrics.detector)."""
    start = time.monotonic()
    s = prepare(directory, epochs, classifier_dir)
    n_train, n_test = len(s.train), len(s.test)
    recipe = replace(s.recipe, train_images=2 * n_train)  # an epoch is one pass over real + generated
    prior = resolve_prior(s.model, None)  # the model's default: a VAE's learned prior when it has one
    train_seeds, test_seeds = range(SEED, SEED + n_train), range(SEED + n_train, SEED + n_train + n_test)
    fake_train = generate_batched(lambda seeds: sample(s.model, seeds), list(train_seeds), "sampling (train)")
    fake_test = generate_batched(lambda seeds: sample(s.model, seeds), list(test_seeds), "sampling (test)")
    x_train = torch.cat([channels_first(s.train.images), channels_first(fake_train)])  # (2N, C, H, W) uint8
    y_train = torch.cat([torch.zeros(n_train), torch.ones(n_train)]).long()  # 0 = real, 1 = generated
    x_test = torch.cat([channels_first(s.test.images), channels_first(fake_test)])  # (2M, C, H, W) uint8
    y_test = np.concatenate([np.zeros(n_test, np.int64), np.ones(n_test, np.int64)])

    fit_start = time.monotonic()
    detector = fit_classifier(x_train, y_train, s.architecture, 2, recipe, "detector: real vs generated")
    fit_s = round(time.monotonic() - fit_start, 1)
    p_generated = predict(detector, x_test)[:, 1]  # (2M,)
    called = (p_generated > 0.5).astype(np.int64)
    return {
        "accuracy": float((called == y_test).mean()),
        "auc": float(roc_auc_score(y_test, p_generated)),
        "real_called_real": float((called[:n_test] == 0).mean()),
        "generated_called_generated": float((called[n_test:] == 1).mean()),
        "train": {"real": f"train split ({n_train})", "generated": n_train, "seeds": seed_text(train_seeds)},
        "test": {"real": f"test split ({n_test})", "generated": n_test, "seeds": seed_text(test_seeds)},
        "sampling": sampling_text(s.model, prior),
        "prior": prior,
        "dataset": s.source,
        "architecture": f"{s.ruler_dir} (its config.json) with 2 outputs ({', '.join(CLASSES)}), trained afresh",
        "recipe": {**asdict(recipe), "steps": recipe.steps, "augment": "random shift <= 2 px",
                   "optimizer": "Adam, cosine decay to 0"},
        "epochs": recipe.epochs,
        "budget": f"{recipe.steps} steps of {recipe.batch_size} images ({recipe.epochs} epochs of real + generated)",
        "train_seconds": fit_s,
        "wall_time_s": round(time.monotonic() - start, 1),
    }
