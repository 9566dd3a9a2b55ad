"""Tab "VAE: latent sliders": one slider per latent dimension (most informative first), a seed's latent under
the learned or the standard prior, a traversal grid, and a 2-D latent map beside the test split's encodings
and the learned prior's density contours.

Public events (README "API"): `slide(model, z)`, `traverse(model, z)`, `latent_map(model, dim_x, dim_y, z)`;
`z` is a list of z_dim numbers in dimension order. The sliders themselves are in KL order.
"""

import gradio as gr
import numpy as np
from PIL import Image

from ... import plots
from ...images import grid, to_pil, upscale
from ...models.vae import LOW_KL
from ...sampling import generate, latents_for_seeds
from ..checks import Z_LIMIT, check_int, check_seed, check_vector, user_errors
from ..i18n import request_language, text
from ..registry import Registry

SLIDER_SIDE = 256  # display size of the decoded image
TRAVERSE_STEPS = 7
MAP_STEPS = 10
CONTOUR_STEPS = 81  # the learned prior's density is evaluated on an 81x81 grid over the map's square
CONTOUR_MASSES = (0.99, 0.9, 0.5)  # contours enclosing these shares of the prior's mass (outermost first)


class VaeTab:
    """The VAE tab's handlers and, after `build`, its components. `model` arguments are dataset names."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.scatters: dict[tuple[str, int, int], Image.Image] = {}

    # ---- handlers ------------------------------------------------------------------------------

    def slider_labels(self, model: str) -> list[str]:
        """One label per slider, most informative dimension first: 'z3 · 2.1 nats'."""
        stats = self.registry.stats[model]
        if stats.kl is None:
            return [f"z{d}" for d in stats.order]
        return [f"z{d} · {stats.kl[d]:.1f} nats" if stats.kl[d] >= 0.95 else f"z{d} · {stats.kl[d]:.2f} nats"
                for d in stats.order]

    def slider_help(self, model: str, lang: str) -> str:
        """The line above the sliders: why they are in this order, and how many do little."""
        kl = self.registry.stats[model].kl
        if kl is None:
            return text("vae_no_latents", lang).format(model=model)
        return text("vae_slider_help", lang).format(unused=int((kl < LOW_KL).sum()), total=len(kl),
                                                    threshold=LOW_KL)

    def z_from_sliders(self, model: str, values) -> np.ndarray:
        """Slider values (slider order; extra sliders ignored) -> z (z_dim,) in dimension order."""
        vae = self.registry.get(model, "vae").model
        order = self.registry.stats[model].order
        with user_errors():
            values = check_vector(list(values)[:vae.z_dim], vae.z_dim, "slider values")
        z = np.zeros(vae.z_dim, np.float32)
        z[order] = values
        return z

    def slider_values(self, model: str, z) -> list[float]:
        """z (dimension order) -> one value per slider (slider order), each clipped to [-3, 3]."""
        vae = self.registry.get(model, "vae").model
        with user_errors():
            z = check_vector(z, vae.z_dim, "z")
        return [round(float(np.clip(z[d], -Z_LIMIT, Z_LIMIT)), 2) for d in self.registry.stats[model].order]

    def slide(self, model: str, z: list[float]) -> Image.Image:
        """z (z_dim numbers, dimension order) -> the decoded image, upscaled for display."""
        vae = self.registry.get(model, "vae").model
        with user_errors():
            z = check_vector(z, vae.z_dim, "z")
        return upscale(to_pil(generate(vae, z[None])[0]), SLIDER_SIDE)

    def slide_sliders(self, model: str, *values: float) -> tuple[Image.Image, list[float]]:
        """The UI's slider event: slider values -> (image, z in dimension order)."""
        z = self.z_from_sliders(model, values)
        return self.slide(model, z), [round(float(v), 4) for v in z]

    def random_latent(self, model: str, seed: int, prior: str | None = None) -> list[float]:
        """The latent a seed names under the VAE's learned prior or the standard N(0, I) (None: learned when the
        VAE has one; genimg.sample's convention), clipped to the sliders' range."""
        vae = self.registry.get(model, "vae").model
        with user_errors():
            seed = check_seed(seed, "seed")
            z = latents_for_seeds(vae, [seed], prior=prior)[0]
        return [round(float(v), 4) for v in np.clip(z, -Z_LIMIT, Z_LIMIT)]

    def latent_of(self, model: str, numbers: dict | None) -> list[float]:
        """The encode tab's numbers -> its posterior mean, for "from upload"; gr.Error if nothing was encoded."""
        if not isinstance(numbers, dict) or "mu" not in numbers:
            raise gr.Error("nothing encoded yet: upload or draw an image in Encode / decode first")
        vae = self.registry.get(model, "vae").model
        with user_errors():
            return [float(v) for v in check_vector(numbers["mu"], vae.z_dim, "the encoded latent")]

    def traverse(self, model: str, z: list[float]) -> Image.Image:
        """Each dimension (rows, most informative first) swept from -3 to +3 in 7 steps (columns), rest from z."""
        vae = self.registry.get(model, "vae").model
        with user_errors():
            z = check_vector(z, vae.z_dim, "z")
        order = self.registry.stats[model].order
        steps = np.linspace(-Z_LIMIT, Z_LIMIT, TRAVERSE_STEPS, dtype=np.float32)
        latents = np.repeat(z[None], len(order) * TRAVERSE_STEPS, axis=0)  # (z_dim * 7, z_dim)
        for row, d in enumerate(order):
            latents[row * TRAVERSE_STEPS:(row + 1) * TRAVERSE_STEPS, d] = steps
        sheet = to_pil(grid(generate(vae, latents), columns=TRAVERSE_STEPS))
        return upscale(sheet, 2 * max(sheet.size))

    def latent_map(self, model: str, dim_x: int, dim_y: int, z: list[float], request: gr.Request = None
                   ) -> tuple[Image.Image, Image.Image | None, str]:
        """A 10x10 grid decoded over two dimensions (rest from z), beside it the same square with the test
        split's means by label and the learned prior's density contours (None with neither), and a line
        saying what is shown."""
        vae = self.registry.get(model, "vae").model
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
        stats, lang = self.registry.stats[model], request_language(request)
        note = text("vae_map_note", lang).format(x=dim_x, y=dim_y)
        if stats.test_mu is not None:
            note += " " + text("vae_map_note_scatter", lang).format(count=len(stats.test_mu))
        else:
            note += " " + stats.note
        if vae.prior is not None:
            note += " " + text("vae_map_note_contours", lang).format(components=vae.prior.num_components)
        if stats.test_mu is None and vae.prior is None:
            return sheet, None, note
        return sheet, self.scatter(model, dim_x, dim_y), note

    def scatter(self, model: str, dim_x: int, dim_y: int) -> Image.Image:
        """The map's square: test-split means by label (when known) and the learned prior's contours (if any)."""
        key = (model, dim_x, dim_y)
        if key not in self.scatters:
            stats, names = self.registry.stats[model], self.registry.class_names(model)
            if len(self.scatters) >= 64:
                self.scatters.pop(next(iter(self.scatters)))
            points = stats.test_mu[:, [dim_x, dim_y]] if stats.test_mu is not None else None
            self.scatters[key] = plots.latent_scatter(points, stats.test_labels, names, (f"z{dim_x}", f"z{dim_y}"),
                                                      Z_LIMIT, self.prior_contours(model, dim_x, dim_y))
        return self.scatters[key]

    def prior_contours(self, model: str, dim_x: int, dim_y: int) -> tuple | None:
        """The learned prior's 2-D marginal over (dim_x, dim_y) as plots.latent_scatter's `contours`, or None."""
        prior = self.registry.get(model, "vae").model.prior
        if prior is None:
            return None
        marginal = prior.marginal([dim_x, dim_y])
        steps = np.linspace(-Z_LIMIT, Z_LIMIT, CONTOUR_STEPS)
        xs, ys = np.meshgrid(steps, steps)  # rows = y
        density = marginal.log_density(np.stack([xs.ravel(), ys.ravel()], 1)).reshape(xs.shape)
        levels = marginal.mass_levels(list(CONTOUR_MASSES))  # ascending: the 99% contour has the lowest density
        return (density, levels, [f"{m:.0%}" for m in CONTOUR_MASSES],
                f"learned prior ({prior.num_components} components): 50/90/99% of its mass")

    def show_latent(self, model: str, z) -> list:
        """z (dimension order) -> slider values (clipped to the sliders' range), z itself, and its image."""
        values = self.slider_values(model, z)
        z = self.z_from_sliders(model, values).tolist()
        return [*values, *[0.0] * (len(self.sliders) - len(values)), z, self.slide(model, z)]

    def on_model(self, model: str, lang: str) -> list:
        """Updates for `model_outputs`: the note, one slider per dimension (labelled), z, the image, the dims."""
        if (model, "vae") not in self.registry.checkpoints:
            note = self.registry.missing_note(model, "vae", lang)
            return [gr.Markdown(note), *[gr.Slider(visible=False) for _ in self.sliders], None, None,
                    gr.Dropdown(), gr.Dropdown(), gr.Radio()]
        labels, z_dim = self.slider_labels(model), self.registry.get(model, "vae").model.z_dim
        order = self.registry.stats[model].order
        dims = [(f"z{d}", int(d)) for d in order]
        z = [0.0] * z_dim
        return [gr.Markdown(self.slider_help(model, lang)),
                *[gr.Slider(label=labels[k], value=0.0, visible=True) if k < z_dim else gr.Slider(visible=False)
                  for k in range(len(self.sliders))],
                z, self.slide(model, z), gr.Dropdown(choices=dims, value=int(order[0])),
                gr.Dropdown(choices=dims, value=int(order[min(1, z_dim - 1)])),
                self.prior_switch(model)]

    def prior_switch(self, model: str):
        """The prior switch for this model: learned by default; standard only when the VAE has no learned prior."""
        learned = self.registry.get(model, "vae").model.prior is not None
        return gr.Radio(value="learned" if learned else "standard", interactive=learned)

    # ---- layout and events ---------------------------------------------------------------------

    def build(self, model: gr.Dropdown, i18n: gr.I18n, first: str | None) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and wire its events."""
        count = self.registry.max_z_dim  # one slider per dimension of the widest VAE; extras hidden per model
        first_order = [int(d) for d in self.registry.stats[first].order] if first in self.registry.stats else []
        all_dims = [(f"z{d}", d) for d in first_order + [d for d in range(count) if d not in first_order]]
        with gr.Tab(i18n("vae_tab"), id="vae", elem_id="tab-vae"):
            self.help = gr.Markdown()
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    self.image = gr.Image(label=i18n("vae_image_label"), format="png", interactive=False,
                                          elem_id="vae-image", elem_classes="pixelated", height=256)
                    with gr.Row():
                        latent_seed = gr.Number(0, label=i18n("vae_seed_label"), precision=0, minimum=0,
                                                min_width=90)
                        random_latent = gr.Button(i18n("vae_random_button"), size="sm", min_width=70)
                    self.prior = gr.Radio([(i18n("vae_prior_learned"), "learned"),
                                           (i18n("vae_prior_standard"), "standard")], value="learned",
                                          label=i18n("vae_prior_label"), info=i18n("vae_prior_info"),
                                          elem_id="vae-prior")
                    with gr.Row():
                        zero = gr.Button(i18n("vae_reset_button"), size="sm", min_width=70)
                        self.from_upload = gr.Button(i18n("vae_from_upload_button"), size="sm", min_width=70)
                with gr.Column(scale=3), gr.Row(elem_id="vae-sliders"):  # wraps: as many per line as fit
                    # labels ("z3 · 2.1 nats") are set per model by on_model: numbers, the same in any language
                    self.sliders = [gr.Slider(-Z_LIMIT, Z_LIMIT, value=0.0, step=0.01, label=f"z{k}",
                                              elem_id=f"z-slider-{k}", min_width=220) for k in range(count)]
            with gr.Accordion(i18n("vae_z_accordion"), open=False):
                self.z_json = gr.JSON([0.0] * count, label=i18n("vae_z_label"))
                slide_button = gr.Button(i18n("vae_decode_button"), size="sm")
            with gr.Accordion(i18n("vae_traversal_accordion"), open=False):
                traverse = gr.Button(i18n("vae_traverse_button"), size="sm")
                traverse_image = gr.Image(label=i18n("vae_traversal_label"), format="png", interactive=False,
                                          elem_classes="pixelated", height=640)
            with gr.Accordion(i18n("vae_map_accordion"), open=False):
                with gr.Row():
                    self.dim_x = gr.Dropdown(all_dims, value=all_dims[0][1] if all_dims else None,
                                             label=i18n("vae_dim_x_label"), min_width=100)
                    self.dim_y = gr.Dropdown(all_dims, value=all_dims[1][1] if len(all_dims) > 1 else None,
                                             label=i18n("vae_dim_y_label"), min_width=100)
                    draw_map = gr.Button(i18n("vae_map_button"), size="sm", min_width=100)
                map_note = gr.Markdown(label=i18n("vae_map_note_label"))
                with gr.Row():
                    map_image = gr.Image(label=i18n("vae_map_label"), format="png", interactive=False,
                                         elem_classes="pixelated", height=440, min_width=280)
                    scatter_image = gr.Image(label=i18n("vae_scatter_label"), format="png", interactive=False,
                                             height=440, min_width=280)

        # the slider event is cheap (about 1 ms), so it skips the queue and shows no progress overlay
        quiet = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}
        vae_queue = {"concurrency_id": "vae", "concurrency_limit": 2}
        gr.on([s.input for s in self.sliders], self.slide_sliders, [model, *self.sliders], [self.image, self.z_json],
              trigger_mode="always_last", api_name="slide_sliders", **quiet)
        slide_button.click(self.slide, [model, self.z_json], self.image, api_name="slide", queue=False,
                           show_progress="hidden")
        random_latent.click(lambda m, s, p: self.show_latent(m, self.random_latent(m, s, p)),
                            [model, latent_seed, self.prior], self.latent_outputs(), api_name="random_latent",
                            **quiet)
        zero.click(lambda m: self.show_latent(m, [0.0] * self.registry.get(m, "vae").model.z_dim), model,
                   self.latent_outputs(), api_name="reset_latent", **quiet)
        traverse.click(self.traverse, [model, self.z_json], traverse_image, api_name="traverse", **vae_queue)
        draw_map.click(self.latent_map, [model, self.dim_x, self.dim_y, self.z_json],
                       [map_image, scatter_image, map_note], api_name="latent_map", **vae_queue)

    def latent_outputs(self) -> list:
        """What setting a latent updates: every slider, z, the image."""
        return [*self.sliders, self.z_json, self.image]

    def model_outputs(self) -> list:
        return [self.help, *self.sliders, self.z_json, self.image, self.dim_x, self.dim_y, self.prior]

    def wire_encoded(self, model: gr.Dropdown, numbers: gr.JSON, edit: gr.Button, tabs: gr.Tabs) -> None:
        """"from upload" here and "Edit in sliders" on the encode tab: the encoded latent onto the sliders."""
        quiet = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}
        self.from_upload.click(lambda m, n: self.show_latent(m, self.latent_of(m, n)), [model, numbers],
                               self.latent_outputs(), api_name="latent_from_upload", **quiet)
        edit.click(lambda m, n: [*self.show_latent(m, self.latent_of(m, n)), gr.Tabs(selected="vae")],
                   [model, numbers], [*self.latent_outputs(), tabs], api_name="edit_in_sliders", **quiet)
