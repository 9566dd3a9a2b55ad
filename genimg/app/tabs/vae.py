"""Tab "VAE: latent sliders": one slider per latent dimension (most informative first), a seed's latent under
the learned or the standard prior, a traversal grid, and a 2-D latent map beside the test split's encodings
and the learned prior's density contours.

Public events (README "API"): `slide(model, z)`, `traverse(model, z)`, `latent_map(model, dim_x, dim_y, z)`;
`z` is a list of z_dim numbers in dimension order. The sliders themselves are in KL order.
"""

import gradio as gr
import numpy as np
from PIL import Image

from ...images import grid, labelled_grid, to_pil, upscale
from ...models.vae import LOW_KL
from ...sampling import generate, latents_for_seeds
from .. import charts
from ..charts import contour_lines
from ..checks import Z_LIMIT, app_error, check_int, check_seed, check_vector, user_errors
from ..i18n import DEFAULT_LANGUAGE, request_language, text
from ..registry import Registry
from . import live

SLIDER_SIDE = 256  # display size of the decoded image
TRAVERSE_STEPS = 7
TRAVERSE_CELL = 56  # about this many pixels per traversal image (MNIST's 28 twice, emoji's 64 once)
MAP_STEPS = 10
CONTOUR_STEPS = 81  # the learned prior's density is evaluated on an 81x81 grid over the map's square
CONTOUR_MASSES = (0.99, 0.9, 0.5)  # contours enclosing these shares of the prior's mass (outermost first)


class VaeTab:
    """The VAE tab's handlers and, after `build`, its components. `model` arguments are dataset names."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.scatters: dict[tuple[str, int, int, str], gr.ScatterPlot] = {}

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
        unused = int((kl < LOW_KL).sum())
        return text("vae_slider_help", lang).format(total=len(kl), threshold=LOW_KL, unused=text(
            "vae_unused_none" if unused == 0 else "vae_unused_one" if unused == 1 else "vae_unused_many",
            lang).format(count=unused, total=len(kl), threshold=LOW_KL))

    def z_from_sliders(self, model: str, values, lang: str = DEFAULT_LANGUAGE) -> np.ndarray:
        """Slider values (slider order; extra sliders ignored) -> z (z_dim,) in dimension order."""
        vae = self.registry.get(model, "vae", lang).model
        order = self.registry.stats[model].order
        with user_errors(lang):
            values = check_vector(list(values)[:vae.z_dim], vae.z_dim, "slider values")
        z = np.zeros(vae.z_dim, np.float32)
        z[order] = values
        return z

    def slider_values(self, model: str, z, lang: str = DEFAULT_LANGUAGE) -> list[float]:
        """z (dimension order) -> one value per slider (slider order), each clipped to [-3, 3]."""
        vae = self.registry.get(model, "vae", lang).model
        with user_errors(lang):
            z = check_vector(z, vae.z_dim, "z")
        return [round(float(np.clip(z[d], -Z_LIMIT, Z_LIMIT)), 2) for d in self.registry.stats[model].order]

    def slide(self, model: str, z: list[float], request: gr.Request | None = None) -> Image.Image:
        """z (z_dim numbers, dimension order) -> the decoded image, upscaled for display."""
        lang = request_language(request)
        vae = self.registry.get(model, "vae", lang).model
        with user_errors(lang):
            z = check_vector(z, vae.z_dim, "z")
        return upscale(to_pil(generate(vae, z[None])[0]), SLIDER_SIDE)

    def slide_sliders(self, model: str, *values: float) -> tuple[Image.Image, list[float]]:
        """The UI's slider event: slider values -> (image, z in dimension order)."""
        z = self.z_from_sliders(model, values)
        return self.slide(model, z), [round(float(v), 4) for v in z]

    def random_latent(self, model: str, seed: int, prior: str | None = None, lang: str = DEFAULT_LANGUAGE
                      ) -> list[float]:
        """The latent a seed names under the VAE's learned prior or the standard N(0, I) (None: learned when the
        VAE has one; genimg.sample's convention), clipped to the sliders' range."""
        vae = self.registry.get(model, "vae", lang).model
        with user_errors(lang):
            seed = check_seed(seed, "seed")
            z = latents_for_seeds(vae, [seed], prior=prior)[0]
        return [round(float(v), 4) for v in np.clip(z, -Z_LIMIT, Z_LIMIT)]

    def latent_of(self, model: str, numbers: dict | None, lang: str = DEFAULT_LANGUAGE) -> list[float]:
        """The encode tab's numbers -> its posterior mean, for "from upload"; gr.Error if nothing was encoded."""
        if not isinstance(numbers, dict) or "mu" not in numbers:
            raise app_error("error_nothing_encoded", lang)
        vae = self.registry.get(model, "vae", lang).model
        with user_errors(lang):
            return [float(v) for v in check_vector(numbers["mu"], vae.z_dim, "the encoded latent")]

    def traverse(self, model: str, z: list[float], request: gr.Request | None = None) -> Image.Image:
        """Each dimension (rows, most informative first, labelled z3 ...) swept from -3 to +3 in 7 steps (columns,
        labelled), the other dimensions from z."""
        lang = request_language(request)
        vae = self.registry.get(model, "vae", lang).model
        with user_errors(lang):
            z = check_vector(z, vae.z_dim, "z")
        order = self.registry.stats[model].order
        steps = np.linspace(-Z_LIMIT, Z_LIMIT, TRAVERSE_STEPS, dtype=np.float32)
        latents = np.repeat(z[None], len(order) * TRAVERSE_STEPS, axis=0)  # (z_dim * 7, z_dim)
        for row, d in enumerate(order):
            latents[row * TRAVERSE_STEPS:(row + 1) * TRAVERSE_STEPS, d] = steps
        return labelled_grid(generate(vae, latents), TRAVERSE_STEPS, [f"z{d}" for d in order],
                             [f"{v:+g}" if v else "0" for v in steps], scale=max(1, TRAVERSE_CELL // vae.image_size))

    def latent_map(self, model: str, dim_x: int, dim_y: int, z: list[float], request: gr.Request | None = None
                   ) -> tuple[Image.Image, gr.ScatterPlot | None, str]:
        """A 10x10 grid decoded over two dimensions (rest from z), the test split's means over the same
        square with the test split's means by label and the learned prior's density contours (None with neither),
        and a line saying what is shown."""
        lang = request_language(request)
        vae = self.registry.get(model, "vae", lang).model
        with user_errors(lang):
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
        stats = self.registry.stats[model]
        if stats.test_mu is None:
            note = text("vae_map_note_no_scatter", lang).format(x=dim_x, y=dim_y, note=stats.note)
        else:
            note = text("vae_map_note", lang).format(x=dim_x, y=dim_y, count=len(stats.test_mu))
        if vae.prior is not None:
            note += " " + text("vae_map_note_contours", lang).format(components=vae.prior.num_components)
        if stats.test_mu is None and vae.prior is None:
            return sheet, None, note
        return sheet, self.scatter(model, dim_x, dim_y, lang), note

    def scatter(self, model: str, dim_x: int, dim_y: int, lang: str) -> gr.ScatterPlot:
        """The map's square: test-split means by label (when known) and the learned prior's contours (if any)."""
        key = (model, dim_x, dim_y, lang)
        if key not in self.scatters:
            stats, names = self.registry.stats[model], self.registry.class_names(model)
            if len(self.scatters) >= 64:
                self.scatters.pop(next(iter(self.scatters)))
            points = stats.test_mu[:, [dim_x, dim_y]] if stats.test_mu is not None else None
            self.scatters[key] = charts.latent_scatter(points, stats.test_labels, names, (dim_x, dim_y), Z_LIMIT, lang,
                                                       self.prior_contours(model, dim_x, dim_y, lang))
        return self.scatters[key]

    def prior_contours(self, model: str, dim_x: int, dim_y: int, lang: str = DEFAULT_LANGUAGE) -> list | None:
        """The learned prior's 2-D marginal over (dim_x, dim_y) as charts.latent_scatter's `contours`: for 50%, 90%
        and 99% of its mass, the name of the line and its (M, 2) points; None without a learned prior."""
        prior = self.registry.get(model, "vae", lang).model.prior
        if prior is None:
            return None
        marginal = prior.marginal([dim_x, dim_y])
        steps = np.linspace(-Z_LIMIT, Z_LIMIT, CONTOUR_STEPS)
        xs, ys = np.meshgrid(steps, steps)  # rows = y
        density = marginal.log_density(np.stack([xs.ravel(), ys.ravel()], 1)).reshape(xs.shape)
        levels = marginal.mass_levels(list(CONTOUR_MASSES))  # ascending: the 99% contour has the lowest density
        return [(text("chart_prior_contour", lang).format(mass=f"{mass:.0%}"), line)
                for mass, level in zip(CONTOUR_MASSES, levels) for line in contour_lines(steps, density, level)]

    def show_latent(self, model: str, z, lang: str = DEFAULT_LANGUAGE) -> list:
        """z (dimension order) -> slider values (clipped to the sliders' range), z itself, and its image."""
        values = self.slider_values(model, z, lang)
        z = self.z_from_sliders(model, values, lang).tolist()
        return [*values, *[0.0] * (len(self.sliders) - len(values)), z, self.slide(model, z)]

    def show_random(self, model: str, seed: int, prior: str | None, request: gr.Request) -> list:
        """"random": the seed's latent (under the chosen prior) onto the sliders."""
        lang = request_language(request)
        return self.show_latent(model, self.random_latent(model, seed, prior, lang), lang)

    def show_zero(self, model: str, request: gr.Request) -> list:
        """"reset to 0": every slider to the prior's mean."""
        lang = request_language(request)
        return self.show_latent(model, [0.0] * self.registry.get(model, "vae", lang).model.z_dim, lang)

    def show_encoded(self, model: str, numbers: dict | None, request: gr.Request) -> list:
        """"from upload": the latent of the last image encoded on the encode tab, or why there is none."""
        lang = request_language(request)
        return self.show_latent(model, self.latent_of(model, numbers, lang), lang)

    def on_model(self, model: str, lang: str) -> list:
        """Updates for `model_outputs`: the note, one slider per dimension (labelled), z, the image, the dims, and
        the old model's traversal, map, scatter and map note cleared."""
        cleared = [None, None, None, ""]
        if (model, "vae") not in self.registry.checkpoints:
            note = self.registry.missing_note(model, "vae", lang)
            return [gr.Markdown(note), *[gr.Slider(visible=False) for _ in self.sliders], None, None,
                    gr.Dropdown(), gr.Dropdown(), *cleared, gr.Radio()]
        labels, z_dim = self.slider_labels(model), self.registry.get(model, "vae").model.z_dim
        order = self.registry.stats[model].order
        dims = [(f"z{d}", int(d)) for d in order]
        z = [0.0] * z_dim
        return [gr.Markdown(self.slider_help(model, lang)),
                *[gr.Slider(label=labels[k], value=0.0, visible=True) if k < z_dim else gr.Slider(visible=False)
                  for k in range(len(self.sliders))],
                z, self.slide(model, z), gr.Dropdown(choices=dims, value=int(order[0])),
                gr.Dropdown(choices=dims, value=int(order[min(1, z_dim - 1)])), *cleared,
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
                    # what the user sees is the canvas of live.vae_picture (drawn in the browser while a hand
                    # moves); the server's pictures land in the hidden self.image, and a js hook copies them there
                    self.picture = live.vae_picture("vae_image_label")
                    self.image = gr.Image(format="png", interactive=False, elem_id="vae-image-server",
                                          visible="hidden")
                    self.live = live.vae_live()  # the sliders' server path (live.py)
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
                with gr.Column(scale=3, min_width=260), gr.Row(elem_id="vae-sliders"):  # wraps: as many per line as fit
                    # labels ("z3 · 2.1 nats") are set per model by on_model: numbers, the same in any language
                    self.sliders = [gr.Slider(-Z_LIMIT, Z_LIMIT, value=0.0, step=0.01, label=f"z{k}",
                                              elem_id=f"z-slider-{k}", min_width=220) for k in range(count)]
            with gr.Accordion(i18n("vae_z_accordion"), open=False):
                self.z_json = gr.JSON([0.0] * count, label=i18n("vae_z_label"))
                slide_button = gr.Button(i18n("vae_decode_button"), size="sm")
            with gr.Accordion(i18n("vae_traversal_accordion"), open=False):
                traverse = gr.Button(i18n("vae_traverse_button"), size="sm")
                # no fixed height: the picture keeps its own size (about 56 px per image, rows and columns
                # labelled), so 32 rows of emoji stay readable; the page scrolls instead
                self.traverse_image = gr.Image(label=i18n("vae_traversal_label"), format="png",
                                               interactive=False, elem_classes=["pixelated", "natural-size"],
                                               elem_id="vae-traversal", show_label=False)
            with gr.Accordion(i18n("vae_map_accordion"), open=False):
                with gr.Row():
                    self.dim_x = gr.Dropdown(all_dims, value=all_dims[0][1] if all_dims else None,
                                             label=i18n("vae_dim_x_label"), min_width=100)
                    self.dim_y = gr.Dropdown(all_dims, value=all_dims[1][1] if len(all_dims) > 1 else None,
                                             label=i18n("vae_dim_y_label"), min_width=100)
                    draw_map = gr.Button(i18n("vae_map_button"), size="sm", min_width=100)
                self.map_note = gr.Markdown(label=i18n("vae_map_note_label"), elem_id="vae-map-note")
                with gr.Row():
                    self.map_image = gr.Image(label=i18n("vae_map_label"), format="png", interactive=False,
                                              elem_classes="pixelated", height=440, min_width=280,
                                              elem_id="vae-map")
                    self.scatter_plot = gr.ScatterPlot(**charts.PLOT_COLUMNS["scatter"], height=400,
                                                       min_width=280, show_label=False, elem_id="vae-scatter")
                self.pad = live.vae_pad()  # the same square, live in the browser: click or drag on it

        # The slider event is cheap (about 1 ms) and cannot fail, so it skips the queue and shows no progress.
        # Every other event is queued even when quick: only queued events show their error (a toast) when they fail.
        quiet = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}
        quick = {"show_progress": "hidden", "api_visibility": "undocumented"}
        vae_queue = {"concurrency_id": "vae", "concurrency_limit": 2}
        # While the in-browser runtime is live, a slider's input is drawn by live.js (no request); otherwise the js
        # hook triggers self.live's input event, the server path it always was (live.py explains).
        gr.on([s.input for s in self.sliders], None, [model, *self.sliders], [self.image, self.z_json],
              js=live.VAE_SLIDE_JS, queue=False, show_progress="hidden")
        self.live.input(self.slide_sliders, [model, *self.sliders], [self.image, self.z_json],
                        trigger_mode="always_last", api_name="slide_sliders", **quiet)
        self.image.change(None, self.image, None, js=live.SHOW_SERVER_PICTURE_JS, queue=False,
                          show_progress="hidden")
        slide_button.click(self.slide, [model, self.z_json], self.image, api_name="slide", show_progress="hidden")
        random_latent.click(self.show_random, [model, latent_seed, self.prior], self.latent_outputs(),
                            api_name="random_latent", **quick)
        zero.click(self.show_zero, model, self.latent_outputs(), api_name="reset_latent", **quick)
        traverse.click(self.traverse, [model, self.z_json], self.traverse_image, api_name="traverse", **vae_queue)
        draw_map.click(self.latent_map, [model, self.dim_x, self.dim_y, self.z_json],
                       [self.map_image, self.scatter_plot, self.map_note], api_name="latent_map", **vae_queue)
        # the latent pad (browser only): drawn with the map, then a click or drag moves two sliders and the picture
        gr.on([draw_map.click, self.dim_x.input, self.dim_y.input], None, [model, self.dim_x, self.dim_y, self.z_json],
              None, js=live.PAD_MAP_JS, queue=False, show_progress="hidden")
        self.pad.input(None, [model, *self.sliders], [*self.sliders, self.image, self.z_json], js=live.PAD_SLIDE_JS,
                       queue=False, show_progress="hidden")

    def latent_outputs(self) -> list:
        """What setting a latent updates: every slider, z, the image."""
        return [*self.sliders, self.z_json, self.image]

    def model_outputs(self) -> list:
        return [self.help, *self.sliders, self.z_json, self.image, self.dim_x, self.dim_y, self.traverse_image,
                self.map_image, self.scatter_plot, self.map_note, self.prior]

    def wire_encoded(self, model: gr.Dropdown, numbers: gr.JSON, edit: gr.Button, tabs: gr.Tabs) -> None:
        """"from upload" here and "Edit in sliders" on the encode tab: the encoded latent onto the sliders. Queued,
        so that "nothing encoded yet" shows as a message instead of failing silently."""
        quick = {"show_progress": "hidden", "api_visibility": "undocumented"}
        self.from_upload.click(self.show_encoded, [model, numbers], self.latent_outputs(),
                               api_name="latent_from_upload", **quick)
        edit.click(self.show_encoded, [model, numbers], self.latent_outputs(), api_name="edit_in_sliders",
                   **quick).success(lambda: gr.Tabs(selected="vae"), None, tabs, queue=False,
                                    api_visibility="private")
