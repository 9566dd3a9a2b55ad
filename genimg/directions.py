"""Discovered directions (GANSpace, Härkönen et al. 2020): the ways a GAN's images vary most, as sliders.

GANSpace takes many random latents, runs them through the generator's first layer, and finds the
principal components of those activations; directions in z that move along them are the edits. Here the
first layer is the generator's `project` (Linear + BatchNorm + ReLU -> c0*s0*s0 features). A ReLU makes it
non-linear, so, as GANSpace does for BigGAN (its section 2, "transferring to z"), each component is carried
back to z by linear regression of z on the components' coordinates, and normalised to unit length: an offset
of 1 moves z by one standard deviation of the prior along it. For a conditional GAN the activations are
centred per class first, so the components are the variation *within* a class (what z controls; the class
is a separate control).

    python -m genimg.directions checkpoints/mnist/gan                 # writes .../gan/directions.safetensors
    python -m genimg.directions checkpoints/emoji/gan --count 12 --samples 20000

The file holds `directions` (K, z_dim), unit rows, most variance first, and `variance_share` (K,), each
component's share of the total variance of the activations. Editing is genimg.sampling.latents; this module
only computes, saves and loads.
"""

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from .checkpoints import CheckpointError, atomic_save_tensors, load
from .models import Generator
from .sampling import labels_for_seeds, latent_from_seed
from .version import __version__

FILE = "directions.safetensors"
COUNT = 12
SAMPLES = 20_000
CHUNK = 2048


@dataclass
class Directions:
    vectors: np.ndarray  # (K, z_dim) float32, unit rows, most variance first
    variance_share: np.ndarray  # (K,) float, share of the first layer's total (within-class) variance

    def labels(self) -> list[str]:
        """Slider labels: 'd0 · 8.1%' (the share of variance the direction explains)."""
        return [f"d{k} · {100 * share:.1f}%" for k, share in enumerate(self.variance_share)]


@torch.no_grad()
def first_layer(gan: Generator, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    """z (N, z_dim) [+ labels (N,)] -> the project layer's output (N, c0*s0*s0), after its ReLU."""
    if gan.num_classes:
        z = torch.cat([z, gan.embed(labels)], dim=1)  # (N, 2*z_dim), as Generator.forward does
    return gan.project(z)


@torch.no_grad()
def compute(gan: Generator, count: int = COUNT, samples: int = SAMPLES) -> Directions:
    """PCA of the first layer over seeds 0..samples-1 (with their own classes), carried back to z."""
    if not isinstance(gan, Generator):
        raise ValueError(f"directions are computed for a GAN generator, got {type(gan).__name__}")
    if not 1 <= count <= gan.z_dim or samples < 4 * count:
        raise ValueError(f"count must be from 1 to z_dim ({gan.z_dim}) and samples at least 4 x count; "
                         f"got count {count}, samples {samples}")
    gan.eval()
    seeds = list(range(samples))
    z = torch.from_numpy(np.stack([latent_from_seed(s, gan.z_dim) for s in seeds]))  # (N, z_dim)
    labels = torch.tensor(labels_for_seeds(gan, seeds)) if gan.num_classes else None  # (N,) or None
    h = torch.cat([first_layer(gan, z[i:i + CHUNK], None if labels is None else labels[i:i + CHUNK])
                   for i in range(0, samples, CHUNK)])  # (N, D) float32: 20,000 x 6,272 is 0.5 GB
    if labels is None:
        h -= h.mean(dim=0)
    else:
        for y in labels.unique():  # within-class centring: the class is its own control
            h[labels == y] -= h[labels == y].mean(dim=0)
    total = h.double().square().sum() / (samples - 1)  # the trace of the covariance: total variance
    with torch.random.fork_rng(devices=[]):  # svd_lowrank draws a random sketch: seed it, same file every run
        torch.manual_seed(0)
        _, singular, components = torch.svd_lowrank(h, q=min(count + 10, min(h.shape)), niter=6)  # V: (D, q)
    variance = singular[:count].double().square() / (samples - 1)  # (K,)
    coords = (h @ components[:, :count]).double() / variance.sqrt()  # (N, K), unit variance each
    vectors = torch.linalg.lstsq(coords, z.double()).solution  # (K, z_dim): z ~ coords @ vectors (GANSpace)
    vectors /= vectors.norm(dim=1, keepdim=True)
    signs = torch.sign(vectors.gather(1, vectors.abs().argmax(dim=1, keepdim=True)))  # largest entry positive
    return Directions((vectors * signs).float().numpy(), (variance / total).numpy())


def save(directions: Directions, gan_dir: Path, note: dict[str, str] | None = None) -> Path:
    path = Path(gan_dir) / FILE
    atomic_save_tensors(path, {"directions": torch.from_numpy(directions.vectors),
                               "variance_share": torch.from_numpy(directions.variance_share.astype(np.float32))},
                        metadata=note)
    return path


def load_directions(gan_dir: Path, z_dim: int | None = None) -> Directions | None:
    """<gan_dir>/directions.safetensors -> Directions; None when the file is not there."""
    path = Path(gan_dir) / FILE
    if not path.is_file():
        return None
    try:
        tensors = load_file(path)
        vectors = tensors["directions"].float().numpy()
        share = tensors["variance_share"].double().numpy()
    except (SafetensorError, OSError, KeyError) as e:
        raise CheckpointError(f"{path}: not a directions file ({e}); make one with python -m genimg.directions "
                              f"{gan_dir}") from e
    if vectors.ndim != 2 or share.shape != (len(vectors),) or (z_dim is not None and vectors.shape[1] != z_dim):
        raise CheckpointError(f"{path}: shapes {vectors.shape} and {share.shape} do not fit a GAN with z_dim "
                              f"{z_dim}; recompute with python -m genimg.directions {gan_dir}")
    return Directions(vectors, share)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.directions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path, help="a GAN checkpoint directory; the file is written into it")
    parser.add_argument("--count", type=int, default=COUNT, help=f"directions kept (default {COUNT})")
    parser.add_argument("--samples", type=int, default=SAMPLES, help=f"seeds 0..N-1 used (default {SAMPLES})")
    args = parser.parse_args(argv)
    try:
        gan = load(args.checkpoint)
        if not isinstance(gan, Generator):
            raise ValueError(f"{args.checkpoint} holds a {type(gan).__name__}; directions need a GAN checkpoint")
        started = time.perf_counter()
        directions = compute(gan, args.count, args.samples)
    except (CheckpointError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    path = save(directions, args.checkpoint, {"samples": str(args.samples), "genimg": __version__,
                                              "layer": "project (Linear + BatchNorm + ReLU), centred per class"})
    shares = ", ".join(f"{100 * s:.1f}%" for s in directions.variance_share)
    print(f"wrote {path}: {len(directions.vectors)} directions from {args.samples} seeds in "
          f"{time.perf_counter() - started:.1f} s; variance shares {shares} "
          f"(together {100 * directions.variance_share.sum():.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
