"""Seeds -> latents -> images, pure and deterministic: no gradients, no PIL, no Gradio.

The StyleGAN convention: seed s names z = np.random.RandomState(s).randn(z_dim), on any machine,
forever. Truncation multiplies z by psi. For a class-conditional GAN with no label asked for, the
label is drawn from the same RandomState after z, from the model's class prior, so the seed still
names one image. A VAE decodes the same z under its standard prior N(0, I); under its learned prior
(a Gaussian mixture, genimg/models/prior.py) the seed's z is m_k + L_k (psi * that same draw), the
component k drawn next from the same RandomState. A VAE with a learned prior uses it by default.

Discovered directions (GANSpace, see genimg/directions.py) edit a seed's latent after truncation:
z = psi * z(seed) + sum_k offsets[k] * directions[k], each direction a unit vector in z, so an offset is
counted in standard deviations of the prior along it. Seed, psi and offsets name the edited image.

Images come back as uint8 arrays (N, H, W, C) at the model's own size.
"""

import re

import numpy as np
import torch
from torch import nn

from .models import VAE, Generator

MAX_SEED = 2**32 - 1
MAX_SEEDS = 10_000
SEED_SYNTAX = ("a seed list looks like 0-31,42: integers from 0 to 4294967295, "
               "ranges 'a-b' with a <= b inclusive, separated by commas")


class SeedError(ValueError):
    """Seed text that is not a seed list."""


def parse_seeds(text: str, limit: int = MAX_SEEDS) -> list[int]:
    """'0-3,42' -> [0, 1, 2, 3, 42]. Order is kept; duplicates are kept."""
    if not isinstance(text, str) or not text.strip():
        raise SeedError(f"no seeds given; {SEED_SYNTAX}")
    seeds: list[int] = []
    for part in (p.strip() for p in text.split(",")):  # spaces around items are fine; "1 2" is not 12
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not match:
            raise SeedError(f"{part!r} is not a seed or a range; {SEED_SYNTAX}")
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) is not None else start
        if end < start:
            raise SeedError(f"range {part!r} runs backwards; {SEED_SYNTAX}")
        if end > MAX_SEED:
            raise SeedError(f"seed {end} is above {MAX_SEED}; {SEED_SYNTAX}")
        if len(seeds) + (end - start + 1) > limit:
            raise SeedError(f"more than {limit} seeds requested; ask for at most {limit}")
        seeds.extend(range(start, end + 1))
    return seeds


def latent_from_seed(seed: int, z_dim: int) -> np.ndarray:
    """Seed -> z (z_dim,) float32, the StyleGAN way."""
    return np.random.RandomState(seed).randn(z_dim).astype(np.float32)


def label_from_seed(seed: int, z_dim: int, class_prior: list[float], num_classes: int) -> int:
    """The class a seed names when no class is asked for: drawn after z from the same RandomState."""
    rs = np.random.RandomState(seed)
    rs.randn(z_dim)  # consume z first, so z is unchanged by the label draw
    p = np.asarray(class_prior, dtype=np.float64) if len(class_prior) == num_classes else None
    return int(rs.choice(num_classes, p=None if p is None else p / p.sum()))


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation between latents a and b (Shoemake 1985); falls back to lerp if parallel."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    cos = np.dot(a64, b64) / (np.linalg.norm(a64) * np.linalg.norm(b64) + 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return ((1 - t) * a64 + t * b64).astype(np.float32)
    return ((np.sin((1 - t) * omega) * a64 + np.sin(t * omega) * b64) / np.sin(omega)).astype(np.float32)


def loop_path(frames: int) -> np.ndarray:
    """(frames,) interpolation weights t for a seamless loop A -> B -> A: t = (1 - cos(2 pi i / frames)) / 2.

    Frame 0 is A, frame frames/2 is B (for an even count), and the frame after the last would be A again,
    so a player that loops shows no jump; the cosine eases in and out at both ends.
    """
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 2:
        raise ValueError(f"frames must be a whole number of at least 2, got {frames!r}")
    return (1 - np.cos(2 * np.pi * np.arange(frames) / frames)) / 2


def linear_path(frames: int) -> np.ndarray:
    """(frames,) interpolation weights from 0 (A) to 1 (B), evenly spaced: t = i / (frames - 1) (the GIF's path)."""
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 2:
        raise ValueError(f"frames must be a whole number of at least 2, got {frames!r}")
    return np.arange(frames) / (frames - 1)


def resolve_label(model: nn.Module, label: int | str | None) -> int | None:
    """A label given as index or class name -> index (None = the seed decides); ValueError if unknown."""
    if label is None or label == "any":
        return None
    num_classes = getattr(model, "num_classes", 0)
    if not num_classes or isinstance(model, VAE):
        raise ValueError(f"this {type(model).__name__} is not class-conditional; use label=None")
    names = list(getattr(model, "class_names", []) or [str(i) for i in range(num_classes)])
    if isinstance(label, str):
        if label in names:
            return names.index(label)
        if not label.isdigit():  # a digit string that is no class name is an index (the CLI's --label 3)
            raise ValueError(f"unknown class {label!r}; accepted: any, {', '.join(names)}")
        label = int(label)
    if isinstance(label, (int, np.integer)) and 0 <= label < num_classes:
        return int(label)
    raise ValueError(f"class index {label!r} out of range 0..{num_classes - 1}")


def to_uint8(x: torch.Tensor, low: float) -> np.ndarray:
    """(N, C, H, W) float in [low, 1] -> (N, H, W, C) uint8, rounded to nearest."""
    x = (x - low) / (1.0 - low)
    return (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def from_uint8(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, C) uint8 -> (N, C, H, W) float32 in [0, 1]."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4:
        raise ValueError(f"expected uint8 images (N, H, W, C), got {images.dtype} {images.shape}")
    return torch.from_numpy(images.copy()).permute(0, 3, 1, 2).float() / 255.0  # copy: inputs may be read-only


def device_of(model: nn.Module) -> torch.device:
    """Where a model's weights are; its inputs are made there (the CPU, or a GPU handler's copy on CUDA)."""
    return next(model.parameters()).device


@torch.no_grad()
def generate(model: nn.Module, z: np.ndarray, labels: list[int] | None = None) -> np.ndarray:
    """Latents (N, z_dim) [+ labels] -> uint8 images (N, H, W, C). GAN or VAE."""
    z_t = torch.from_numpy(np.ascontiguousarray(z, dtype=np.float32)).to(device_of(model))
    if isinstance(model, Generator):
        y = torch.as_tensor(labels, dtype=torch.long, device=z_t.device) if model.num_classes else None  # (N,)
        return to_uint8(model(z_t, y), low=-1.0)
    if isinstance(model, VAE):
        return to_uint8(model.decode(z_t), low=0.0)
    raise TypeError(f"cannot sample from a {type(model).__name__}; expected a GAN generator or a VAE")


def latents(seeds: list[int], z_dim: int, psi=1.0, offsets=None, directions=None) -> np.ndarray:
    """Seeds -> the latents (N, z_dim) float32 they name: psi * z(seed) + offsets @ directions.

    psi: one number, or one per seed (a truncation sweep). offsets: K numbers (standard deviations along each
    direction), or None; directions: (>= K, z_dim), the rows of directions.safetensors
    (genimg.directions.load_directions). Only the first K directions are used.
    """
    psi = np.asarray(psi, dtype=np.float32)
    if not np.isfinite(psi).all() or psi.shape not in ((), (len(seeds),)):
        raise ValueError(f"psi must be a finite number (or one per seed), got {psi.tolist()!r:.80}")
    z = np.stack([latent_from_seed(s, z_dim) for s in seeds]) if seeds else np.zeros((0, z_dim), np.float32)
    z = z * (psi[:, None] if psi.ndim else psi)  # (N, z_dim)
    if offsets is None or len(offsets) == 0:
        return z.astype(np.float32)
    offsets = np.asarray(offsets, dtype=np.float32)
    if directions is None:
        raise ValueError("direction offsets need the directions (genimg.directions.load(checkpoint_dir))")
    directions = np.asarray(directions, dtype=np.float32)
    if offsets.ndim != 1 or not np.isfinite(offsets).all():
        raise ValueError(f"offsets must be a list of finite numbers, got {offsets.tolist()!r:.80}")
    if directions.ndim != 2 or directions.shape[1] != z_dim or len(offsets) > len(directions):
        raise ValueError(f"{len(offsets)} offsets for directions of shape {directions.shape}; "
                         f"at most {len(directions)} offsets, each direction of {z_dim} numbers")
    return (z + offsets @ directions[:len(offsets)]).astype(np.float32)  # (N, z_dim)


PRIORS = ("learned", "standard")


def resolve_prior(model: nn.Module, prior: str | None) -> str:
    """Which prior a model samples from: 'learned' or 'standard' (None = learned when the VAE has one)."""
    learned = getattr(model, "prior", None) is not None
    if prior is None:
        return "learned" if learned else "standard"
    if prior not in PRIORS:
        raise ValueError(f"prior must be one of {', '.join(PRIORS)} (or None for the default), got {prior!r}")
    if prior == "learned" and not isinstance(model, VAE):
        raise ValueError(f"prior='learned' is for VAEs; a {type(model).__name__} samples from N(0, I) only")
    if prior == "learned" and not learned:
        raise ValueError("this VAE has no learned prior (no prior.safetensors beside its weights); fit one with "
                         "`python -m genimg.train prior DIR`, or use prior='standard'")
    return prior


def latents_for_seeds(model: nn.Module, seeds: list[int], psi: float = 1.0, prior: str | None = None) -> np.ndarray:
    """Seeds -> z (N, z_dim) float32 under the model's standard or learned prior, scaled by psi."""
    if not np.isfinite(psi):
        raise ValueError(f"psi must be a finite number, got {psi}")
    prior = resolve_prior(model, prior)
    if not seeds:
        return np.zeros((0, model.z_dim), np.float32)
    if prior == "learned":
        return np.stack([model.prior.latent_from_seed(s, psi) for s in seeds])
    return np.stack([latent_from_seed(s, model.z_dim) for s in seeds]) * np.float32(psi)


def sample(model: nn.Module, seeds: list[int], psi: float = 1.0, label: int | str | None = None,
           prior: str | None = None, offsets=None, directions=None) -> np.ndarray:
    """Seeds -> uint8 images (N, H, W, C). psi scales z (truncation); label picks a class (conditional GANs);
    prior picks a VAE's 'learned' or 'standard' N(0, I) prior (default: learned when the VAE has one);
    offsets move each latent along discovered directions (see `latents`; standard prior only)."""
    labels = labels_for_seeds(model, seeds, label)
    if offsets is not None and len(offsets):
        if resolve_prior(model, prior) == "learned":
            raise ValueError("direction offsets move z from N(0, I); use prior='standard' with offsets")
        return generate(model, latents(seeds, model.z_dim, psi, offsets, directions), labels)
    return generate(model, latents_for_seeds(model, seeds, psi, prior), labels)


def labels_for_seeds(model: nn.Module, seeds: list[int], label: int | str | None = None) -> list[int | None]:
    """The class each seed is drawn with (None for unconditional models)."""
    fixed = resolve_label(model, label)
    if not (isinstance(model, Generator) and model.num_classes):
        return [None] * len(seeds)
    return [fixed if fixed is not None else label_from_seed(s, model.z_dim, model.class_prior, model.num_classes)
            for s in seeds]


def interpolate(model: nn.Module, seed_a: int, seed_b: int, weights, psi: float = 1.0,
                label: int | str | None = None) -> np.ndarray:
    """Slerp from seed A's latent to seed B's at each weight t in `weights` (0 = A, 1 = B) -> (T, H, W, C) uint8.

    A conditional GAN keeps seed A's class throughout (or `label`), so only z moves.
    """
    label_a = labels_for_seeds(model, [seed_a], label)[0]
    z_a, z_b = latent_from_seed(seed_a, model.z_dim), latent_from_seed(seed_b, model.z_dim)
    z = np.stack([slerp(z_a, z_b, float(t)) for t in weights]) * np.float32(psi)  # (T, z_dim)
    return generate(model, z, [label_a] * len(z))


@torch.no_grad()
def encode(vae: VAE, images: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 images (N, H, W, C) at the VAE's size -> mu, logvar (N, z_dim), on the CPU."""
    x = from_uint8(images)
    expected = (vae.channels, vae.image_size, vae.image_size)
    if tuple(x.shape[1:]) != expected:
        raise ValueError(f"this VAE takes images of (H, W, C) = {expected[1:] + expected[:1]}, "
                         f"got {tuple(images.shape[1:])}")
    mu, logvar = vae.encode(x.to(device_of(vae)))
    return mu.cpu(), logvar.cpu()


@torch.no_grad()
def decode(vae: VAE, z: torch.Tensor | np.ndarray) -> np.ndarray:
    """z (N, z_dim) -> uint8 images (N, H, W, C)."""
    z = torch.as_tensor(np.asarray(z, dtype=np.float32), device=device_of(vae))
    if z.ndim != 2 or z.shape[1] != vae.z_dim:
        raise ValueError(f"z must be (N, {vae.z_dim}), got {tuple(z.shape)}")
    return to_uint8(vae.decode(z), low=0.0)
