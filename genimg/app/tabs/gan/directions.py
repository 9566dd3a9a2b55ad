"""The GAN tab's discovered-direction editor (GANSpace, genimg/directions.py): one seed, or a latent found by
inversion, moved along the directions; and the truncation sweep of one seed. The browser does both
(web/views/directions.js, with the directions shipped beside the generator's browser weights); these handlers are
the page's fallback and an endpoint for programs (`edit`, `truncation_sweep`, undocumented).
"""

from collections.abc import Callable

import gradio as gr
import numpy as np
from PIL import Image

from .... import recipes
from ....checkpoints import CheckpointError
from ....directions import Directions, load_directions
from ....sampling import generate, labels_for_seeds, latents, resolve_label
from ...checks import check_psi, check_seed, check_vector, user_errors
from ...i18n import request_language, text
from ...limits import PICTURE_SIDE
from ...page import api_endpoint, view
from ...registry import Registry

SWEEP_STEPS = 9  # psi = 0, 0.125, ..., 1


class DirectionEditor:
    """`recipe(model, **fields)` makes the recipe every picture carries (GanTab.recipe)."""

    def __init__(self, registry: Registry, recipe: Callable[..., dict]):
        self.registry, self.recipe = registry, recipe
        self.loaded_directions: dict[str, Directions | None] = {}
        self.max_directions = max([len(d.vectors) for d in map(self.directions, registry.datasets("gan")) if d]
                                  or [0])

    def directions(self, model: str) -> Directions | None:
        """The GAN's discovered directions (directions.safetensors beside it), loaded once; None without the file."""
        if model not in self.loaded_directions:
            checkpoint = self.registry.checkpoints.get((model, "gan"))
            try:
                found = load_directions(checkpoint.path, checkpoint.model.z_dim) if checkpoint else None
            except CheckpointError as e:  # a broken file: the sliders stay hidden, the rest works
                self.registry.problems.append(f"{model}/gan directions: {e}")
                found = None
            self.loaded_directions[model] = found
        return self.loaded_directions[model]

    def edit(self, model: str, base: dict | None, seed, psi: float, label: str, offsets: list,
             request: gr.Request | None = None) -> Image.Image:
        """The direction sliders: seed (or a found latent, `base` = {"z", "label"}) moved along the discovered
        directions by `offsets` (one number per direction, in standard deviations)."""
        lang = request_language(request)
        gan, found = self.registry.get(model, "gan", lang).model, self.directions(model)
        if found is None:
            raise gr.Error(text("gan_no_directions", lang).format(model=model))
        with user_errors(lang):
            offsets = check_vector(list(offsets)[:len(found.vectors)], len(found.vectors), "direction offsets")
            if base:
                z = check_vector(base.get("z"), gan.z_dim, "the found latent") + offsets @ found.vectors
                fields = {"z": z, "label": base.get("label")}
                images = generate(gan, z[None], [resolve_label(gan, base.get("label"))])
            else:
                seed, psi = check_seed(seed, "seed"), check_psi(psi)
                label = label or "any"
                z = latents([seed], gan.z_dim, psi, offsets, found.vectors)
                images = generate(gan, z, labels_for_seeds(gan, [seed], label))
                directions_id = recipes.file_id(self.registry.get(model, "gan").path / "directions.safetensors")
                fields = {"seeds": [seed], "psi": psi, "label": label, "offsets": offsets, "directions": directions_id}
        scale = max(1, PICTURE_SIDE // max(images.shape[1:3]))
        return recipes.picture(images, self.recipe(model, scale=scale, **fields))

    def truncation_sweep(self, model: str, seed: int, label: str, request: gr.Request | None = None) -> Image.Image:
        """One seed at psi = 0, 0.125, ..., 1 in a row: from the average image to the seed's own."""
        lang = request_language(request)
        gan = self.registry.get(model, "gan", lang).model
        with user_errors(lang):
            seed, label = check_seed(seed, "seed"), label or "any"
            psis = [float(p) for p in np.linspace(0, 1, SWEEP_STEPS)]
            images = generate(gan, latents([seed] * SWEEP_STEPS, gan.z_dim, psis),
                              labels_for_seeds(gan, [seed] * SWEEP_STEPS, label))
        return recipes.picture(images, self.recipe(model, seeds=[seed] * SWEEP_STEPS, psi=psis, label=label,
                                                         columns=SWEEP_STEPS, scale=2))

    def build(self, i18n: gr.I18n) -> None:
        with gr.Accordion(i18n("gan_directions_accordion"), open=False, elem_id="gan-directions-section"):
            self.view = view("directions", "gan-directions")

    def wire(self, model: gr.Dropdown, psi: gr.Slider, label: gr.Dropdown) -> None:
        hidden = {"api_visibility": "undocumented", "concurrency_id": "gan", "concurrency_limit": 2}
        seed = gr.Number(visible=False)
        api_endpoint(self.edit, [model, gr.JSON(visible=False), seed, psi, label, gr.JSON(visible=False)],
                     gr.Image(format="png"), api_name="edit", **hidden)
        api_endpoint(self.truncation_sweep, [model, seed, label], gr.Image(format="png"), api_name="truncation_sweep",
                     **hidden)
