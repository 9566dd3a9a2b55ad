"""What the Gradio app calls: plain Python, numpy and PIL in and out, one method per event.

A `Lab` finds checkpoints under a root (`<root>/<dataset>/gan|vae/`; the root is $GENIMG_CHECKPOINTS or
the repo's checkpoints/), loads each once, and answers the app's events: sample, interpolate, slide,
traverse, latent_map, reconstruct and the model card. A checkpoint that fails to load is logged and
listed in `Lab.problems`; the others keep working. Bad input raises gr.Error saying what was wrong
and what is accepted.

This is the only genimg module that imports gradio, and only for gr.Error; it builds no UI (app.py
does) and never needs the training data (slider order and the latent map come from the VAE's
latents.safetensors when it is there).
"""

import hashlib
import logging
import math
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from .. import plots
from ..checkpoints import CheckpointError, load, read_card
from ..data.preprocess import model_input
from ..images import gif_bytes, grid, latent_bars, png_bytes, to_pil, upscale
from ..models.vae import LOW_KL
from ..sampling import MAX_SEED, encode, generate, labels_for_seeds, latent_from_seed, parse_seeds, slerp

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
KINDS = ("gan", "vae")
MAX_IMAGES = 64  # per request, anywhere in the app
PSI_RANGE = (0.0, 2.0)
Z_LIMIT = 3.0  # sliders, traversals and the latent map span [-3, 3] (the prior's +-3 std)
TRAVERSE_STEPS = 7
MAP_STEPS = 10
POSTERIOR_SAMPLES = 8
FRAMES_RANGE = (2, 60)
GALLERY_SIDE = 128  # display sizes: upscaled crisply (nearest neighbour) to the largest multiple <= this
SLIDER_SIDE = 256
KEEP_OUTPUTS = 256  # GIFs and grid PNGs kept in the output folder; the oldest go first


@contextmanager
def user_errors():
    """Turn the library's ValueErrors (seed text, labels, uploads, shapes) into gr.Error for the UI."""
    try:
        yield
    except gr.Error:
        raise
    except (ValueError, CheckpointError) as e:
        raise gr.Error(str(e)) from e


@dataclass
class Checkpoint:
    """One loaded model, with its card and the pictures training left beside it."""

    dataset: str
    kind: str  # "gan" | "vae"
    path: Path
    model: nn.Module
    card: dict
    samples: Image.Image | None = None
    curves: Image.Image | None = None


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
                                          samples=load_picture(directory / "samples.png"),
                                          curves=load_picture(directory / "loss_curves.png"))
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


class Lab:
    """The loaded models and every handler the app calls. `model` arguments are dataset names."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root or os.environ.get("GENIMG_CHECKPOINTS") or REPO / "checkpoints")
        self.checkpoints, self.problems = discover(self.root)
        self.stats = {ds: latent_stats(c) for (ds, kind), c in self.checkpoints.items() if kind == "vae"}
        self.out_dir = Path(tempfile.mkdtemp(prefix="genimg-app-"))
        self.scatters: dict[tuple[str, int, int], Image.Image] = {}

    # ---- the model registry ----------------------------------------------------------------------

    def datasets(self, kind: str | None = None) -> list[str]:
        return sorted({ds for ds, k in self.checkpoints if kind in (None, k)})

    @property
    def max_z_dim(self) -> int:
        return max((c.model.z_dim for (_, k), c in self.checkpoints.items() if k == "vae"), default=0)

    def get(self, model: str, kind: str) -> Checkpoint:
        if (model, kind) in self.checkpoints:
            return self.checkpoints[model, kind]
        have = self.datasets(kind)
        raise gr.Error(f"no {kind.upper()} for model {model!r}; models with a {kind.upper()}: "
                       f"{', '.join(have) if have else 'none loaded'}")

    def class_choices(self, model: str) -> list[str]:
        """'any' and the class names a conditional GAN takes (just 'any' for an unconditional one)."""
        gan = self.checkpoints.get((model, "gan"))
        if gan is None or not gan.model.num_classes:
            return ["any"]
        return ["any", *(gan.model.class_names or [str(i) for i in range(gan.model.num_classes)])]

    # ---- tab 1: GAN from seeds -------------------------------------------------------------------

    def sample(self, model: str, seeds: str, psi: float, label: str) -> tuple[list[tuple[Image.Image, str]], str]:
        """Seed text like '0-15,42' -> gallery of (image, 'seed N') and the path of a grid PNG."""
        seed_list, z, labels = self.sample_request(model, seeds, psi, label)
        return self.sample_outputs(seed_list, generate(self.get(model, "gan").model, z, labels))

    def sample_request(self, model: str, seeds: str, psi: float, label: str) -> tuple[list[int], np.ndarray, list]:
        """Check one sample request -> (seeds, z (N, z_dim), labels); gr.Error saying what is accepted."""
        gan = self.get(model, "gan").model
        with user_errors():
            seed_list = parse_seeds(seeds, limit=MAX_IMAGES)
            psi = check_psi(psi)
            labels = labels_for_seeds(gan, seed_list, label or "any")
        z = np.stack([latent_from_seed(s, gan.z_dim) for s in seed_list]) * np.float32(psi)  # (N, z_dim)
        return seed_list, z, labels

    def sample_outputs(self, seed_list: list[int], images: np.ndarray) -> tuple[list[tuple[Image.Image, str]], str]:
        """(N, H, W, C) uint8 -> gallery of (image, 'seed N') and the path of a grid PNG."""
        gallery = [(upscale(to_pil(image), GALLERY_SIDE), f"seed {s}") for image, s in zip(images, seed_list)]
        sheet = to_pil(grid(images))
        sheet = upscale(sheet, 4 * max(sheet.size))  # 4x, crisp
        return gallery, self.write_output(png_bytes(sheet), ".png")

    def sample_batch(self, models: list[str], seeds: list[str], psis: list[float], labels: list[str]
                     ) -> tuple[list[list[tuple[Image.Image, str]]], list[str]]:
        """Gradio `batch=True` form of sample: lists in, lists out, one forward pass per model for all requests.

        The generator is in eval mode (BatchNorm uses its running statistics), so an image depends only on
        its own latent and label: batching changes no pixel. A bad request raises gr.Error, and Gradio fails
        the whole batch with it (its `validator=` does not take batched inputs in 6.31).
        """
        requests = [self.sample_request(*args) for args in zip(models, seeds, psis, labels)]
        galleries, grids = [None] * len(requests), [None] * len(requests)
        for model in dict.fromkeys(models):
            mine = [i for i, m in enumerate(models) if m == model]
            z = np.concatenate([requests[i][1] for i in mine])  # (sum of N, z_dim)
            images = generate(self.get(model, "gan").model, z, [y for i in mine for y in requests[i][2]])
            start = 0
            for i in mine:
                count = len(requests[i][0])
                galleries[i], grids[i] = self.sample_outputs(requests[i][0], images[start:start + count])
                start += count
        return galleries, grids

    def random_seeds(self, count: int = 16) -> str:
        """Seed text for `count` consecutive seeds from a random start, e.g. '40213-40228'."""
        start = int(np.random.default_rng().integers(0, 1_000_000))
        return f"{start}-{start + count - 1}"

    def interpolate(self, model: str, seed_a: int, seed_b: int, frames: int, psi: float, label: str) -> str:
        """Slerp from seed A's latent to seed B's in `frames` steps -> path of a looping GIF.

        With label 'any' a conditional GAN keeps seed A's class for every frame.
        """
        gan = self.get(model, "gan").model
        with user_errors():
            seed_a, seed_b = check_seed(seed_a, "seed A"), check_seed(seed_b, "seed B")
            frames = check_int(frames, "frames", *FRAMES_RANGE)
            psi = check_psi(psi)
            label_a = labels_for_seeds(gan, [seed_a], label or "any")[0]
        z_a, z_b = latent_from_seed(seed_a, gan.z_dim), latent_from_seed(seed_b, gan.z_dim)
        z = np.stack([slerp(z_a, z_b, t) for t in np.linspace(0, 1, frames)]) * np.float32(psi)  # (F, z_dim)
        images = generate(gan, z, [label_a] * frames)
        return self.write_output(gif_bytes([upscale(to_pil(i), GALLERY_SIDE) for i in images]), ".gif")

    # ---- tab 2: VAE latent sliders ---------------------------------------------------------------

    def slider_labels(self, model: str) -> list[str]:
        """One label per slider, most informative dimension first: 'z3 · 2.1 nats'."""
        stats = self.stats[model]
        if stats.kl is None:
            return [f"z{d}" for d in stats.order]
        return [f"z{d} · {stats.kl[d]:.1f} nats" if stats.kl[d] >= 0.95 else f"z{d} · {stats.kl[d]:.2f} nats"
                for d in stats.order]

    def slider_help(self, model: str) -> str:
        stats = self.stats[model]
        if stats.kl is None:
            return stats.note
        unused = int((stats.kl < LOW_KL).sum())
        return (f"Sliders are ordered by the KL of each dimension from the prior over the test split (in nats), "
                f"most informative first. A dimension with KL near 0 carries no information about the image: the "
                f"encoder leaves it at the prior and the decoder learned to ignore it, so its slider does little"
                f" ({unused} of {len(stats.kl)} are below {LOW_KL} nats).")

    def z_from_sliders(self, model: str, values) -> np.ndarray:
        """Slider values (slider order; extra sliders ignored) -> z (z_dim,) in dimension order."""
        vae = self.get(model, "vae").model
        order = self.stats[model].order
        with user_errors():
            values = check_vector(list(values)[:vae.z_dim], vae.z_dim, "slider values")
        z = np.zeros(vae.z_dim, np.float32)
        z[order] = values
        return z

    def slider_values(self, model: str, z) -> list[float]:
        """z (dimension order) -> one value per slider (slider order), each clipped to [-3, 3]."""
        vae = self.get(model, "vae").model
        with user_errors():
            z = check_vector(z, vae.z_dim, "z")
        return [round(float(np.clip(z[d], -Z_LIMIT, Z_LIMIT)), 2) for d in self.stats[model].order]

    def slide(self, model: str, z: list[float]) -> Image.Image:
        """z (z_dim numbers, dimension order) -> the decoded image, upscaled for display."""
        vae = self.get(model, "vae").model
        with user_errors():
            z = check_vector(z, vae.z_dim, "z")
        return upscale(to_pil(generate(vae, z[None])[0]), SLIDER_SIDE)

    def slide_sliders(self, model: str, *values: float) -> tuple[Image.Image, list[float]]:
        """The UI's slider event: slider values -> (image, z in dimension order)."""
        z = self.z_from_sliders(model, values)
        return self.slide(model, z), [round(float(v), 4) for v in z]

    def random_latent(self, model: str, seed: int) -> list[float]:
        """The latent a seed names (the same z the GAN convention uses), clipped to the sliders' range."""
        vae = self.get(model, "vae").model
        with user_errors():
            seed = check_seed(seed, "seed")
        return [round(float(v), 4) for v in np.clip(latent_from_seed(seed, vae.z_dim), -Z_LIMIT, Z_LIMIT)]

    def traverse(self, model: str, z: list[float]) -> Image.Image:
        """Each dimension (rows, most informative first) swept from -3 to +3 in 7 steps (columns), rest from z."""
        vae = self.get(model, "vae").model
        with user_errors():
            z = check_vector(z, vae.z_dim, "z")
        order = self.stats[model].order
        steps = np.linspace(-Z_LIMIT, Z_LIMIT, TRAVERSE_STEPS, dtype=np.float32)
        latents = np.repeat(z[None], len(order) * TRAVERSE_STEPS, axis=0)  # (z_dim * 7, z_dim)
        for row, d in enumerate(order):
            latents[row * TRAVERSE_STEPS:(row + 1) * TRAVERSE_STEPS, d] = steps
        sheet = to_pil(grid(generate(vae, latents), columns=TRAVERSE_STEPS))
        return upscale(sheet, 2 * max(sheet.size))

    def latent_map(self, model: str, dim_x: int, dim_y: int, z: list[float]
                   ) -> tuple[Image.Image, Image.Image | None, str]:
        """A 10x10 grid decoded over two dimensions (rest from z), the test split's means over the same
        square coloured by label (None without latents.safetensors), and a line saying what is shown."""
        vae = self.get(model, "vae").model
        with user_errors():
            z = check_vector(z, vae.z_dim, "z")
            dim_x = check_int(dim_x, "x dimension", 0, vae.z_dim - 1)
            dim_y = check_int(dim_y, "y dimension", 0, vae.z_dim - 1)
            if dim_x == dim_y:
                raise ValueError(f"pick two different dimensions (both are z{dim_x})")
        steps = np.linspace(-Z_LIMIT, Z_LIMIT, MAP_STEPS, dtype=np.float32)
        latents = np.repeat(z[None], MAP_STEPS * MAP_STEPS, axis=0)  # (100, z_dim), row-major: y down, x across
        latents[:, dim_y] = np.repeat(steps, MAP_STEPS)
        latents[:, dim_x] = np.tile(steps, MAP_STEPS)
        sheet = to_pil(grid(generate(vae, latents), columns=MAP_STEPS, padding=0))
        sheet = upscale(sheet, 2 * max(sheet.size))
        stats = self.stats[model]
        if stats.test_mu is None:
            return sheet, None, f"Decoded grid over z{dim_x} (across) and z{dim_y} (down), -3 to 3. {stats.note}"
        scatter = self.scatter(model, dim_x, dim_y)
        return sheet, scatter, (f"Decoded grid over z{dim_x} (across) and z{dim_y} (down), -3 to 3, other dimensions "
                                f"from the sliders; beside it the test split's {len(stats.test_mu)} posterior means on "
                                f"the same square, by label.")

    def scatter(self, model: str, dim_x: int, dim_y: int) -> Image.Image:
        key = (model, dim_x, dim_y)
        if key not in self.scatters:
            stats, names = self.stats[model], self.class_names(model)
            if len(self.scatters) >= 64:
                self.scatters.pop(next(iter(self.scatters)))
            self.scatters[key] = plots.latent_scatter(stats.test_mu[:, [dim_x, dim_y]], stats.test_labels, names,
                                                      (f"z{dim_x}", f"z{dim_y}"), Z_LIMIT)
        return self.scatters[key]

    def class_names(self, model: str) -> list[str]:
        checkpoint = self.checkpoints.get((model, "vae")) or self.checkpoints.get((model, "gan"))
        names = list(getattr(checkpoint.model, "class_names", []) or checkpoint.card.get("class_names") or [])
        stats = self.stats.get(model)
        count = int(stats.test_labels.max()) + 1 if stats is not None and stats.test_labels is not None else 0
        return names if len(names) >= count else [str(i) for i in range(count)]

    # ---- tab 3: encode / decode ------------------------------------------------------------------

    def preprocess(self, model: str, image) -> np.ndarray:
        """An upload, an array, or a sketchpad value -> (H, W, C) uint8 at the VAE's size."""
        vae = self.get(model, "vae").model
        if isinstance(image, dict) and "composite" in image:  # the sketchpad's {"background", "layers", "composite"}
            image = image["composite"]
        elif isinstance(image, dict):  # an upload event with preprocess=False: Gradio's FileData, {"path": ...}
            # Gradio has already checked that the path is in its upload cache; we open the file ourselves, so a
            # broken upload gets our message (what is wrong, what is accepted), not Gradio's preprocessing error.
            image = image.get("path")
            if not isinstance(image, str):
                raise gr.Error("no image: upload a picture of a digit or draw one in the sketchpad")
        if image is None:
            raise gr.Error("no image: upload a picture of a digit or draw one in the sketchpad")
        digits = (vae.image_size, vae.channels) == (28, 1)
        with user_errors():
            return model_input(image, vae.image_size, vae.channels, digits)

    def reconstruct(self, model: str, image) -> tuple[Image.Image, Image.Image, str, Image.Image, Image.Image, dict]:
        """Upload -> (model input, reconstruction, 'MSE · PSNR' text, latent mean/std chart,
        8 samples from q(z|x), numbers {mse, psnr_db, mu, std} with mu/std in dimension order)."""
        vae = self.get(model, "vae").model
        x = self.preprocess(model, image)  # (H, W, C) uint8
        mu, logvar = (t[0].numpy() for t in encode(vae, x[None]))  # (z_dim,) each
        std = np.exp(0.5 * logvar)
        recon = generate(vae, mu[None])[0]  # the decoder's mean at the posterior mean
        mse = float(np.mean((x.astype(np.float64) / 255 - recon.astype(np.float64) / 255) ** 2))
        psnr = 10 * math.log10(1 / mse) if mse > 0 else float("inf")
        eps = np.random.RandomState(0).randn(POSTERIOR_SAMPLES, vae.z_dim).astype(np.float32)
        draws = generate(vae, mu[None] + std[None] * eps)  # (8, H, W, C), z ~ q(z|x), seeded
        order = self.stats[model].order
        chart = latent_bars(mu[order], std[order], [f"z{d}" for d in order])
        numbers = {"mse": round(mse, 6), "psnr_db": round(psnr, 2), "mu": [round(float(v), 4) for v in mu],
                   "std": [round(float(v), 4) for v in std]}
        text = f"**MSE** {mse:.4f} · **PSNR** {psnr:.1f} dB (pixels in [0, 1])"
        strip = to_pil(grid(draws, columns=POSTERIOR_SAMPLES))
        return (upscale(to_pil(x), SLIDER_SIDE), upscale(to_pil(recon), SLIDER_SIDE), text, chart,
                upscale(strip, 3 * max(strip.size)), numbers)

    def latent_of(self, model: str, numbers: dict | None) -> list[float]:
        """reconstruct's numbers -> its posterior mean, for "edit in sliders"; gr.Error if nothing was encoded."""
        if not isinstance(numbers, dict) or "mu" not in numbers:
            raise gr.Error("nothing encoded yet: upload or draw an image in Encode / decode first")
        vae = self.get(model, "vae").model
        with user_errors():
            return [float(v) for v in check_vector(numbers["mu"], vae.z_dim, "the encoded latent")]

    # ---- model card ------------------------------------------------------------------------------

    def card(self, model: str, kind: str) -> tuple[str, Image.Image | None, Image.Image | None]:
        """card.json as markdown, and the samples and loss curves training left beside it."""
        checkpoint = self.checkpoints.get((model, kind))
        if checkpoint is None:
            return f"### {kind.upper()}\nNo {kind.upper()} checkpoint for **{model}**.", None, None
        return card_markdown(checkpoint, self.root), checkpoint.samples, checkpoint.curves

    def problems_markdown(self) -> str:
        if not self.problems:
            return ""
        return "**Some checkpoints did not load** (the rest work):\n" + "\n".join(f"- {p}" for p in self.problems)

    # ---- files for download / GIFs ---------------------------------------------------------------

    def write_output(self, data: bytes, suffix: str) -> str:
        """Write bytes to the output folder, named by content (repeats reuse the file); keep the newest few."""
        path = self.out_dir / f"{hashlib.sha1(data).hexdigest()[:16]}{suffix}"
        try:
            os.utime(path)  # a repeat: mark it newest, so the clean-up below does not take it while in use
            return str(path)
        except FileNotFoundError:
            pass
        # requests run side by side: each writes its own temp file (two identical requests must not share one)
        fd, tmp = tempfile.mkstemp(dir=self.out_dir, prefix=f".{path.stem}.", suffix=".tmp")
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
            stale.unlink(missing_ok=True)
        return str(path)


def card_markdown(checkpoint: Checkpoint, root: Path) -> str:
    """Dataset, size, how it was trained (command, time) and its numbers, as a two-column table."""
    card, path = checkpoint.card, checkpoint.path
    where = path.relative_to(root.parent) if path.is_relative_to(root.parent) else path
    minutes = card.get("wall_time_s")
    rows = [("dataset", f"{card.get('dataset', '?')} ({card.get('train_images', '?')} training images)"),
            ("parameters", f"{card.get('parameters', sum(p.numel() for p in checkpoint.model.parameters())):,}"),
            ("trained", f"{card.get('epochs', '?')} epochs, {card.get('steps', '?')} steps"
             + (f", {minutes / 60:.1f} min" if isinstance(minutes, (int, float)) else "")
             + f" on {card.get('device', '?')}")]
    commands = card.get("commands") or ([card["command"]] if card.get("command") else [])
    if commands:  # a run continued with --resume has one command per invocation
        rows.append(("command" if len(commands) == 1 else "commands", "<br>".join(f"`{c}`" for c in commands)))
    if card.get("note"):  # what the card's fields alone do not say, e.g. where a run was trained
        rows.append(("note", str(card["note"])))
    if isinstance(card.get("final_losses"), dict):
        rows.append(("final losses", " · ".join(f"{k} {v:.4g}" for k, v in scalars(card["final_losses"]))))
    if isinstance(card.get("metrics"), dict):
        rows += [(name.replace("_", " "), f"{value:.4g}") for name, value in scalars(card["metrics"])]
    return "\n".join([f"### {checkpoint.kind.upper()} · `{where}`", "| | |", "|---|---|",
                      *(f"| {k} | {v} |" for k, v in rows)])


def scalars(numbers: dict, prefix: str = "") -> list[tuple[str, float]]:
    """The numbers in a card section, nested dicts flattened one level ('samples fid'); lists and text left out."""
    found = []
    for key, value in numbers.items():
        if isinstance(value, bool) or key == "seed":
            continue
        if isinstance(value, (int, float)):
            found.append((f"{prefix}{key}", value))
        elif isinstance(value, dict) and not prefix:
            found += scalars(value, prefix=f"{key} ")
    return found


# ---- input checks (ValueError with what is accepted; user_errors turns them into gr.Error) ----------


def check_psi(psi) -> float:
    if not isinstance(psi, (int, float)) or not math.isfinite(psi) or not PSI_RANGE[0] <= psi <= PSI_RANGE[1]:
        raise ValueError(f"psi must be a number from {PSI_RANGE[0]} to {PSI_RANGE[1]}, got {psi!r}")
    return float(psi)


def check_int(value, what: str, low: int, high: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def check_seed(seed, what: str) -> int:
    return check_int(seed, what, 0, MAX_SEED)


def check_vector(values, length: int, what: str) -> np.ndarray:
    """A list of `length` finite numbers -> float32 (length,)."""
    try:
        array = np.asarray(values, dtype=np.float32)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} must be a list of {length} numbers, got {values!r:.80}") from e
    if array.shape != (length,) or not np.isfinite(array).all():
        raise ValueError(f"{what} must be a list of {length} finite numbers, got shape {array.shape}")
    return array
