"""Recipes: every PNG genimg writes says how it was made, in a PNG text chunk named "genimg" (JSON).

    {"genimg": "0.1.0", "model": "mnist", "network": "gan", "checkpoint": "3f2ab9c01d7e",
     "seeds": [42], "psi": 0.7, "label": "any", "offsets": [1.5, 0, -2], "directions": "9c1e0b7a4f22",
     "layout": {"columns": null, "scale": 1}}

`checkpoint` is the first 12 hex digits of the sha256 of the weights file (model.safetensors), so a recipe
names the exact network; `directions` the same for directions.safetensors when offsets are used. `psi` is
one number, or one per seed (a truncation sweep). An
inverted image has "z" (its latent, exact float32 values) and the class it was found with instead of seeds.
`layout` says how the pixels were arranged: one image (columns null) or genimg.images.grid with that many
columns, then scaled up by a whole factor (nearest neighbour).

`render` turns a recipe back into the same image, and so the same PNG bytes:

    python -m genimg.sample --from-png seed0042.png --out again.png     # cmp seed0042.png again.png

This module knows models only through genimg.sampling; it reads no checkpoint directory itself.
"""

import hashlib
import json
import math
from pathlib import Path

import numpy as np
from PIL import Image
from torch import nn

from .images import grid, read_png_text, to_pil
from .models import VAE, Generator
from .sampling import MAX_SEED, generate, labels_for_seeds, latents, latents_for_seeds, resolve_label, resolve_prior
from .version import __version__

KEY = "genimg"
MAX_LATENTS = 4096  # images in one recipe (a grid); the app's limit is 64


class RecipeError(ValueError):
    """A PNG without a genimg recipe, or a recipe genimg cannot follow; the message says which and why."""


_file_ids: dict[tuple[str, int, int], str] = {}


def file_id(path: Path) -> str:
    """First 12 hex digits of a file's sha256 (cached by path, size and modification time)."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _file_ids:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        _file_ids[key] = digest.hexdigest()[:12]
    return _file_ids[key]


def checkpoint_id(directory: Path) -> str:
    return file_id(Path(directory) / "model.safetensors")


def network_of(model: nn.Module) -> str:
    if isinstance(model, Generator):
        return "gan"
    if isinstance(model, VAE):
        return "vae"
    raise TypeError(f"no recipe for a {type(model).__name__}; expected a GAN generator or a VAE")


def class_name(model: nn.Module, label: int | None) -> str:
    """A class index -> its name ('any' for None), as recipes and the app's class selector write it."""
    if label is None:
        return "any"
    names = getattr(model, "class_names", None) or [str(i) for i in range(model.num_classes)]
    return names[label]


def make(model: nn.Module, name: str, checkpoint: str, *, seeds: list[int] | None = None, psi: float = 1.0,
         label: int | str | None = "any", offsets=None, directions: str | None = None, z=None,
         columns: int | None = None, scale: int = 1, prior: str | None = None) -> dict:
    """A recipe (the dict written as JSON). Give seeds (with psi, label, optional offsets) or z (one latent).
    A VAE's seeds also record the prior they were drawn from ('learned' or 'standard')."""
    recipe = {"genimg": __version__, "model": name, "network": network_of(model), "checkpoint": checkpoint}
    if z is not None:
        recipe["z"] = [float(v) for v in np.asarray(z, dtype=np.float32).reshape(-1)]  # exact: float32 in float64
    else:
        recipe["seeds"] = [int(s) for s in seeds]
        recipe["psi"] = [float(p) for p in psi] if isinstance(psi, (list, tuple, np.ndarray)) else float(psi)
        if recipe["network"] == "vae":
            recipe["prior"] = resolve_prior(model, prior)
    recipe["label"] = class_name(model, resolve_label(model, label))
    if offsets is not None and np.any(np.asarray(offsets) != 0):
        recipe["offsets"] = [float(v) for v in np.asarray(offsets, dtype=np.float32)]
        recipe["directions"] = directions
    recipe["layout"] = {"columns": columns, "scale": int(scale)}
    return recipe


def attach(image: Image.Image, recipe: dict) -> Image.Image:
    """Put the recipe on a PIL image (image.info), where genimg.images.png_bytes and Gradio both write it."""
    image.info[KEY] = json.dumps(recipe, separators=(", ", ": "))  # ASCII: a tEXt chunk any PNG reader shows
    return image


def read(source) -> dict:
    """The recipe of a PNG (path, bytes or PIL image); RecipeError if it has none or it is not one."""
    text = read_png_text(source, KEY)
    if text is None:
        raise RecipeError("this image has no genimg recipe: only PNGs written by genimg (the app's gallery, grid "
                          "and inversion images, python -m genimg.sample and genimg.invert) carry one")
    try:
        recipe = json.loads(text)
    except json.JSONDecodeError as e:
        raise RecipeError(f"the PNG's genimg text is not JSON ({e}); was it edited by hand?") from e
    check(recipe)
    return recipe


def check(recipe) -> None:
    """RecipeError unless the recipe has what render needs, with the right types."""
    if not isinstance(recipe, dict):
        raise RecipeError(f"a recipe is a JSON object, got {type(recipe).__name__}")
    for key in ("model", "network", "checkpoint", "label"):
        if not isinstance(recipe.get(key), str):
            raise RecipeError(f"recipe field {key!r} must be a string, got {recipe.get(key)!r:.60}")
    if recipe["network"] not in ("gan", "vae"):
        raise RecipeError(f"recipe network must be 'gan' or 'vae', got {recipe['network']!r}")
    if ("z" in recipe) == ("seeds" in recipe):
        raise RecipeError("a recipe has either 'seeds' (with 'psi') or 'z', not both and not neither")
    numbers = recipe.get("z", recipe.get("offsets", [])) or []
    if "z" in recipe and not (isinstance(recipe["z"], list) and recipe["z"]):
        raise RecipeError("recipe field 'z' must be a list of numbers")
    if "seeds" in recipe:
        seeds = recipe["seeds"]
        if not isinstance(seeds, list) or not 0 < len(seeds) <= MAX_LATENTS or not all(
                isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= MAX_SEED for s in seeds):
            raise RecipeError(f"recipe 'seeds' must be 1 to {MAX_LATENTS} integers from 0 to {MAX_SEED}")
        psi = recipe.get("psi")
        if not (is_number(psi) or (isinstance(psi, list) and len(psi) == len(seeds) and all(map(is_number, psi)))):
            raise RecipeError(f"recipe 'psi' must be a number (or one per seed), got {psi!r:.60}")
    if not isinstance(numbers, list) or not all(is_number(v) for v in numbers):
        raise RecipeError("recipe 'z' and 'offsets' must be lists of finite numbers")
    layout = recipe.get("layout")
    if not isinstance(layout, dict) or not (layout.get("columns") is None or is_count(layout.get("columns"))) \
            or not is_count(layout.get("scale")) or layout["scale"] > 64:
        raise RecipeError("recipe 'layout' must be {'columns': null or a whole number >= 1, 'scale': 1 to 64}")
    if layout["columns"] is None and len(recipe.get("seeds", [0])) != 1:
        raise RecipeError("a recipe of several seeds needs layout columns (it is a grid)")


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def arrange(images: np.ndarray, columns: int | None, scale: int) -> Image.Image:
    """(N, H, W, C) -> one PIL image: the first image alone (columns None) or a grid, scaled up by `scale`."""
    picture = to_pil(images[0] if columns is None else grid(images, columns=columns))
    if scale == 1:
        return picture
    return picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)


def picture(images: np.ndarray, recipe: dict) -> Image.Image:
    """Images made as the recipe says -> the PIL image carrying that recipe (what gets written)."""
    layout = recipe["layout"]
    return attach(arrange(images, layout["columns"], layout["scale"]), recipe)


def render(model: nn.Module, recipe: dict, directions: np.ndarray | None = None) -> Image.Image:
    """Follow a recipe with its model (and its directions when it has offsets) -> the same PIL image."""
    check(recipe)
    if network_of(model) != recipe["network"]:
        raise RecipeError(f"this recipe is for a {recipe['network'].upper()}, got a {type(model).__name__}")
    if "z" in recipe:
        z = np.asarray(recipe["z"], dtype=np.float32)
        if z.shape != (model.z_dim,):
            raise RecipeError(f"recipe z has {len(z)} numbers; this model's z_dim is {model.z_dim}")
        label = resolve_label(model, recipe["label"]) if isinstance(model, Generator) and model.num_classes else None
        images = generate(model, z[None], [label])
    else:
        labels = labels_for_seeds(model, recipe["seeds"], recipe["label"])
        if recipe.get("prior") == "learned":  # a VAE's seeds drawn from its learned prior
            z = latents_for_seeds(model, recipe["seeds"], recipe["psi"], "learned")
        else:
            z = latents(recipe["seeds"], model.z_dim, recipe["psi"], recipe.get("offsets"), directions)
        images = generate(model, z, labels)
    return picture(images, recipe)
