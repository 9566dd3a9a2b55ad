"""What the three training loops share: the run's settings, the wall-clock budget, batches, the card
and the end-of-epoch save. Not here: any loss or model (gan.py, vae.py, classifier.py).
"""

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .. import data as datasets
from ..checkpoints import save_model
from ..images import save_png, to_pil
from ..plots import save_loss_curves
from .distributed import SINGLE, Processes
from .state import save_train_state

DEFAULT_EPOCHS = {"gan": 30, "vae": 60, "classifier": 8}


class UsageError(Exception):
    """A bad command line; the message says what is accepted."""


@dataclass
class RunConfig:
    kind: str
    data: str
    out: Path
    epochs: int | None = None
    minutes: float | None = None
    seed: int = 0
    batch_size: int = 64
    lr: float = 2e-4
    z_dim: int = 64
    width: int = 64
    image_size: int | None = None
    conditional: bool = True
    augment: str = ""  # gan: DiffAugment policy; vae: "affine" or ""
    ema_kimg: float = 10.0
    mode_seeking: float = 0.25
    r1: float = 0.0  # gan: R1 gamma (lazy, every R1_EVERY steps); 0 = off
    classify: float = 0.0  # gan: weight of the auxiliary-classifier loss (AC-GAN); 0 = off
    reconstruct: float = 0.0  # gan: weight of D's reconstruction loss (FastGAN); 0 = off
    resume: bool = False
    init_from: Path | None = None  # gan: start from this checkpoint's weights (fine-tuning), not from scratch
    init_card: dict = field(default_factory=dict)  # what that checkpoint's card says (its lineage, for ours)
    world_size: int = 1
    earlier_commands: list[str] = field(default_factory=list)  # from card.json when resuming
    dry_run: bool = False
    command: str = ""


def pick_device() -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


class Clock:
    """Epoch and wall-clock budget; wall time accumulates across --resume."""

    def __init__(self, epochs: int | None, minutes: float | None, elapsed: float = 0.0):
        self.epochs, self.minutes, self.before, self.start = epochs, minutes, elapsed, time.monotonic()

    @property
    def elapsed(self) -> float:
        return self.before + time.monotonic() - self.start

    def out_of_time(self) -> bool:
        return self.minutes is not None and self.elapsed >= self.minutes * 60

    def progress(self, step: int, steps_per_epoch: int) -> float:
        """Fraction of the budget spent, by epochs or by minutes, whichever is further along."""
        by_epochs = step / (self.epochs * steps_per_epoch) if self.epochs else 0.0
        by_time = self.elapsed / (self.minutes * 60) if self.minutes else 0.0
        return min(1.0, max(by_epochs, by_time))

    def more_epochs(self, epoch: int) -> bool:
        return (self.epochs is None or epoch < self.epochs) and not self.out_of_time()


def set_cosine_lr(opt: torch.optim.Optimizer, base_lr: float, progress: float) -> None:
    """Cosine decay from base_lr to 0 over the budget (Loshchilov & Hutter 2017, without restarts)."""
    for group in opt.param_groups:
        group["lr"] = base_lr * 0.5 * (1 + math.cos(math.pi * progress))


def batches(images: torch.Tensor, labels: torch.Tensor, batch_size: int, generator: torch.Generator,
            procs: Processes = SINGLE):
    """Shuffled full batches of (images, labels) for one epoch; each process takes its own shard.

    Every process draws the same permutation (same seed), then keeps every world_size-th index from
    its rank, as torch.utils.data.DistributedSampler does.
    """
    order = torch.randperm(len(images), generator=generator)
    order = order[: len(order) // procs.world_size * procs.world_size][procs.rank::procs.world_size]
    for i in range(0, len(order) - batch_size + 1, batch_size):
        idx = order[i:i + batch_size]
        yield images[idx], labels[idx]


def epoch_bar(kind: str, epoch: int, images, labels, cfg: RunConfig, rng: torch.Generator, procs: Processes):
    """This process's batches for one epoch, behind a tqdm bar (shown by rank 0 only)."""
    return tqdm(batches(images, labels, cfg.batch_size, rng, procs), desc=f"{kind} epoch {epoch + 1}",
                total=len(images) // procs.world_size // cfg.batch_size, unit="batch", leave=False,
                disable=not procs.is_main)


def as_float(dataset: datasets.ImageDataset, device) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 (N, H, W, C) -> float (N, C, H, W) in [0, 1] on device, labels (N,)."""
    x = torch.from_numpy(dataset.images).permute(0, 3, 1, 2).float().div_(255.0)
    return x.to(device), torch.from_numpy(dataset.labels).to(device)


@torch.no_grad()
def posteriors(vae, images: torch.Tensor, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """A VAE's posterior means and log-variances of every image (N, C, H, W), (N, z_dim) each."""
    mu, logvar = zip(*(vae.encode(images[i:i + batch_size]) for i in range(0, len(images), batch_size)))
    return torch.cat(mu), torch.cat(logvar)


def card_for(cfg: RunConfig, dataset, clock: Clock, device, epoch: int, step: int, history: list, extra: dict):
    last = history[-1] if history else {}
    return {
        "dataset": cfg.data,
        "image_shape": [dataset.image_size, dataset.image_size, dataset.channels],
        "class_names": dataset.class_names,
        "split": "train = indices i % 10 != 9, test = i % 10 == 9 (source order)",
        "train_images": len(dataset.split("train")),
        "command": cfg.command,
        "commands": cfg.earlier_commands + [cfg.command],  # every invocation, --resume runs included
        "seed": cfg.seed,
        "epochs": epoch,
        "steps": step,
        "batch_size": cfg.batch_size,
        "wall_time_s": round(clock.elapsed, 1),
        "device": str(device),
        "processes": cfg.world_size,
        "torch": torch.__version__,
        "final_losses": {k: v for k, v in last.items() if k != "epoch"},
        "history": history,
        **extra,
    }


def finish_epoch(cfg, model, card, progress_grid: np.ndarray | None, epoch: int, state: dict) -> None:
    """Everything written after an epoch, each file atomically: the model first, so a new checkpoint
    directory is complete before anything else appears in it, then the state for --resume, then pictures."""
    save_model(model, cfg.out, card)
    save_train_state(cfg.out / "train_state.safetensors", state)
    if progress_grid is not None:
        image = to_pil(progress_grid)
        save_png(image, cfg.out / "progress" / f"epoch{epoch:04d}.png")
        save_png(image, cfg.out / "samples.png")
    save_loss_curves(card["history"], cfg.out / "loss_curves.png", cfg.kind, f"{cfg.kind} on {cfg.data}")
