"""`python -m genimg.train`: the command line over the three training loops.

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

A trained VAE's learned sampling prior (a Gaussian mixture over its latents, see genimg/train/prior.py)
is fitted by its own subcommand, which takes the checkpoint directory (and trains no network):
    python -m genimg.train prior checkpoints/mnist/vae [--components 1,2,4,8,16,32,64] [--seed 0]
"""

import argparse
import math
import os
import shlex
import sys
from pathlib import Path

import numpy as np
import torch

from .. import data as datasets
from ..checkpoints import CheckpointError, read_card
from ..data.augment import POLICIES, VAE_POLICIES, parse_policy
from .classifier import train_classifier
from .common import (
    DEFAULT_EPOCHS,
    RunConfig,
    UsageError,
    pick_device,
)
from .distributed import finish, start
from .gan import train_gan
from .prior import CANDIDATES, fit_checkpoint_prior
from .state import TrainStateError
from .vae import train_vae

TRAINERS = {"gan": train_gan, "vae": train_vae, "classifier": train_classifier}
DEFAULTS = {  # per kind: batch size, learning rate, z_dim, width, augment
    "gan": dict(batch_size=64, lr=2e-4, z_dim=64, width=64, augment="translation"),
    "vae": dict(batch_size=128, lr=3e-3, z_dim=16, width=32, augment="affine"),
    "classifier": dict(batch_size=128, lr=1e-3, z_dim=0, width=32, augment=""),  # it shifts its own batches
}
ACCEPTED_AUGMENT = {"gan": POLICIES, "vae": VAE_POLICIES, "classifier": ()}


REPO = Path(__file__).resolve().parents[2]


def portable_args(args: list[str]) -> list[str]:
    """The command line as card.json records it: absolute paths (also in --out=PATH and folder:/idx: sources)
    written relative to the repository, so a card never holds the training machine's own paths.

    ['--out', '/home/me/genimg/checkpoints/x'] -> ['--out', 'checkpoints/x']; a path outside the repository
    becomes '../runs/x' (relative to the repository root, where the command is meant to be run).
    """
    def relative(value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in ("folder", "idx"):
            return f"{prefix}:{relative(rest)}"
        option, eq, path = value.partition("=")
        if eq and option.startswith("--"):
            return f"{option}={relative(path)}"
        if not (value.startswith("/") or value.startswith("~")):
            return value
        return os.path.relpath(Path(value).expanduser().resolve(), REPO)
    return [relative(arg) for arg in args]


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
        saved = read_card(cfg.out)
        cfg.earlier_commands = list(saved.get("commands") or [saved.get("command", "?")])
        cfg.init_card = saved.get("init_from") or {}  # a fine-tuning run stays one
    if cfg.init_from is not None:
        source = read_card(cfg.init_from)
        if source.get("kind") != "gan":
            raise UsageError(f"--init-from {cfg.init_from}: a {source.get('kind')} checkpoint; expected a gan")
        cfg.earlier_commands = list(source.get("commands") or [source.get("command", "?")])
        cfg.init_card = {"checkpoint": portable_args([str(cfg.init_from)])[0], "epochs": source.get("epochs"),
                         "steps": source.get("steps"), "wall_time_s": source.get("wall_time_s")}
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
    parser.add_argument("kind", choices=sorted(TRAINERS), help="what to train (`prior DIR`: see below)")
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
    parser.add_argument("--r1", type=float, default=0.0,
                        help="gan: R1 gradient penalty gamma on real images, lazily every 16 steps (0 = off)")
    parser.add_argument("--classify", type=float, default=0.0,
                        help="gan: weight of the discriminator's auxiliary class loss, AC-GAN (0 = off)")
    parser.add_argument("--reconstruct", type=float, default=0.0,
                        help="gan: weight of the discriminator's self-supervised reconstruction, FastGAN (0 = off)")
    parser.add_argument("--resume", action="store_true", help="continue from DIR/train_state.safetensors")
    parser.add_argument("--init-from", type=Path, metavar="CKPT",
                        help="gan: start from this gan checkpoint's generator (and its discriminator/, when there is "
                             "one) instead of from scratch; the card keeps that checkpoint's commands and time")
    parser.add_argument("--dry-run", action="store_true", help="3 steps of one epoch, then save (for tests)")
    args = parser.parse_args(argv)
    # `is None`, not `or`: an explicit 0 must reach the checks below instead of becoming the default
    tuned = {k: DEFAULTS[args.kind][k] if getattr(args, k) is None else getattr(args, k)
             for k in ("batch_size", "lr", "z_dim", "width", "augment")}
    cfg = RunConfig(
        kind=args.kind, data=args.data, out=args.out.expanduser(), epochs=args.epochs, minutes=args.minutes,
        seed=args.seed, image_size=args.image_size, **tuned,
        conditional=not args.unconditional, ema_kimg=args.ema_kimg, resume=args.resume,
        init_from=args.init_from, mode_seeking=args.mode_seeking, r1=args.r1, classify=args.classify,
        reconstruct=args.reconstruct,
        dry_run=args.dry_run,
        command="python -m genimg.train " + shlex.join(portable_args(argv if argv is not None else sys.argv[1:])),
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
        *((not (0 <= getattr(cfg, k) < math.inf), f"--{k} must be >= 0, got {getattr(cfg, k)}")
          for k in ("r1", "classify", "reconstruct")),
        (not (0 < cfg.lr < 1), f"--lr must be in (0, 1), got {cfg.lr}"),
        (cfg.kind != "classifier" and not (1 <= cfg.z_dim <= 512), f"--z-dim must be 1..512, got {cfg.z_dim}"),
        (not (4 <= cfg.width <= 512), f"--width must be 4..512, got {cfg.width}"),
        (cfg.seed < 0, f"--seed must be non-negative, got {cfg.seed}"),
        (cfg.init_from is not None and cfg.kind != "gan", "--init-from is for gan runs only"),
        (cfg.init_from is not None and cfg.resume, "--init-from starts a new run; --resume continues one: pick one"),
        (cfg.init_from is not None and not (cfg.init_from / "card.json").is_file(),
         f"--init-from {cfg.init_from}: not a checkpoint directory (no card.json); e.g. checkpoints/emoji/gan"),
    ]
    for bad, message in checks:
        if bad:
            parser.error(message)
    try:
        parse_policy(cfg.augment, ACCEPTED_AUGMENT[cfg.kind])
    except ValueError as e:
        parser.error(f"--augment: {e}")
    return cfg


def parse_prior_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m genimg.train prior",
                                     description="Fit a VAE checkpoint's learned sampling prior (see "
                                     "genimg/train/prior.py); writes DIR/prior.safetensors and card.json's 'prior'.")
    parser.add_argument("checkpoint", type=Path, help="a VAE checkpoint directory, e.g. checkpoints/mnist/vae")
    parser.add_argument("--components", default=",".join(map(str, CANDIDATES)),
                        help="candidate numbers of mixture components, comma-separated; the held-out likelihood "
                        "picks one (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        args.components = tuple(int(k) for k in args.components.split(","))
    except ValueError:
        parser.error(f"--components must be positive integers separated by commas, e.g. 1,4,16; "
                     f"got {args.components!r}")
    if not args.components or min(args.components) < 1 or max(args.components) > 1024:
        parser.error(f"--components must be integers from 1 to 1024, got {args.components}")
    if args.seed < 0:
        parser.error(f"--seed must be non-negative, got {args.seed}")
    if not (args.checkpoint / "card.json").is_file():
        parser.error(f"{args.checkpoint}: not a checkpoint directory (no card.json); expected e.g. "
                     "checkpoints/mnist/vae")
    return args


def prior_main(argv: list[str]) -> int:
    args = parse_prior_args(argv)
    try:
        report = fit_checkpoint_prior(args.checkpoint, args.components, args.seed)
    except (datasets.DataError, UsageError, CheckpointError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{args.checkpoint / 'prior.safetensors'}: {report['components']} components, chosen by "
          f"{report['chosen_by']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["prior"]:  # a different shape: it takes a checkpoint, not --data/--out
        return prior_main(argv[1:])
    cfg = parse_args(argv)
    try:
        out = train(cfg)
    except (datasets.DataError, UsageError, TrainStateError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(out)
    return 0

