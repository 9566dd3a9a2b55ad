"""Tab "VAE: latent sliders": one slider per latent dimension (most informative first), a seed's latent under
the learned or the standard prior, a traversal grid, the latent pad, and a 2-D latent map's chart beside the test
split's encodings and the learned prior's density contours.

The sliders set the page state's z (no request); the browser draws the picture, the traversal and the pad from it
(web/views/vae.js, traversal.js, pad.js). The handlers here are the endpoints for programs and the page's fallback,
and the chart (the learned prior's contours are computed here).

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
from ..checks import check_int, check_seed, check_vector, user_errors
from ..i18n import DEFAULT_LANGUAGE, request_language, text
from ..limits import MAP_STEPS, PICTURE_SIDE, TRAVERSE_STEPS, Z_LIMIT
from ..page import api_endpoint, hook, view
from ..registry import Registry

TRAVERSE_CELL = 56  # about this many pixels per traversal image (MNIST's 28 twice, emoji's 64 once)
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

    def slide(self, model: str, z: list[float], request: gr.Request | None = None) -> Image.Image:
        """z (z_dim numbers, dimension order) -> the decoded image, upscaled for display."""
        lang = request_language(request)
        vae = self.registry.get(model, "vae", lang).model
        with user_errors(lang):
            z = check_vector(z, vae.z_dim, "z")
        return upscale(to_pil(generate(vae, z[None])[0]), PICTURE_SIDE)

    def random_latent(self, model: str, seed: int, prior: str | None = None, lang: str = DEFAULT_LANGUAGE
                      ) -> list[float]:
        """The latent a seed names under the VAE's learned prior or the standard N(0, I) (None: learned when the
        VAE has one; genimg.sample's convention), clipped to the sliders' range."""
        vae = self.registry.get(model, "vae", lang).model
        with user_errors(lang):
            seed = check_seed(seed, "seed")
            z = latents_for_seeds(vae, [seed], prior=prior)[0]
        return [round(float(v), 4) for v in np.clip(z, -Z_LIMIT, Z_LIMIT)]

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

    def latent_from_seed(self, model: str, seed: int, prior: str | None, request: gr.Request | None = None
                         ) -> list[float]:
        """random_latent in the request's language (the page's fallback for "random")."""
        return self.random_latent(model, seed, prior, request_language(request))

    def on_model(self, model: str, lang: str) -> dict:
        """The note, one slider per dimension (labels; values come from the page state), the map's dimensions, the
        old model's chart cleared, and the prior switch."""
        cleared = {self.scatter_plot: None, self.map_note: ""}
        if (model, "vae") not in self.registry.checkpoints:
            return {self.help: gr.Markdown(self.registry.missing_note(model, "vae", lang)),
                    **{slider: gr.Slider(visible=False) for slider in self.sliders}, **cleared}
        labels, z_dim = self.slider_labels(model), self.registry.get(model, "vae").model.z_dim
        order = self.registry.stats[model].order
        dims = [(f"z{d}", int(d)) for d in order]
        return {self.help: gr.Markdown(self.slider_help(model, lang)),
                **{slider: gr.Slider(label=labels[k], visible=True) if k < z_dim else gr.Slider(visible=False)
                   for k, slider in enumerate(self.sliders)},
                self.dim_x: gr.Dropdown(choices=dims, value=int(order[0])),
                self.dim_y: gr.Dropdown(choices=dims, value=int(order[min(1, z_dim - 1)])),
                self.prior: gr.Radio(interactive=self.registry.get(model, "vae").model.prior is not None), **cleared}

    # ---- layout and events ---------------------------------------------------------------------

    def build(self, model: gr.Dropdown, i18n: gr.I18n, first: str | None) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and wire its events."""
        count = self.registry.max_z_dim  # one slider per dimension of the widest VAE; extras hidden per model
        first_order = [int(d) for d in self.registry.stats[first].order] if first in self.registry.stats else []
        all_dims = [(f"z{d}", d) for d in first_order + [d for d in range(count) if d not in first_order]]
        with gr.Tab(i18n("vae_tab"), id="vae", elem_id="tab-vae") as self.tab:
            self.help = gr.Markdown()
            with gr.Row(elem_id="vae-row"):
                with gr.Column(scale=1, min_width=260, elem_id="vae-picture-column"):
                    self.picture = view("vae-picture", "vae-image")
                    with gr.Row():
                        latent_seed = gr.Number(0, label=i18n("vae_seed_label"), precision=0, min_width=90,
                                                elem_id="vae-seed")
                        random_latent = gr.Button(i18n("vae_random_button"), size="sm", min_width=70,
                                                  elem_id="vae-random")
                    self.prior = gr.Radio([(i18n("vae_prior_learned"), "learned"),
                                           (i18n("vae_prior_standard"), "standard")], value="learned",
                                          label=i18n("vae_prior_label"), info=i18n("vae_prior_info"),
                                          elem_id="vae-prior")
                    with gr.Row():
                        zero = gr.Button(i18n("vae_reset_button"), size="sm", min_width=70, elem_id="vae-zero")
                        self.from_upload = gr.Button(i18n("vae_from_upload_button"), size="sm", min_width=70,
                                                     elem_id="vae-from-upload")
                with gr.Column(scale=3, min_width=260), gr.Row(elem_id="vae-sliders"):  # wraps: as many per line as fit
                    # labels ("z3 · 2.1 nats") are set per model by on_model: numbers, the same in any language.
                    # Arrow keys move 0.1, Shift + arrow 0.01 (web/page.js); no reset button each ("reset to 0"
                    # resets them all), so a slider is two tab stops (its number, its track), not three.
                    self.sliders = [gr.Slider(-Z_LIMIT, Z_LIMIT, value=0.0, step=0.01, label=f"z{k}", buttons=[],
                                              elem_id=f"z-slider-{k}", min_width=220) for k in range(count)]
            with gr.Accordion(i18n("vae_traversal_accordion"), open=False, elem_id="vae-traversal-section"):
                self.traversal = view("traversal", "vae-traversal")
            with gr.Accordion(i18n("vae_map_accordion"), open=False, elem_id="vae-pad-section"):
                with gr.Row():
                    self.dim_x = gr.Dropdown(all_dims, value=all_dims[0][1] if all_dims else None,
                                             label=i18n("vae_dim_x_label"), min_width=100, elem_id="dim-x")
                    self.dim_y = gr.Dropdown(all_dims, value=all_dims[1][1] if len(all_dims) > 1 else None,
                                             label=i18n("vae_dim_y_label"), min_width=100, elem_id="dim-y")
                    draw_map = gr.Button(i18n("vae_map_button"), size="sm", min_width=100, elem_id="draw-map")
                with gr.Row(elem_id="vae-pad-row"):
                    self.pad = view("vae-pad", "vae-pad")
                    with gr.Column(min_width=280):
                        self.map_note = gr.Markdown(label=i18n("vae_map_note_label"), elem_id="vae-map-note")
                        self.scatter_plot = gr.ScatterPlot(**charts.PLOT_COLUMNS["scatter"], height=400,
                                                           min_width=280, show_label=False, elem_id="vae-scatter")

            # wired inside the tab: the endpoints' hidden parts live here
            browser = {"queue": False, "show_progress": "hidden", "api_visibility": "private"}
            gr.on([s.input for s in self.sliders], None, [model, *self.sliders], None, js=hook("slide"), **browser)
            random_latent.click(None, [latent_seed, self.prior], None, js=hook("vaeRandom"), **browser)
            self.prior.input(None, self.prior, None, js=hook("set", "prior"), **browser)
            zero.click(None, None, None, js=hook("vaeZero"), **browser)
            self.from_upload.click(None, None, None, js=hook("fromEncoded"), **browser)
            gr.on([self.dim_x.change, self.dim_y.change], None, [self.dim_x, self.dim_y], None, js=hook("setDims"),
                  **browser)
            gr.on([self.dim_x.input, self.dim_y.input], lambda: (None, ""), None, [self.scatter_plot, self.map_note],
                  **browser)  # the chart of other dimensions goes

            vae_queue = {"concurrency_id": "vae", "concurrency_limit": 2}
            draw_map.click(self.latent_map, [model, self.dim_x, self.dim_y, gr.JSON(visible=False)],
                           [gr.Image(format="png", visible=False), self.scatter_plot, self.map_note],
                           api_name="latent_map", js=hook("mapInputs"), **vae_queue)
            z = gr.JSON(visible=False)
            api_endpoint(self.slide, [model, z], gr.Image(format="png"), api_name="slide", show_progress="hidden")
            api_endpoint(self.traverse, [model, z], gr.Image(format="png"), api_name="traverse", **vae_queue)
            api_endpoint(self.latent_from_seed, [model, gr.Number(visible=False), gr.Textbox(visible=False)], gr.JSON(),
                         api_name="latent_from_seed", api_visibility="undocumented", queue=False)


    def synced(self) -> dict:
        """The controls that show page state fields (page.Sync): field (or z<k> for slider k) -> component."""
        return {"prior": self.prior, **{f"z{k}": slider for k, slider in enumerate(self.sliders)}}
