"""Training loops for the GAN, the VAE and the metrics classifier, and the CLI over them.

Each loop is a plain function (no framework): batches from the train split, a tqdm bar with losses
and images/s, and after every epoch an atomic checkpoint, a sample grid in DIR/progress/, the loss
history in card.json and a loss-curve plot. --minutes stops at a wall-clock budget (checked every
step) for equal-budget comparisons; --resume continues from DIR/train_state.safetensors. The VAE and classifier decay
the learning rate along a cosine over the budget (epochs or minutes); the GAN keeps it constant.

Examples:
    python -m genimg.train vae --data mnist --out checkpoints/mnist/vae --epochs 60 --seed 0
    python -m genimg.train gan --data mnist --out checkpoints/mnist/gan --minutes 30 --seed 0
    python -m genimg.train classifier --data mnist --out checkpoints/mnist/classifier --epochs 8
    python -m genimg.train gan --data folder:~/pictures --out runs/mine --image-size 64 --resume
    python -m genimg.train vae --data mnist --out /tmp/try --dry-run      # a few steps, for tests
"""

import argparse
import copy
import math
import os
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from . import data as datasets
from .augment import POLICIES, VAE_POLICIES, diff_augment, parse_policy, small_affine
from .checkpoints import atomic_save_tensors, read_card, save_model
from .distributed import SINGLE, Processes, any_process, finish, start, wrap
from .images import grid, save_png, to_pil
from .models import VAE, Classifier, Discriminator, Generator
from .models.vae import kl_divergence, standardise_latents
from .plots import save_loss_curves
from .sampling import latent_from_seed, to_uint8
from .train_state import TrainStateError, load_train_state, save_train_state

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
    resume: bool = False
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


def mode_seeking_loss(fake: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """1 / (|G(z1) - G(z2)| / |z1 - z2|) for the batch's two halves (Mao et al. 2019, "Mode Seeking GANs", eq. 3).

    Without it a conditional generator tends to draw one image per class whatever z is; this term
    rewards images that move when z moves. fake: (N, C, H, W), z: (N, z_dim), N even.
    """
    fake1, fake2 = fake.chunk(2)
    z1, z2 = z.chunk(2)
    ratio = (fake1 - fake2).abs().mean() / (z1 - z2).abs().mean()
    return 1 / (ratio + 1e-5)


def train_gan(cfg: RunConfig, dataset: datasets.ImageDataset, procs: Processes) -> Path:
    """Non-saturating GAN (Goodfellow et al. 2014, sec. 3) with DiffAugment and an EMA generator."""
    device = procs.device
    train = dataset.split("train")
    images, labels = as_float(train, device)
    images = images * 2 - 1  # the GAN works in [-1, 1]
    num_classes = len(train.class_names) if cfg.conditional else 0
    prior = (train.class_counts() / len(train)).round(6).tolist()
    G = Generator(z_dim=cfg.z_dim, image_size=train.image_size, channels=train.channels, width=cfg.width,
                  num_classes=num_classes, class_names=train.class_names if num_classes else None,
                  class_prior=prior if num_classes else None).to(device)
    D = Discriminator(image_size=train.image_size, channels=train.channels, width=cfg.width,
                      num_classes=num_classes).to(device)
    G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    G_train, D_train = wrap(G, procs), wrap(D, procs)  # DDP wrappers when under torchrun
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr, betas=(0.5, 0.999))
    policy = parse_policy(cfg.augment)
    epoch, step, history, elapsed = 0, 0, [], 0.0
    if cfg.resume:
        epoch, step, history, elapsed = load_train_state(
            cfg.out / "train_state.safetensors", {"G": G, "D": D, "G_ema": G_ema}, {"opt_g": opt_g, "opt_d": opt_d})
    clock = Clock(cfg.epochs, cfg.minutes, elapsed)
    rng = torch.Generator().manual_seed(cfg.seed + epoch)  # data order: the same in every process
    noise = torch.Generator().manual_seed(cfg.seed * 1000 + 7919 * epoch + procs.rank)  # z, y: one per process
    # Fixed latents for the progress grid: one row per class (or 8 rows), seeds 0..9.
    rows = num_classes or 8
    fixed_z = torch.from_numpy(np.stack([latent_from_seed(s, cfg.z_dim) for s in range(10)] * rows)).to(device)
    fixed_y = torch.arange(rows, device=device).repeat_interleave(10) if num_classes else None
    ema_beta = 0.5 ** (cfg.batch_size / (cfg.ema_kimg * 1000))  # StyleGAN2-ADA's EMA half-life in images

    def random_labels(n):
        return torch.multinomial(torch.tensor(prior), n, replacement=True, generator=noise).to(device)

    while clock.more_epochs(epoch):
        G.train(), D.train()
        bar = epoch_bar("gan", epoch, images, labels, cfg, rng, procs)
        sums, count, t0 = {"loss_d": 0.0, "loss_g": 0.0, "d_real": 0.0, "d_fake": 0.0}, 0, time.monotonic()
        for real, y in bar:
            y = y if num_classes else None
            z = torch.randn(len(real), cfg.z_dim, generator=noise).to(device)
            # Fake labels come in two equal halves, so each z1 in the first half has a partner z2 of the same class.
            y_fake = random_labels(len(real) // 2).repeat(2) if num_classes else None
            # Discriminator: maximise log D(x) + log(1 - D(G(z)))  ==  minimise softplus(-D(x)) + softplus(D(G(z)))
            fake = G_train(z, y_fake)  # (N, C, H, W)
            both = torch.cat([diff_augment(real, policy), diff_augment(fake.detach(), policy)])  # (2N, C, H, W)
            d_real, d_fake = D_train(both, torch.cat([y, y_fake]) if num_classes else None).chunk(2)
            loss_d = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            # Generator, non-saturating: minimise -log D(G(z)) == softplus(-D(G(z)))
            loss_g = F.softplus(-D_train(diff_augment(fake, policy), y_fake)).mean()
            if cfg.mode_seeking:
                loss_g = loss_g + cfg.mode_seeking * mode_seeking_loss(fake, z)
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            with torch.no_grad():  # EMA of the generator, ramped up over the first images (StyleGAN2-ADA)
                beta = min(ema_beta, 0.5 ** (cfg.batch_size / max(step * cfg.batch_size * 0.05, 1e-8)))
                for p_ema, p in zip(G_ema.parameters(), G.parameters()):
                    p_ema.lerp_(p, 1 - beta)
                for b_ema, b in zip(G_ema.buffers(), G.buffers()):
                    b_ema.copy_(b)
            step, count = step + 1, count + 1
            for k, v in (("loss_d", loss_d), ("loss_g", loss_g), ("d_real", d_real.mean()), ("d_fake", d_fake.mean())):
                sums[k] += v.item()
            rate = count * cfg.batch_size / (time.monotonic() - t0)
            bar.set_postfix(loss_d=f"{loss_d.item():.3f}", loss_g=f"{loss_g.item():.3f}", img_s=f"{rate:.0f}")
            if any_process(clock.out_of_time() or (cfg.dry_run and count >= 3), procs):
                break
        epoch += 1
        history.append({"epoch": epoch, **{k: round(v / max(count, 1), 4) for k, v in sums.items()},
                        "images_per_s": round(rate * procs.world_size, 1)})
        if not procs.is_main:
            continue
        tqdm.write(f"gan epoch {epoch}: " + ", ".join(f"{k} {v}" for k, v in history[-1].items() if k != "epoch"))
        with torch.no_grad():
            progress = grid(to_uint8(G_ema(fixed_z, fixed_y), low=-1.0), columns=10)
        card = card_for(cfg, dataset, clock, device, epoch, step, history,
                        {"parameters": sum(p.numel() for p in G.parameters()), "augment": cfg.augment,
                         "ema_kimg": cfg.ema_kimg, "mode_seeking": cfg.mode_seeking,
                         "conditional": bool(num_classes)})
        state = {"nets": {"G": G, "D": D, "G_ema": G_ema}, "optimizers": {"opt_g": opt_g, "opt_d": opt_d},
                 "epoch": epoch, "step": step, "history": history, "elapsed": clock.elapsed}
        finish_epoch(cfg, G_ema, card, progress, epoch, state)
        save_model(D, cfg.out / "discriminator", {"dataset": cfg.data, "epochs": epoch, "steps": step,
                                                  "note": "the discriminator trained with this generator"})
        if cfg.dry_run:
            break
    return cfg.out


@torch.no_grad()
def vae_test_loss(vae: VAE, images: torch.Tensor, batch_size: int = 500) -> tuple[float, float]:
    """Mean negative ELBO terms (recon, KL) per test image, nats, with a fixed noise seed."""
    vae.eval()
    state = torch.random.get_rng_state()
    torch.manual_seed(1234)
    recon = kl = 0.0
    for i in range(0, len(images), batch_size):
        r, k = vae.loss(images[i:i + batch_size])
        recon, kl = recon + float(r.sum()), kl + float(k.sum())
    torch.random.set_rng_state(state)
    vae.train()
    return recon / len(images), kl / len(images)


@torch.no_grad()
def posteriors(vae: VAE, images: torch.Tensor, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """Posterior means and log-variances of every image, (N, z_dim) each."""
    mu, logvar = zip(*(vae.encode(images[i:i + batch_size]) for i in range(0, len(images), batch_size)))
    return torch.cat(mu), torch.cat(logvar)


@torch.no_grad()
def save_latent_stats(vae: VAE, test: datasets.ImageDataset, path: Path) -> None:
    """The test split's posterior means/log-variances, labels, and mean KL per latent dimension.

    The app orders its sliders by kl_per_dim and draws the latent map from test_mu, without the dataset.
    """
    images, labels = as_float(test, next(vae.parameters()).device)
    mu, logvar = posteriors(vae, images)
    atomic_save_tensors(path, {"test_mu": mu, "test_logvar": logvar, "test_labels": labels,
                               "kl_per_dim": kl_divergence(mu, logvar).mean(0)})


def train_vae(cfg: RunConfig, dataset: datasets.ImageDataset, procs: Processes) -> Path:
    """Maximise the ELBO E_q[log p(x|z)] - KL(q(z|x) || p(z)) (Kingma & Welling 2014)."""
    device = procs.device
    train, test = dataset.split("train"), dataset.split("test")
    images, labels = as_float(train, device)
    test_images, _ = as_float(test, device)
    likelihood = "bernoulli" if train.channels == 1 else "logistic"  # logistic: exact bits/dim on 8-bit colour
    vae = VAE(z_dim=cfg.z_dim, image_size=train.image_size, channels=train.channels, width=cfg.width,
              likelihood=likelihood, class_names=train.class_names).to(device)
    vae_train = wrap(vae, procs)
    opt = torch.optim.Adam(vae.parameters(), lr=cfg.lr)
    affine = "affine" in parse_policy(cfg.augment, VAE_POLICIES)
    epoch, step, history, elapsed = 0, 0, [], 0.0
    if cfg.resume:
        epoch, step, history, elapsed = load_train_state(cfg.out / "train_state.safetensors", {"vae": vae},
                                                         {"opt": opt})
    clock = Clock(cfg.epochs, cfg.minutes, elapsed)
    rng = torch.Generator().manual_seed(cfg.seed + epoch)
    torch.manual_seed(cfg.seed + epoch)
    fixed_z = torch.from_numpy(np.stack([latent_from_seed(s, cfg.z_dim) for s in range(64)])).to(device)
    while clock.more_epochs(epoch):
        vae.train()
        bar = epoch_bar("vae", epoch, images, labels, cfg, rng, procs)
        sums, count, t0 = {"recon": 0.0, "kl": 0.0}, 0, time.monotonic()
        for x, _ in bar:
            if affine:
                x = small_affine(x, rng)  # regularises: 9,000 digits are few for this network
            out, mu, logvar = vae_train(x)  # z = mu + sigma * eps inside (reparameterisation)
            recon, kl = vae.reconstruction_nll(out, x), kl_divergence(mu, logvar).sum(1)  # (N,), (N,)
            loss = (recon + kl).mean()  # negative ELBO per image
            set_cosine_lr(opt, cfg.lr, clock.progress(step, len(images) // procs.world_size // cfg.batch_size))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step, count = step + 1, count + 1
            sums["recon"] += recon.mean().item()
            sums["kl"] += kl.mean().item()
            rate = count * cfg.batch_size / (time.monotonic() - t0)
            bar.set_postfix(loss=f"{loss.item():.2f}", kl=f"{kl.mean().item():.2f}", img_s=f"{rate:.0f}")
            if any_process(clock.out_of_time() or (cfg.dry_run and count >= 3), procs):
                break
        epoch += 1
        if not procs.is_main:
            continue
        test_recon, test_kl = vae_test_loss(vae, test_images)
        row = {"epoch": epoch, "loss": round((sums["recon"] + sums["kl"]) / max(count, 1), 3),
               "recon": round(sums["recon"] / max(count, 1), 3), "kl": round(sums["kl"] / max(count, 1), 3),
               "test_loss": round(test_recon + test_kl, 3), "test_recon": round(test_recon, 3),
               "test_kl": round(test_kl, 3), "images_per_s": round(rate * procs.world_size, 1)}
        history.append(row)
        tqdm.write(f"vae epoch {epoch}: " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "epoch"))
        vae.eval()
        # The saved model: the same network with its latent rescaled to fit the prior (see standardise_latents).
        saved = standardise_latents(vae, *posteriors(vae, images)).eval()
        saved_recon, saved_kl = vae_test_loss(saved, test_images)
        with torch.no_grad():
            progress = grid(to_uint8(saved.decode(fixed_z), low=0.0), columns=8)
        card = card_for(cfg, dataset, clock, device, epoch, step, history,
                        {"parameters": sum(p.numel() for p in vae.parameters()), "likelihood": likelihood,
                         "augment": cfg.augment,
                         "latent_standardisation": {"test_kl_nats_before": round(test_kl, 3),
                                                    "test_kl_nats_after": round(saved_kl, 3)},
                         "metrics": {"test_loss_nats": round(saved_recon + saved_kl, 3)}})
        state = {"nets": {"vae": vae}, "optimizers": {"opt": opt}, "epoch": epoch, "step": step,
                 "history": history, "elapsed": clock.elapsed}
        finish_epoch(cfg, saved, card, progress, epoch, state)
        save_latent_stats(saved, test, cfg.out / "latents.safetensors")
        if cfg.dry_run:
            break
    return cfg.out


@torch.no_grad()
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


TRAINERS = {"gan": train_gan, "vae": train_vae, "classifier": train_classifier}
DEFAULTS = {  # per kind: batch size, learning rate, z_dim, width, augment
    "gan": dict(batch_size=64, lr=2e-4, z_dim=64, width=64, augment="translation"),
    "vae": dict(batch_size=128, lr=3e-3, z_dim=16, width=32, augment="affine"),
    "classifier": dict(batch_size=128, lr=1e-3, z_dim=0, width=32, augment=""),  # it shifts its own batches
}
ACCEPTED_AUGMENT = {"gan": POLICIES, "vae": VAE_POLICIES, "classifier": ()}


def train(cfg: RunConfig) -> Path:
    """Load the data, pick the device, run the loop for cfg.kind; returns the checkpoint directory."""
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    dataset = datasets.load(cfg.data, image_size=cfg.image_size)
    train_images = len(dataset.split("train"))
    processes = int(os.environ.get("WORLD_SIZE", "1"))  # torchrun shards each epoch across processes
    if train_images // processes < cfg.batch_size:
        raise UsageError(f"--batch-size {cfg.batch_size} (per process) is more than the {train_images} train images "
                         f"of {cfg.data} shared by {processes} process(es); use a smaller --batch-size")
    if cfg.resume and not (cfg.out / "train_state.safetensors").exists():
        raise UsageError(f"--resume: {cfg.out / 'train_state.safetensors'} does not exist; "
                         "train without --resume first")
    if cfg.resume and (cfg.out / "card.json").is_file():
        cfg.earlier_commands = list(read_card(cfg.out).get("commands") or [read_card(cfg.out).get("command", "?")])
    procs = start(pick_device())
    cfg.world_size = procs.world_size
    if procs.is_main:
        print(f"{cfg.kind} on {dataset.name}: {train_images} train images, device {procs.device}, "
              f"{procs.world_size} process(es) x batch {cfg.batch_size}", file=sys.stderr)
    try:
        return TRAINERS[cfg.kind](cfg, dataset, procs)
    finally:
        finish(procs)


def parse_args(argv: list[str] | None = None) -> RunConfig:
    parser = argparse.ArgumentParser(prog="python -m genimg.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=sorted(TRAINERS))
    parser.add_argument("--data", required=True, help="mnist | emoji | idx:DIR | folder:DIR")
    parser.add_argument("--out", required=True, type=Path, help="checkpoint directory to write")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=int, help="number of passes over the train split")
    budget.add_argument("--minutes", type=float, help="wall-clock budget; stops mid-epoch when spent")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, help="images per step (per process)")
    parser.add_argument("--lr", type=float, help="Adam learning rate")
    parser.add_argument("--z-dim", type=int, help="latent size (gan, vae)")
    parser.add_argument("--width", type=int, help="base channel count of the networks")
    parser.add_argument("--image-size", type=int, choices=(28, 32, 64), help="folder: sources only (default 64)")
    parser.add_argument("--unconditional", action="store_true", help="gan: ignore the labels")
    parser.add_argument("--augment", help="gan: DiffAugment policy from color,translation,cutout (default "
                        "translation); vae: affine (default: small rotations and scalings) or '' for none")
    parser.add_argument("--ema-kimg", type=float, default=10.0, help="gan: EMA half-life in thousands of images")
    parser.add_argument("--mode-seeking", type=float, default=0.25,
                        help="gan: weight of the mode-seeking term against one-image-per-class collapse (0 = off)")
    parser.add_argument("--resume", action="store_true", help="continue from DIR/train_state.safetensors")
    parser.add_argument("--dry-run", action="store_true", help="3 steps of one epoch, then save (for tests)")
    args = parser.parse_args(argv)
    # `is None`, not `or`: an explicit 0 must reach the checks below instead of becoming the default
    tuned = {k: DEFAULTS[args.kind][k] if getattr(args, k) is None else getattr(args, k)
             for k in ("batch_size", "lr", "z_dim", "width", "augment")}
    cfg = RunConfig(
        kind=args.kind, data=args.data, out=args.out.expanduser(), epochs=args.epochs, minutes=args.minutes,
        seed=args.seed, image_size=args.image_size, **tuned,
        conditional=not args.unconditional, ema_kimg=args.ema_kimg, resume=args.resume,
        mode_seeking=args.mode_seeking,
        dry_run=args.dry_run,
        command="python -m genimg.train " + shlex.join(argv if argv is not None else sys.argv[1:]),
    )
    if cfg.epochs is None and cfg.minutes is None:
        cfg.epochs = 1 if cfg.dry_run else DEFAULT_EPOCHS[cfg.kind]
    checks = [
        (cfg.epochs is not None and cfg.epochs < 1, f"--epochs must be at least 1, got {cfg.epochs}"),
        (cfg.minutes is not None and not (0 < cfg.minutes < math.inf),
         f"--minutes must be positive, got {cfg.minutes}"),
        (cfg.batch_size < 2, f"--batch-size must be at least 2, got {cfg.batch_size}"),
        (cfg.kind == "gan" and cfg.batch_size % 2, f"--batch-size must be even for a gan, got {cfg.batch_size}"),
        (not (0 <= cfg.mode_seeking < math.inf), f"--mode-seeking must be >= 0, got {cfg.mode_seeking}"),
        (not (0 < cfg.lr < 1), f"--lr must be in (0, 1), got {cfg.lr}"),
        (cfg.kind != "classifier" and not (1 <= cfg.z_dim <= 512), f"--z-dim must be 1..512, got {cfg.z_dim}"),
        (not (4 <= cfg.width <= 512), f"--width must be 4..512, got {cfg.width}"),
        (cfg.seed < 0, f"--seed must be non-negative, got {cfg.seed}"),
    ]
    for bad, message in checks:
        if bad:
            parser.error(message)
    try:
        parse_policy(cfg.augment, ACCEPTED_AUGMENT[cfg.kind])
    except ValueError as e:
        parser.error(f"--augment: {e}")
    return cfg


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    try:
        out = train(cfg)
    except (datasets.DataError, UsageError, TrainStateError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
