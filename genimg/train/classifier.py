"""The metrics classifier's training loop: the dataset's own ruler for FID/KID/precision/recall.
"""

import time
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from .. import data as datasets
from ..models import Classifier
from .common import Clock, RunConfig, as_float, card_for, epoch_bar, finish_epoch, set_cosine_lr
from .distributed import Processes, any_process, wrap
from .state import load_train_state


def accuracy(model: Classifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    correct = sum(int((model(images[i:i + 500]).argmax(1) == labels[i:i + 500]).sum())
                  for i in range(0, len(images), 500))
    model.train()
    return correct / max(len(images), 1)


def random_shift(x: torch.Tensor, generator: torch.Generator, pixels: int = 2) -> torch.Tensor:
    """Shift each image by up to `pixels` in x and y (training augmentation for the classifier)."""
    dy, dx = (int(v) for v in torch.randint(-pixels, pixels + 1, (2,), generator=generator))
    return torch.roll(x, shifts=(dy, dx), dims=(2, 3))


def train_classifier(cfg: RunConfig, dataset: datasets.ImageDataset, procs: Processes) -> Path:
    device = procs.device
    train, test = dataset.split("train"), dataset.split("test")
    images, labels = as_float(train, device)
    test_images, test_labels = as_float(test, device)
    model = Classifier(num_classes=len(train.class_names), image_size=train.image_size, channels=train.channels,
                       class_names=train.class_names).to(device)
    model_train = wrap(model, procs)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    epoch, step, history, elapsed = 0, 0, [], 0.0
    if cfg.resume:
        epoch, step, history, elapsed = load_train_state(cfg.out / "train_state.safetensors", {"model": model},
                                                         {"opt": opt})
    clock = Clock(cfg.epochs, cfg.minutes, elapsed)
    rng = torch.Generator().manual_seed(cfg.seed + epoch)
    torch.manual_seed(cfg.seed + epoch)
    while clock.more_epochs(epoch):
        model.train()
        bar = epoch_bar("classifier", epoch, images, labels, cfg, rng, procs)
        total, count, t0 = 0.0, 0, time.monotonic()
        for x, y in bar:
            loss = F.cross_entropy(model_train(random_shift(x, rng)), y)
            set_cosine_lr(opt, cfg.lr, clock.progress(step, len(images) // procs.world_size // cfg.batch_size))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step, count, total = step + 1, count + 1, total + loss.item()
            rate = count * cfg.batch_size / (time.monotonic() - t0)
            bar.set_postfix(loss=f"{loss.item():.3f}", img_s=f"{rate:.0f}")
            if any_process(clock.out_of_time() or (cfg.dry_run and count >= 3), procs):
                break
        epoch += 1
        if not procs.is_main:
            continue
        acc = accuracy(model, test_images, test_labels)
        history.append({"epoch": epoch, "loss": round(total / max(count, 1), 4), "test_accuracy": round(acc, 4),
                        "images_per_s": round(rate * procs.world_size, 1)})
        tqdm.write(f"classifier epoch {epoch}: loss {history[-1]['loss']}, test accuracy {acc:.4f}")
        card = card_for(cfg, dataset, clock, device, epoch, step, history,
                        {"parameters": sum(p.numel() for p in model.parameters()),
                         "metrics": {"test_accuracy": round(acc, 4)}})
        state = {"nets": {"model": model}, "optimizers": {"opt": opt}, "epoch": epoch, "step": step,
                 "history": history, "elapsed": clock.elapsed}
        finish_epoch(cfg, model, card, None, epoch, state)
        if cfg.dry_run:
            break
    return cfg.out
