"""The GAN training loop: non-saturating loss, DiffAugment, EMA generator, mode-seeking term, and the
optional regularisers the pilots compared: lazy R1, an auxiliary class loss, D's self-reconstruction.

One plain function over the train split; the CLI (__main__.py) calls it.
"""

import copy
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from .. import data as datasets
from ..checkpoints import load, save_model
from ..data.augment import diff_augment, parse_policy
from ..images import grid
from ..models import Discriminator, Generator
from ..sampling import latent_from_seed, to_uint8
from .common import Clock, RunConfig, as_float, card_for, epoch_bar, finish_epoch
from .distributed import Processes, any_process, wrap
from .state import TrainStateError, load_train_state


def mode_seeking_loss(fake: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """1 / (|G(z1) - G(z2)| / |z1 - z2|) for the batch's two halves (Mao et al. 2019, "Mode Seeking GANs", eq. 3).

    Without it a conditional generator tends to draw one image per class whatever z is; this term
    rewards images that move when z moves. fake: (N, C, H, W), z: (N, z_dim), N even.
    """
    fake1, fake2 = fake.chunk(2)
    z1, z2 = z.chunk(2)
    ratio = (fake1 - fake2).abs().mean() / (z1 - z2).abs().mean()
    return 1 / (ratio + 1e-5)


R1_EVERY = 16  # lazy regularisation (Karras et al. 2020, StyleGAN2 sec. 3.1): R1 every 16 D steps, scaled by 16


def r1_penalty(D, real: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    """R1 = E |grad_x D(x)|^2 on real images (Mescheder et al. 2018): D's surface kept flat around the data."""
    real = real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(real, labels).sum(), real, create_graph=True)
    return grad.square().sum(dim=(1, 2, 3)).mean()


def start_from(checkpoint: Path, G: Generator, D: Discriminator) -> None:
    """--init-from: G takes the checkpoint's (EMA) generator; D its discriminator/ when saved, except for heads the
    old run did not have (they start fresh). Other sizes or classes than this run's: a TrainStateError."""
    def copy_into(net, saved, heads_ok: bool):
        missing, unexpected = net.load_state_dict(saved.state_dict(), strict=False)
        fresh = [k for k in missing if not (heads_ok and k.startswith(("classifier.", "decoder.")))]
        if fresh or unexpected:
            raise TrainStateError(f"--init-from {checkpoint}: its {type(net).__name__} does not fit this run "
                                  f"(missing {fresh[:3]}, unexpected {unexpected[:3]}); use its --width, --z-dim")
    try:
        copy_into(G, load(checkpoint), heads_ok=False)
        if (checkpoint / "discriminator" / "card.json").is_file():
            copy_into(D, load(checkpoint / "discriminator"), heads_ok=True)
    except RuntimeError as e:  # a tensor of another shape
        first = (str(e).split("\n\t")[1:2] or [str(e)[:300]])[0].strip().rstrip(".")
        raise TrainStateError(f"--init-from {checkpoint}: does not fit this run ({first}); "
                              "use the options it was trained with (--width, --z-dim, image size)") from e


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
                      num_classes=num_classes, classify=bool(cfg.classify and num_classes),
                      reconstruct=bool(cfg.reconstruct)).to(device)
    if cfg.init_from is not None:
        start_from(cfg.init_from, G, D)
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
            # classes, redrawn: D's optional heads (None when off)
            d_out, classes, redrawn = D_train(both, torch.cat([y, y_fake]) if num_classes else None, heads=True)
            d_real, d_fake = d_out.chunk(2)
            loss_d = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
            if classes is not None:  # AC-GAN: D also names the class of real images
                loss_d = loss_d + cfg.classify * F.cross_entropy(classes[:len(real)], y)
            if redrawn is not None:  # FastGAN: D redraws the real images it saw, at half size
                target = F.interpolate(both[:len(real)], size=redrawn.shape[-1], mode="area")
                loss_d = loss_d + cfg.reconstruct * F.mse_loss(redrawn[:len(real)], target)
            if cfg.r1 and step % R1_EVERY == 0:
                loss_d = loss_d + cfg.r1 / 2 * R1_EVERY * r1_penalty(D_train, both[:len(real)], y)
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            # Generator, non-saturating: minimise -log D(G(z)) == softplus(-D(G(z)))
            g_out, g_classes, _ = D_train(diff_augment(fake, policy), y_fake, heads=True)
            loss_g = F.softplus(-g_out).mean()
            if g_classes is not None:  # AC-GAN: G is rewarded when D names the class it was asked for
                loss_g = loss_g + cfg.classify * F.cross_entropy(g_classes, y_fake)
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
                         "r1": cfg.r1, "classify": cfg.classify, "reconstruct": cfg.reconstruct,
                         **({"init_from": cfg.init_card} if cfg.init_card else {}),
                         "conditional": bool(num_classes)})
        state = {"nets": {"G": G, "D": D, "G_ema": G_ema}, "optimizers": {"opt_g": opt_g, "opt_d": opt_d},
                 "epoch": epoch, "step": step, "history": history, "elapsed": clock.elapsed}
        finish_epoch(cfg, G_ema, card, progress, epoch, state)
        save_model(D, cfg.out / "discriminator", {"dataset": cfg.data, "epochs": epoch, "steps": step,
                                                  "note": "the discriminator trained with this generator"})
        if cfg.dry_run:
            break
    return cfg.out
