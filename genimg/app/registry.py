"""The checkpoints the app serves, loaded once: `<root>/<dataset>/gan|vae/` under $GENIMG_CHECKPOINTS or the
repo's checkpoints/. A checkpoint that fails to load is logged and listed in `Registry.problems`; the others keep
working. Also the folder where handlers write files for download (GIFs, grid PNGs).

Not here: any handler (genimg/app/tabs/), any layout. The app never needs the training data: slider order
and the latent map's scatter come from a VAE's latents.safetensors when it is there.
"""

import hashlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from ..checkpoints import CheckpointError, checkpoints_root, load, read_card
from .i18n import text

log = logging.getLogger(__name__)

KINDS = ("gan", "vae")
KEEP_OUTPUTS = 256  # GIFs and grid PNGs kept in the output folder; the oldest go first


@dataclass
class Checkpoint:
    """One loaded model, with its card and the samples training left beside it (the loss curves are drawn from
    the card's history, in the browser)."""

    dataset: str
    kind: str  # "gan" | "vae"
    path: Path
    model: nn.Module
    card: dict
    samples: Image.Image | None = None


@dataclass
class LatentStats:
    """A VAE's latent dimensions, most informative first, and (optionally) the test split's encodings."""

    order: np.ndarray  # (z,) dimension indices, highest KL first
    kl: np.ndarray | None = None  # (z,) mean KL per dimension over the test split, nats
    test_mu: np.ndarray | None = None  # (N, z)
    test_labels: np.ndarray | None = None  # (N,)
    note: str = ""


def load_picture(path: Path) -> Image.Image | None:
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, ValueError):
        return None


def discover(root: Path) -> tuple[dict[tuple[str, str], Checkpoint], list[str]]:
    """<root>/<dataset>/<kind>/ -> loaded checkpoints by (dataset, kind), and one line per failure."""
    found, problems = {}, []
    if not root.is_dir():
        return found, [f"{root}: no checkpoint folder; expected {root}/<dataset>/gan|vae/ (set GENIMG_CHECKPOINTS)"]
    for directory in sorted(p for p in root.glob("*/*") if p.is_dir() and p.name in KINDS):
        dataset, kind = directory.parent.name, directory.name
        try:
            card = read_card(directory)
            if card["kind"] != kind:
                raise CheckpointError(f"{directory / 'card.json'}: kind is {card['kind']!r} in a {kind}/ folder")
            model = load(directory)
        except (CheckpointError, OSError) as e:
            problems.append(f"{dataset}/{kind}: {e}")
            log.warning("checkpoint %s failed to load: %s", directory, e)
            continue
        found[dataset, kind] = Checkpoint(dataset, kind, directory, model, card,
                                          samples=load_picture(directory / "samples.png"))
        log.info("loaded %s/%s from %s", dataset, kind, directory)
    return found, problems


def latent_stats(checkpoint: Checkpoint) -> LatentStats:
    """Read <vae>/latents.safetensors (test_mu, test_logvar, test_labels, kl_per_dim); index order without it."""
    z_dim = checkpoint.model.z_dim
    path = checkpoint.path / "latents.safetensors"
    if not path.is_file():
        return LatentStats(np.arange(z_dim), note=f"{checkpoint.dataset}/vae has no latents.safetensors: sliders "
                                                   "are in index order and the latent map has no test-split scatter.")
    try:
        tensors = load_file(path)
        kl = tensors["kl_per_dim"].double().numpy()
        mu, labels = tensors["test_mu"].float().numpy(), tensors["test_labels"].long().numpy()
        if kl.shape != (z_dim,) or mu.ndim != 2 or mu.shape[1] != z_dim or labels.shape != (mu.shape[0],):
            raise ValueError(f"shapes kl_per_dim {tuple(kl.shape)}, test_mu {tuple(mu.shape)}, "
                             f"test_labels {tuple(labels.shape)} do not fit z_dim {z_dim}")
    except (SafetensorError, OSError, KeyError, ValueError) as e:
        log.warning("%s unusable: %s", path, e)
        return LatentStats(np.arange(z_dim), note=f"{checkpoint.dataset}/vae latents.safetensors is unusable ({e}): "
                                                   "sliders are in index order, no scatter.")
    order = np.argsort(-kl, kind="stable")
    return LatentStats(order, kl, mu, labels)


def seed_ranges(seeds: list[int]) -> str:
    """[0, 1, 2, 3, 42] -> '0-3_42': runs of consecutive seeds, for a file name."""
    runs: list[list[int]] = []
    for seed in seeds:
        if runs and seed == runs[-1][1] + 1:
            runs[-1][1] = seed
        else:
            runs.append([seed, seed])
    return "_".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def grid_name(model: str, seeds: list[int], psi: float, label: str) -> str:
    """What the grid PNG downloads as: 'genimg-mnist-seeds-0-15', '-psi0.7' and '-class-7' when they apply."""
    ranges = seed_ranges(seeds)
    if len(ranges) > 40:  # a long list of scattered seeds: say how many, from where
        ranges = f"{seeds[0]}-and-{len(seeds) - 1}-more"
    name = f"genimg-{model}-seeds-{ranges}"
    if psi != 1.0:
        name += f"-psi{psi:g}"
    if label and label != "any":
        name += "-class-" + re.sub(r"[^A-Za-z0-9]+", "-", str(label)).strip("-")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)


class Registry:
    """The loaded models by (dataset, kind), their latent statistics, and the output folder."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root else checkpoints_root()
        self.checkpoints, self.problems = discover(self.root)
        self.stats = {ds: latent_stats(c) for (ds, kind), c in self.checkpoints.items() if kind == "vae"}
        self.out_dir = Path(tempfile.mkdtemp(prefix="genimg-app-"))

    def datasets(self, kind: str | None = None) -> list[str]:
        return sorted({ds for ds, k in self.checkpoints if kind in (None, k)})

    def first(self) -> str | None:
        """The model the page opens on: mnist when there is one, else the first dataset (None without any)."""
        datasets = self.datasets()
        return "mnist" if "mnist" in datasets else (datasets[0] if datasets else None)

    @property
    def max_z_dim(self) -> int:
        return max((c.model.z_dim for (_, k), c in self.checkpoints.items() if k == "vae"), default=0)

    def get(self, model: str, kind: str, lang: str = "en") -> Checkpoint:
        """The checkpoint, or gr.Error (in `lang`) naming the models that have one."""
        if (model, kind) in self.checkpoints:
            return self.checkpoints[model, kind]
        have = self.datasets(kind)
        raise gr.Error(text("error_no_model", lang).format(
            kind=kind.upper(), model=model, available=", ".join(have) if have else text("none_available", lang)),
            title=text("error_title", lang))

    def class_choices(self, model: str) -> list[str]:
        """'any' and the class names a conditional GAN takes (just 'any' for an unconditional one)."""
        gan = self.checkpoints.get((model, "gan"))
        if gan is None or not gan.model.num_classes:
            return ["any"]
        return ["any", *(gan.model.class_names or [str(i) for i in range(gan.model.num_classes)])]

    def class_names(self, model: str) -> list[str]:
        checkpoint = self.checkpoints.get((model, "vae")) or self.checkpoints.get((model, "gan"))
        names = list(getattr(checkpoint.model, "class_names", []) or checkpoint.card.get("class_names") or [])
        stats = self.stats.get(model)
        count = int(stats.test_labels.max()) + 1 if stats is not None and stats.test_labels is not None else 0
        return names if len(names) >= count else [str(i) for i in range(count)]

    def missing_note(self, model: str, kind: str, lang: str) -> str:
        """'No GAN for **emoji**; models with a GAN: mnist.' in the request's language."""
        return text(f"{kind}_missing", lang).format(
            model=model, available=", ".join(self.datasets(kind)) or text("none_available", lang))

    def problems_markdown(self) -> str:
        if not self.problems:
            return ""
        return "**Some checkpoints did not load** (the rest work):\n" + "\n".join(f"- {p}" for p in self.problems)

    def write_output(self, data: bytes, suffix: str, name: str | None = None) -> str:
        """Write bytes to the output folder, named by content (repeats reuse the file); keep the newest few.

        name: what a download is called (e.g. 'genimg-mnist-seeds-0-15'); the file then sits in a folder named
        by content, <hash>/<name><suffix>, so that two different grids can both be called that.
        """
        digest = hashlib.sha1(data).hexdigest()[:16]
        if name:
            digest = hashlib.sha1(f"{digest}/{name}".encode()).hexdigest()[:16]
            folder, path = self.out_dir / digest, self.out_dir / digest / f"{name}{suffix}"
        else:
            folder, path = self.out_dir, self.out_dir / f"{digest}{suffix}"
        try:
            os.utime(path)  # a repeat: mark it newest, so the clean-up below does not take it while in use
            os.utime(folder)
            return str(path)
        except FileNotFoundError:
            pass
        folder.mkdir(exist_ok=True)
        # requests run side by side: each writes its own temp file (two identical requests must not share one)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        outputs = []
        for p in self.out_dir.iterdir():
            try:
                outputs.append((p.stat().st_mtime, p))
            except FileNotFoundError:  # removed by a concurrent request meanwhile
                pass
        for _, stale in sorted(outputs)[:-KEEP_OUTPUTS]:
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
        return str(path)
