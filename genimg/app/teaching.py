"""The "How it works" content, and pure functions that tie its formulas to the live models.

Content: per model family (GAN, VAE), plus common pitfalls and an FAQ, as Markdown with LaTeX in English and
Simplified Chinese; the strings live in genimg/app/locales/*.json, this module picks and assembles them. Live ties:
- the discriminator's score D(x) = sigmoid(logit) on a real test digit and on a generated one of the same class;
- the KL of each VAE latent dimension (why some sliders change little), as numbers (the tab charts them);
- the training history from a checkpoint's card.json (the tab draws the loss curves).

Inputs and outputs are plain Python, numpy and PIL. This module is not UI: it imports no Gradio (app.py wires
these functions into a tab: `discriminator_panel` and `vae_panel` are what it calls), trains nothing, and needs no
dataset (real digits come from examples/<dataset>/).
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors import SafetensorError
from safetensors.torch import load_file

from ..checkpoints import CheckpointError, load, read_card
from ..data import example_file_name
from ..images import to_pil, upscale
from ..models import VAE, Discriminator, Generator
from ..models.vae import LOW_KL, kl_divergence
from ..sampling import encode, from_uint8, latent_from_seed, resolve_label, to_uint8
from .i18n import text

# Gradio Markdown(latex_delimiters=...): display math first, so "$$" is not read as two empty inline formulas.
LATEX_DELIMITERS = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]
# The sections of the tab, in order, and the Markdown keys each one shows (genimg/app/locales/).
SECTIONS = {
    "intro": ["how_intro_md"],
    "gan": ["how_gan_theory_md", "how_gan_live_md", "how_gan_curves_md"],
    "vae": ["how_vae_theory_md", "how_kl_md", "how_vae_curves_md"],
    "measure": ["how_measure_md"],
    "pitfalls": ["how_pitfalls_md"],
    "faq": ["how_faq_md"],
}
BALANCED = 0.1  # |D(real) - D(fake)| below this reads as "the discriminator cannot tell them apart"


# ---- content --------------------------------------------------------------------------------------------------

def section_markdown(section: str, language: str = "en") -> str:
    """One section of the tab ("intro", "gan", "vae", "pitfalls", "faq") as Markdown with LaTeX."""
    if section not in SECTIONS:
        raise KeyError(f"unknown section {section!r}; accepted: {', '.join(SECTIONS)}")
    return "\n\n".join(text(key, language) for key in SECTIONS[section])


def page_markdown(language: str = "en") -> str:
    """The whole tab as one Markdown document (for a README, a notebook, or a quick read in a terminal)."""
    return "\n\n".join(section_markdown(section, language) for section in SECTIONS)


# ---- the discriminator's verdict ------------------------------------------------------------------------------

@dataclass
class DiscriminatorScores:
    """D's logits for a group of real images and a group of generated ones with the same classes.

    Item 0 of each group is the pair the tab shows; the rest keep D's minibatch-std feature as in training.
    """

    labels: list[int]  # class index per item (-1 for an unconditional GAN)
    class_names: list[str]
    seeds: list[int]  # the generated images' seeds
    real_logits: np.ndarray  # (N,)
    fake_logits: np.ndarray  # (N,)
    real_images: np.ndarray  # uint8 (N, H, W, C)
    fake_images: np.ndarray  # uint8 (N, H, W, C)

    @property
    def real_probs(self) -> np.ndarray:
        return np.array([sigmoid(v) for v in self.real_logits])

    @property
    def fake_probs(self) -> np.ndarray:
        return np.array([sigmoid(v) for v in self.fake_logits])


def sigmoid(logit: float) -> float:
    """D(x) = 1 / (1 + exp(-logit)), written so that large |logit| neither overflows nor loses precision."""
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    e = math.exp(logit)
    return e / (1.0 + e)


def discriminator_dir(gan_dir: str | Path) -> Path:
    """Where train_gan saves the discriminator next to its generator."""
    return Path(gan_dir) / "discriminator"


def load_discriminator(gan_dir: str | Path) -> Discriminator | None:
    """The discriminator saved beside a GAN checkpoint, or None when there is none yet (first epoch running)."""
    directory = discriminator_dir(gan_dir)
    if not (directory / "card.json").is_file():
        return None
    model = load(directory)
    if not isinstance(model, Discriminator):
        raise CheckpointError(f"{directory}: holds a {type(model).__name__}, expected a Discriminator")
    return model


def read_digit(path: str | Path, channels: int = 1) -> np.ndarray:
    """An example PNG (e.g. examples/mnist/3_0.png) -> uint8 (H, W, 1) grey, or (H, W, 3) RGB with channels=3."""
    with Image.open(path) as image:
        array = np.asarray(image.convert("L" if channels == 1 else "RGB"), dtype=np.uint8)
    return array[:, :, None] if channels == 1 else array


def example_path(examples_dir: str | Path, name: str) -> Path:
    """<examples_dir>/<class>_0.png, the class name spelt as genimg.data.export_examples writes it
    ("Smileys & Emotion" -> Smileys___Emotion_0.png)."""
    return Path(examples_dir) / example_file_name(name)


def example_images(examples_dir: str | Path, image_size: int, channels: int) -> np.ndarray:
    """Every <examples_dir>/*_0.png of the given size -> uint8 (N, H, W, C); N = 0 if there are none."""
    images = [read_digit(path, channels) for path in sorted(Path(examples_dir).glob("*_0.png"))]
    images = [image for image in images if image.shape[:2] == (image_size, image_size)]
    return np.stack(images) if images else np.zeros((0, image_size, image_size, channels), np.uint8)


def group_size(discriminator: Discriminator) -> int:
    """How many images D compares at once (its minibatch-std group); 1 when it has no such feature."""
    return max(1, int(getattr(discriminator, "mbstd_group", 1) or 1))


def example_group(examples_dir: str | Path, class_names: list[str], first: str, size: int, channels: int = 1,
                  ) -> tuple[np.ndarray, list[str]]:
    """Real test-split examples <examples_dir>/<class>_0.png for class `first` and the classes after it (cycling),
    size of them -> uint8 (size, H, W, channels) and their class names. examples/mnist holds one digit per class."""
    if first not in class_names:
        raise ValueError(f"unknown class {first!r}; accepted: {', '.join(class_names)}")
    start = class_names.index(first)
    names = [class_names[(start + k) % len(class_names)] for k in range(size)]
    images = []
    for name in names:
        path = example_path(examples_dir, name)
        if not path.is_file():
            raise ValueError(f"{path}: no example image for class {name!r}")
        images.append(read_digit(path, channels))
    return np.stack(images), names


@torch.no_grad()
def discriminator_scores(discriminator: Discriminator, generator: Generator, real: np.ndarray,
                         labels: list[int | str] | None, seed: int) -> DiscriminatorScores:
    """Score real images (uint8 (N, H, W, C)) and G(z_s, label) for seeds s = seed .. seed + N - 1, same classes.

    D sees what it saw in training: images in [-1, 1], (N, C, H, W), the classes for conditional models, and reals
    and fakes in separate groups (its minibatch-std feature compares the images of a group). labels: class index or
    name per real image (None for an unconditional GAN).
    """
    if discriminator.num_classes != generator.num_classes:
        raise ValueError(f"discriminator has {discriminator.num_classes} classes, generator {generator.num_classes}:"
                         " they are not from the same GAN")
    expected = (generator.image_size, generator.image_size, generator.channels)
    if real.dtype != np.uint8 or real.ndim != 4 or real.shape[1:] != expected or not len(real):
        raise ValueError(f"real images must be uint8 (N, H, W, C) with (H, W, C) = {expected}, "
                         f"got {real.dtype} {real.shape}")
    n = len(real)
    if generator.num_classes:
        if labels is None or len(labels) != n:
            raise ValueError(f"this GAN is class-conditional: pass one class per real image ({n})")
        indices = [resolve_label(generator, label) for label in labels]
        if None in indices:
            raise ValueError("pass a class, not 'any', for every real image")
        y = torch.tensor(indices)  # (N,)
    else:
        indices, y = [-1] * n, None
    seeds = list(range(seed, seed + n))
    z = torch.from_numpy(np.stack([latent_from_seed(s, generator.z_dim) for s in seeds]))  # (N, z_dim)
    fake = generator(z, y)  # (N, C, H, W) in [-1, 1]
    real_x = from_uint8(real) * 2 - 1  # (N, C, H, W) in [-1, 1]
    names = generator.class_names or [str(i) for i in range(generator.num_classes)]
    return DiscriminatorScores(
        labels=indices, class_names=[names[i] if i >= 0 else "-" for i in indices], seeds=seeds,
        real_logits=discriminator(real_x, y).double().numpy(), fake_logits=discriminator(fake, y).double().numpy(),
        real_images=real, fake_images=to_uint8(fake, low=-1.0))


def score_markdown(scores: DiscriminatorScores, language: str = "en") -> str:
    """A table of D(x) and the logit for the shown pair (item 0), the group means, and what the pair says."""
    real, fake = float(scores.real_probs[0]), float(scores.fake_probs[0])
    table = text("how_score_table", language).format(
        label=scores.class_names[0], seed=scores.seeds[0], real_prob=real, fake_prob=fake,
        real_logit=float(scores.real_logits[0]), fake_logit=float(scores.fake_logits[0]))
    verdict = ("how_verdict_balanced" if abs(real - fake) < BALANCED else
               "how_verdict_discriminator_wins" if real > fake else "how_verdict_discriminator_fooled")
    parts = [table, text(verdict, language)]
    if len(scores.seeds) > 1:
        parts.append(text("how_score_group_note", language).format(
            group=len(scores.seeds), others=len(scores.seeds) - 1, real_mean=float(scores.real_probs.mean()),
            fake_mean=float(scores.fake_probs.mean())))
    return "\n\n".join(parts)


def no_discriminator_markdown(gan_dir: str | Path, language: str = "en") -> str:
    where = Path(gan_dir)  # named from the checkpoints folder down: never the server's absolute path
    return text("how_no_discriminator", language).format(path=f"{where.parent.name}/{where.name}/discriminator")


def class_choices(generator: Generator, examples_dir: str | Path) -> list[str]:
    """The classes the GAN section offers: a conditional GAN's class names; for an unconditional one, the classes
    that have an example image (any of them can stand for "a real image")."""
    if generator.num_classes:
        return list(generator.class_names or [str(i) for i in range(generator.num_classes)])
    return sorted(path.stem[:-2] for path in Path(examples_dir).glob("*_0.png"))


def discriminator_panel(gan_dir: str | Path, generator: Generator, examples_dir: str | Path, first: str, seed: int,
                        language: str = "en", side: int = 140,
                        ) -> tuple[Image.Image | None, Image.Image | None, str]:
    """What the GAN section shows for one click: the real image and the generated one (upscaled to about `side`
    pixels) and D's verdict as Markdown. Never raises for a missing or unusable discriminator or example: the
    images are None and the Markdown says why (a training run may be rewriting the checkpoint right now)."""
    try:
        discriminator = load_discriminator(gan_dir)
        if discriminator is None:
            return None, None, no_discriminator_markdown(gan_dir, language)
        real, labels = example_group(examples_dir, class_choices(generator, examples_dir), first,
                                     group_size(discriminator), channels=generator.channels)
        scores = discriminator_scores(discriminator, generator, real, labels if generator.num_classes else None,
                                      seed=seed)
    except (CheckpointError, OSError, ValueError) as e:
        return None, None, text("how_live_unavailable", language).format(error=e)
    real_image, fake_image = (upscale(to_pil(group[0]), side) for group in (scores.real_images, scores.fake_images))
    return real_image, fake_image, score_markdown(scores, language)


# ---- KL per latent dimension ----------------------------------------------------------------------------------

def read_kl_per_dim(vae_dir: str | Path) -> np.ndarray | None:
    """<vae_dir>/latents.safetensors' kl_per_dim (z,) (mean over the test split, nats), or None if absent/unusable."""
    path = Path(vae_dir) / "latents.safetensors"
    if not path.is_file():
        return None
    try:
        kl = load_file(path)["kl_per_dim"].double().numpy()
    except (SafetensorError, OSError, KeyError):
        return None
    return kl if kl.ndim == 1 else None


@torch.no_grad()
def kl_per_dim(vae: VAE, images: np.ndarray) -> np.ndarray:
    """Mean KL(q(z_j|x) || N(0, 1)) per dimension j over uint8 images (N, H, W, C) -> (z,) float64, nats."""
    mu, logvar = encode(vae, images)  # (N, z) each
    return kl_divergence(mu, logvar).mean(0).double().numpy()


def kl_order(kl: np.ndarray) -> np.ndarray:
    """Dimension indices, largest KL first: the order of the VAE tab's sliders."""
    return np.argsort(-np.asarray(kl), kind="stable")


def kl_markdown(kl: np.ndarray, language: str = "en", from_examples: int = 0,
                threshold: float = LOW_KL) -> str:
    """How many dimensions are in use, and the total KL; from_examples > 0 says the KL was estimated from that many
    example images rather than read from the test split."""
    kl = np.asarray(kl)
    active = int((kl > threshold).sum())
    source = (text("how_kl_source_examples", language).format(count=from_examples) if from_examples
              else text("how_kl_source_test_split", language))
    key = ("how_kl_summary_all_active" if active == len(kl) else
           "how_kl_summary_one_inactive" if active == len(kl) - 1 else "how_kl_summary")
    return text(key, language).format(active=active, total=len(kl), inactive=len(kl) - active,
                                                   threshold=threshold, total_kl=float(kl.sum()), source=source)


# ---- training curves from card.json ---------------------------------------------------------------------------

def card_history(directory: str | Path) -> tuple[str, list[dict]]:
    """A checkpoint's kind and its per-epoch history from card.json."""
    card = read_card(Path(directory))
    history = card.get("history")
    return card["kind"], history if isinstance(history, list) else []


def vae_panel(vae_dir: str | Path, vae: VAE, examples_dir: str | Path, language: str = "en",
              ) -> tuple[np.ndarray | None, str, list[dict], str]:
    """What the VAE section shows: the KL per dimension (z,) and its summary (from latents.safetensors, else estimated
    from the example images), the training history from card.json and the last epoch's test-split ELBO terms. Never
    raises for missing files: None or [] and a Markdown line saying what is missing instead."""
    kl, count = read_kl_per_dim(vae_dir), 0
    if kl is None or kl.shape != (vae.z_dim,):
        images = example_images(examples_dir, vae.image_size, vae.channels)  # (N, H, W, C)
        kl, count = (kl_per_dim(vae, images), len(images)) if len(images) else (None, 0)
    if kl is None:
        summary = text("how_live_unavailable", language).format(
            error=f"no latents.safetensors in {Path(vae_dir).name} and no example images in {Path(examples_dir).name}")
    else:
        summary = kl_markdown(kl, language, from_examples=count)
    try:
        history, numbers = card_history(vae_dir)[1], vae_numbers_markdown(vae_dir, language)
    except (CheckpointError, OSError):
        history, numbers = [], text("how_no_history", language)
    return kl, summary, history, numbers


def vae_numbers_markdown(directory: str | Path, language: str = "en") -> str:
    """The last epoch's test-split ELBO terms, in words."""
    _, history = card_history(directory)
    if not history or "test_recon" not in history[-1]:
        return text("how_no_history", language)
    last = history[-1]
    recon, kl = float(last["test_recon"]), float(last["test_kl"])
    return text("how_vae_numbers", language).format(epochs=last["epoch"], recon=recon, kl=kl, loss=recon + kl,
                                                    elbo=-(recon + kl))

