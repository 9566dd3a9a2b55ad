"""Find an image in a GAN: the latent z (and, for a conditional GAN, the class) whose image matches a target.

GAN inversion by optimisation, as StyleGAN's projector does it (Karras et al. 2020, "Analyzing and Improving
the Image Quality of StyleGAN", appendix D): start from the best of a few hundred seeds, then run Adam on z
with the generator frozen, the step size ramped down to zero. The best two starts are descended side by side
(one batch) and the closer result kept: a lone start sometimes sits in a poor basin. StyleGAN measures the
distance with LPIPS (VGG features); genimg has no VGG weights and downloads none, so it uses the dataset's own
classifier instead:

    loss(z) = mean (G(z, y) - x)^2  +  FEATURE_WEIGHT * |f(G(z, y)) - f(x)|^2 / |f(x)|^2

with images in [0, 1] and f = Classifier.features (the same embedding the FID uses). The label y is the one
the best start was drawn with; it is kept (a class is not a continuous thing to descend on).

    python -m genimg.invert checkpoints/mnist/gan my_digit.png --out found.png
    python -m genimg.invert checkpoints/emoji/gan face.png --out found.png --steps 200

A target is what the encode tab shows as "model input" (genimg.data.preprocess.model_input): an array that
already has the model's shape (H, W, C) is taken as it is. This module is pure library plus a thin CLI: no
Gradio, no plotting.
"""

import argparse
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import recipes
from .checkpoints import CheckpointError, load
from .data.preprocess import model_input
from .images import save_png, to_pil
from .models import Classifier, Generator
from .sampling import device_of, from_uint8, latent_from_seed, resolve_label, to_uint8

STEPS = 100  # Adam steps by default (about 1.5 s of one CPU core for an MNIST digit)
START_SEEDS = 256  # seeds tried as starting points (times the classes tried, for a conditional GAN)
STARTS = 2  # the best starting points are descended from side by side; the best result is kept
START_CLASSES = 3  # a conditional GAN tries the classifier's top classes for the target (all without one)
LEARNING_RATE = 0.1  # StyleGAN's projector uses 0.1, ramped down
FEATURE_WEIGHT = 0.03  # the classifier-feature term against the pixel term (see the module docstring)
MAX_STEPS = 2000


class InversionError(ValueError):
    """A target or a setting inversion cannot use; the message says what is accepted."""


@dataclass
class Inversion:
    """Where the search is: the latent and class found, the GAN's image there, and how close it is."""

    z: np.ndarray  # (z_dim,) float32
    label: int | None  # the class (conditional GANs), else None
    image: np.ndarray  # (H, W, C) uint8, the generator's image at (z, label)
    target: np.ndarray  # (H, W, C) uint8, what was matched
    mse: float  # pixel MSE between the two uint8 images, pixels in [0, 1]
    psnr_db: float
    step: int  # Adam steps done so far
    steps: int  # Adam steps asked for
    losses: list[float]  # the loss after each step (mean over the starts)
    start_seed: int  # the seed the search started from

    @property
    def done(self) -> bool:
        return self.step >= self.steps


def target_array(gan: Generator, image) -> np.ndarray:
    """An upload (path, bytes, PIL image, array) -> (H, W, C) uint8 at the GAN's size, as the encode tab does it.

    An array that already has the model's shape is taken as it is (say, a test-split image or a sample).
    """
    if image is None:
        raise InversionError("no image: give a picture (a file path, bytes, a PIL image or a uint8 array)")
    shape = (gan.image_size, gan.image_size, gan.channels)
    if isinstance(image, np.ndarray) and image.shape == shape and image.dtype == np.uint8:
        return image
    digits = shape == (28, 28, 1)  # MNIST-sized models get MNIST's normalisation, as in the encode tab
    return model_input(image, gan.image_size, gan.channels, digits)


def check_classifier(gan: Generator, classifier: Classifier | None) -> None:
    if classifier is None:
        return
    if not isinstance(classifier, Classifier):
        raise InversionError(f"classifier must be a genimg Classifier or None, got {type(classifier).__name__}")
    if (classifier.image_size, classifier.channels) != (gan.image_size, gan.channels):
        raise InversionError(f"the classifier takes {classifier.image_size}x{classifier.image_size}x"
                             f"{classifier.channels} images but the GAN makes {gan.image_size}x{gan.image_size}x"
                             f"{gan.channels}; use the classifier trained on the GAN's dataset")


@torch.no_grad()
def best_starts(gan: Generator, x: torch.Tensor, classifier: Classifier | None, seeds: int, label: int | None,
                count: int) -> list[tuple[int, int | None]]:
    """The `count` (seed, label) pairs whose images are nearest the target x (1, C, H, W) in [0, 1], by pixel MSE."""
    if not gan.num_classes:
        labels = [None]
    elif label is not None:
        labels = [label]
    elif classifier is not None:  # the classes the classifier finds most likely for the target
        top = min(START_CLASSES, gan.num_classes, classifier.num_classes)
        labels = classifier(x).topk(top, dim=1).indices[0].tolist()
    else:
        labels = list(range(gan.num_classes))
    z = torch.from_numpy(np.stack([latent_from_seed(s, gan.z_dim) for s in range(seeds)])).to(x.device)  # (S, z_dim)
    scored = []  # (mse, seed, label)
    for y in labels:
        for start in range(0, seeds, 256):  # in chunks: bounded memory for large seed counts
            chunk = z[start:start + 256]
            y_t = torch.full((len(chunk),), y, dtype=torch.long, device=x.device) if y is not None else None
            images = (gan(chunk, y_t) + 1) / 2  # (B, C, H, W) in [0, 1]
            mse = (images - x).square().mean(dim=(1, 2, 3))  # (B,)
            scored += [(float(m), start + k, y) for k, m in enumerate(mse)]
    scored.sort(key=lambda item: item[0])
    return [(seed, y) for _, seed, y in scored[:count]]


def invert_steps(gan: Generator, image, steps: int = STEPS, classifier: Classifier | None = None,
                 seeds: int = START_SEEDS, label: int | str | None = None, every: int = 10) -> Iterator[Inversion]:
    """Invert step by step: yields an Inversion after the start and every `every` steps; the last one is final."""
    if not isinstance(gan, Generator):
        raise InversionError(f"inversion needs a GAN generator, got {type(gan).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
        raise InversionError(f"steps must be a whole number from 0 to {MAX_STEPS}, got {steps!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 100_000:
        raise InversionError(f"seeds (starting points tried) must be a whole number from 1 to 100000, got {seeds!r}")
    check_classifier(gan, classifier)
    target = target_array(gan, image)  # (H, W, C) uint8
    fixed = resolve_label(gan, label)
    was_training = gan.training, classifier.training if classifier is not None else False
    gan.eval()  # BatchNorm uses its running statistics: the image depends on z alone
    if classifier is not None:
        classifier.eval()
    x = from_uint8(target[None]).to(device_of(gan))  # (1, C, H, W) in [0, 1], where the GAN is (CPU or CUDA)
    try:
        starts = best_starts(gan, x, classifier, seeds, fixed, min(STARTS, seeds))  # [(seed, label)] * K
        y_t = torch.tensor([y for _, y in starts], device=x.device) if gan.num_classes else None  # (K,)
        z = torch.from_numpy(np.stack([latent_from_seed(s, gan.z_dim) for s, _ in starts])).to(x.device)
        z.requires_grad_(True)  # (K, z_dim), a leaf: Adam moves it
        optimizer = torch.optim.Adam([z], lr=LEARNING_RATE)
        with torch.no_grad():
            target_features = classifier.features(x) if classifier is not None else None  # (1, F)
            feature_scale = target_features.square().sum().clamp_min(1e-8) if classifier is not None else None
        losses: list[float] = []
        yield snapshot(gan, z, y_t, target, 0, steps, losses, starts)
        for step in range(1, steps + 1):
            for group in optimizer.param_groups:  # StyleGAN's ramp: full rate, cosine down to 0 at the end
                group["lr"] = LEARNING_RATE * 0.5 * (1 + math.cos(math.pi * (step - 1) / steps))
            with torch.enable_grad():  # callers may be in no_grad; the generator's weights stay frozen
                fake = (gan(z, y_t) + 1) / 2  # (K, C, H, W) in [0, 1]
                loss = (fake - x).square().mean(dim=(1, 2, 3))  # (K,): each start on its own
                if classifier is not None:
                    loss = loss + FEATURE_WEIGHT * (classifier.features(fake) - target_features).square().sum(1) \
                        / feature_scale
                loss = loss.sum()  # the starts do not interact (BatchNorm in eval mode): summing keeps them apart
                optimizer.zero_grad(set_to_none=True)
                z.grad = torch.autograd.grad(loss, z)[0]  # gradients for z only, none accumulate in the models
            optimizer.step()
            losses.append(float(loss.detach()) / len(starts))
            if step % every == 0 or step == steps:
                yield snapshot(gan, z, y_t, target, step, steps, losses, starts)
    finally:
        gan.train(was_training[0])
        if classifier is not None:
            classifier.train(was_training[1])


@torch.no_grad()
def snapshot(gan: Generator, z: torch.Tensor, labels: torch.Tensor | None, target: np.ndarray, step: int, steps: int,
             losses: list[float], starts: list[tuple[int, int | None]]) -> Inversion:
    """The best of the K starts so far (by pixel MSE of the uint8 images) as an Inversion."""
    images = to_uint8(gan(z, labels), low=-1.0)  # (K, H, W, C)
    mse = np.mean((images.astype(np.float64) / 255 - target.astype(np.float64) / 255) ** 2, axis=(1, 2, 3))  # (K,)
    k = int(mse.argmin())
    psnr = 10 * math.log10(1 / mse[k]) if mse[k] > 0 else math.inf
    return Inversion(z[k].detach().cpu().numpy().astype(np.float32).copy(), starts[k][1], images[k], target,
                     float(mse[k]), psnr, step, steps, list(losses), starts[k][0])


def invert(gan: Generator, image, steps: int = STEPS, classifier: Classifier | None = None,
           seeds: int = START_SEEDS, label: int | str | None = None) -> Inversion:
    """Find the latent (and class) whose image matches `image`: see the module docstring.

    gan: a genimg GAN generator (genimg.load of a gan checkpoint). image: a path, bytes, PIL image or uint8
    array; arrays of the model's (H, W, C) are used as they are, anything else is preprocessed as the encode
    tab does. classifier: the dataset's classifier (checkpoints/<dataset>/classifier), for the feature term
    and to pick the classes to try; None uses pixels only. label: keep this class instead of searching.
    """
    result = None
    for result in invert_steps(gan, image, steps, classifier, seeds, label, every=max(1, steps)):
        pass
    return result


def classifier_beside(gan_dir: Path) -> Classifier | None:
    """checkpoints/<dataset>/classifier for checkpoints/<dataset>/gan, or None when there is none."""
    directory = Path(gan_dir).parent / "classifier"
    if not directory.is_dir():
        return None
    model = load(directory)
    return model if isinstance(model, Classifier) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.invert", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path, help="a GAN checkpoint directory")
    parser.add_argument("image", type=Path, help="the picture to find (PNG, JPEG, WebP, GIF, BMP or TIFF)")
    parser.add_argument("--out", required=True, type=Path, help="where to write the GAN's image (PNG, with its z)")
    parser.add_argument("--steps", type=int, default=STEPS, help=f"Adam steps (default {STEPS})")
    parser.add_argument("--seeds", type=int, default=START_SEEDS, help=f"starting seeds tried (default {START_SEEDS})")
    parser.add_argument("--label", default=None, help="keep this class (conditional GANs); default: search")
    parser.add_argument("--no-classifier", action="store_true", help="pixel loss only, no classifier features")
    args = parser.parse_args(argv)
    if args.out.suffix.lower() != ".png":
        parser.error(f"--out must end in .png, got {args.out}")
    if not args.image.is_file():
        parser.error(f"{args.image}: no such file")
    try:
        gan = load(args.checkpoint)
        if not isinstance(gan, Generator):
            raise InversionError(f"{args.checkpoint} holds a {type(gan).__name__}; inversion needs a GAN checkpoint")
        classifier = None if args.no_classifier else classifier_beside(args.checkpoint)
        started = time.perf_counter()
        found = invert(gan, args.image, steps=args.steps, classifier=classifier, seeds=args.seeds, label=args.label)
        seconds = time.perf_counter() - started
    except (CheckpointError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    recipe = recipes.make(gan, args.checkpoint.resolve().parent.name, recipes.checkpoint_id(args.checkpoint),
                          z=found.z, label=found.label)
    save_png(recipes.attach(to_pil(found.image), recipe), args.out)
    names = gan.class_names or [str(i) for i in range(gan.num_classes)]
    label = f", class {names[found.label]}" if found.label is not None else ""
    print(f"wrote {args.out}: MSE {found.mse:.5f}, PSNR {found.psnr_db:.2f} dB{label}, started from seed "
          f"{found.start_seed}, {found.steps} steps in {seconds:.1f} s"
          f"{'' if classifier is not None else ' (pixels only: no classifier beside the checkpoint)'}")
    return 0
