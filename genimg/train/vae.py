"""The VAE training loop: the ELBO with the small-affine augmentation, cosine learning rate, the
latent statistics (KL per dimension, test-split encodings) the app orders its sliders by, and at the
end the learned sampling prior of the final weights (genimg/train/prior.py).
"""

import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .. import data as datasets
from ..checkpoints import PRIOR, atomic_save_tensors
from ..data.augment import VAE_POLICIES, parse_policy, small_affine
from ..images import grid
from ..models import VAE
from ..models.vae import kl_divergence, standardise_latents
from ..sampling import latent_from_seed, to_uint8
from .common import Clock, RunConfig, as_float, card_for, epoch_bar, finish_epoch, posteriors, set_cosine_lr
from .distributed import Processes, any_process, wrap
from .prior import CANDIDATES, fit_and_save
from .state import load_train_state


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
    (cfg.out / PRIOR).unlink(missing_ok=True)  # it describes the latents of the old weights; refitted at the end
    rng = torch.Generator().manual_seed(cfg.seed + epoch)
    torch.manual_seed(cfg.seed + epoch)
    fixed_z = torch.from_numpy(np.stack([latent_from_seed(s, cfg.z_dim) for s in range(64)])).to(device)
    saved = None  # the network as saved: latent standardised (see below)
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
    if saved is not None:  # the learned sampling prior of the final weights (a dry run: one component)
        fit_and_save(cfg.out, saved, images, candidates=(1,) if cfg.dry_run else CANDIDATES, seed=cfg.seed)
    return cfg.out
