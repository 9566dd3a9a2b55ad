"""Tab "Encode / decode": an upload or a drawing -> what the model sees, its reconstruction and error, the
latent (mean and std per dimension) and samples from q(z|x).

Public event (README "API"): `reconstruct(model, image)`. The handler opens the upload itself
(preprocess=False), so a broken file gets genimg's own message: what was wrong, what is accepted.
"""

import math
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from ...data.preprocess import model_input
from ...images import grid, to_pil, upscale
from ...sampling import encode, generate
from .. import charts
from ..checks import app_error, user_errors
from ..i18n import DEFAULT_LANGUAGE, request_language, text
from ..registry import Registry
from ..teaching import example_path

POSTERIOR_SAMPLES = 8
DISPLAY_SIDE = 256
# Examples: photos and drawings of digits (examples/encode/) for digit models, and a few real test-split images for
# the others. Each model has its own table, shown while it is selected.
ENCODE_PICKS = {"emoji": ["Smileys & Emotion", "Animals & Nature", "Food & Drink", "People & Body", "Travel & Places"]}
# The sketchpad opens on its brush: Gradio 6.31 starts a Sketchpad on its "image" tool even with no image sources
# (the canvas then says "select the draw tool to start" and a drag selects text), and has no option for the
# starting tool. So when the draw tab opens, this clicks the sketchpad's own brush button once the editor is
# ready (the first tool button in its toolbar; up to 5 s while the canvas starts).
SKETCH_READY_JS = """() => {
  const started = Date.now();
  const pick = () => {
    const pad = document.querySelector('#sketch');
    const brush = pad && pad.querySelector('.toolbar-wrap button, [class*="toolbar"] button.quite-round');
    if (brush && pad.querySelector('canvas')) { brush.click(); return; }
    if (Date.now() - started < 5000) setTimeout(pick, 100);
  };
  pick();
}"""


class EncodeTab:
    """The encode tab's handlers and, after `build`, its components."""

    def __init__(self, registry: Registry):
        self.registry = registry

    # ---- handlers ------------------------------------------------------------------------------

    def preprocess(self, model: str, image, lang: str = DEFAULT_LANGUAGE) -> np.ndarray:
        """An upload, an array, or a sketchpad value -> (H, W, C) uint8 at the VAE's size."""
        vae = self.registry.get(model, "vae", lang).model
        if isinstance(image, dict) and "composite" in image:  # the sketchpad's {"background", "layers", "composite"}
            image = image["composite"]
        elif isinstance(image, dict):  # an upload event with preprocess=False: Gradio's FileData, {"path": ...}
            # Gradio has already checked that the path is in its upload cache; we open the file ourselves, so a
            # broken upload gets our message (what is wrong, what is accepted), not Gradio's preprocessing error.
            image = image.get("path")
            if not isinstance(image, str):
                raise app_error("error_no_image", lang)
        if image is None:
            raise app_error("error_no_image", lang)
        digits = (vae.image_size, vae.channels) == (28, 1)
        with user_errors(lang):
            return model_input(image, vae.image_size, vae.channels, digits)

    def reconstruct(self, model: str, image, request: gr.Request | None = None
                    ) -> tuple[Image.Image, Image.Image, str, gr.ScatterPlot, Image.Image, dict]:
        """Encode a picture with the model's VAE and decode it again: how well the VAE can represent it.

        Args:
            model: the dataset name of the model, e.g. "mnist" or "emoji".
            image: the picture (PNG, JPEG, WebP, GIF, BMP or TIFF); a digit for mnist, dark on light or light on
                dark, is centred as MNIST's digits are; other models take a centre square.
        Returns:
            the model input, the reconstruction, an 'MSE · PSNR' text, the latent mean/std chart, 8 samples from
            q(z|x), and numbers {"mse", "psnr_db", "mu", "std"} with mu/std in dimension order.
        """
        lang = request_language(request)
        vae = self.registry.get(model, "vae", lang).model
        x = self.preprocess(model, image, lang)  # (H, W, C) uint8
        mu, logvar = (t[0].numpy() for t in encode(vae, x[None]))  # (z_dim,) each
        std = np.exp(0.5 * logvar)
        recon = generate(vae, mu[None])[0]  # the decoder's mean at the posterior mean
        mse = float(np.mean((x.astype(np.float64) / 255 - recon.astype(np.float64) / 255) ** 2))
        psnr = 10 * math.log10(1 / mse) if mse > 0 else float("inf")
        eps = np.random.RandomState(0).randn(POSTERIOR_SAMPLES, vae.z_dim).astype(np.float32)
        draws = generate(vae, mu[None] + std[None] * eps)  # (8, H, W, C), z ~ q(z|x), seeded
        chart = charts.posterior_plot(mu, std, self.registry.stats[model].order, lang)
        numbers = {"mse": round(mse, 6), "psnr_db": round(psnr, 2), "mu": [round(float(v), 4) for v in mu],
                   "std": [round(float(v), 4) for v in std]}
        error_line = text("encode_error_line", lang).format(mse=mse, psnr=psnr)
        strip = to_pil(grid(draws, columns=POSTERIOR_SAMPLES))
        return (upscale(to_pil(x), DISPLAY_SIDE), upscale(to_pil(recon), DISPLAY_SIDE), error_line, chart,
                upscale(strip, 3 * max(strip.size)), numbers)

    def examples(self, examples_dir: Path) -> dict[str, list[str]]:
        """{model: [image path, ...]} for the models with a VAE: digit photos and drawings for digit models, a few
        test-split images for the others; only files that are there."""
        found = {}
        for (ds, kind), checkpoint in sorted(self.registry.checkpoints.items()):
            if kind != "vae":
                continue
            digits = (checkpoint.model.image_size, checkpoint.model.channels) == (28, 1)
            paths = (sorted((examples_dir / "encode").glob("*.*")) if digits else
                     [example_path(examples_dir / ds, name) for name in ENCODE_PICKS.get(ds, [])])
            if any(Path(p).is_file() for p in paths):
                found[ds] = [str(p) for p in paths if Path(p).is_file()]
        return found

    def encoder(self, model: str):
        """reconstruct() for one model: what that model's examples table runs."""
        def reconstruct_model(image, request: gr.Request):
            return self.reconstruct(model, image, request)
        return reconstruct_model

    def on_model(self, model: str, lang: str) -> list:
        """The note, the old model's results cleared, and this model's examples (headers in the user's language)."""
        has_vae = (model, "vae") in self.registry.checkpoints
        examples = [gr.Column(visible=ds == model) for ds in self.example_tables]
        headers = [gr.Dataset(headers=[text("encode_image_label", lang)]) for _ in self.example_tables]
        return [gr.Markdown(self.registry.missing_note(model, "vae", lang), visible=not has_vae),
                None, None, "", None, None, None, *examples, *headers]

    # ---- layout and events ---------------------------------------------------------------------

    def build(self, model: gr.Dropdown, i18n: gr.I18n, first: str | None, examples_dir: Path) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and wire its events: inputs, then their results beside them
        (under them on a phone), then the examples."""
        with gr.Tab(i18n("encode_tab"), id="encode", elem_id="tab-encode"):
            self.note = gr.Markdown(visible=False)
            with gr.Row():
                with gr.Column(scale=1, min_width=280):
                    with gr.Tab(i18n("encode_upload_tab")):
                        upload = gr.Image(label=i18n("encode_image_label"), type="filepath", image_mode=None,
                                          elem_id="upload", sources=["upload", "clipboard"], height=280)
                        encode_upload = gr.Button(i18n("encode_upload_button"), variant="primary", size="sm",
                                                  elem_id="encode-upload")
                    with gr.Tab(i18n("encode_draw_tab"), elem_id="draw-tab") as draw_tab:
                        # a black pen about as wide as an MNIST stroke (2-3 of 28 px) on the 280 px canvas
                        sketch = gr.Sketchpad(label=i18n("encode_sketch_label"), type="numpy", image_mode="RGBA",
                                              canvas_size=(280, 280), height=340, elem_id="sketch", layers=False,
                                              transforms=(), buttons=[],
                                              brush=gr.Brush(default_size=20, colors=["#000000"],
                                                             color_mode="fixed"))
                        encode_sketch = gr.Button(i18n("encode_sketch_button"), variant="primary", size="sm",
                                                  elem_id="encode-sketch")
                with gr.Column(scale=2, min_width=280):
                    with gr.Row():
                        self.seen = gr.Image(label=i18n("encode_seen_label"), format="png", interactive=False,
                                             elem_id="model-input", elem_classes="pixelated", height=200,
                                             min_width=140)
                        self.recon = gr.Image(label=i18n("encode_recon_label"), format="png", interactive=False,
                                              elem_id="recon", elem_classes="pixelated", height=200, min_width=140)
                    self.error_text = gr.Markdown(label=i18n("encode_error_label"), elem_id="encode-error-text")
                    self.posterior = gr.Image(label=i18n("encode_posterior_label"), format="png", interactive=False,
                                              elem_classes="pixelated", height=110, elem_id="posterior")
                    self.chart = gr.ScatterPlot(**charts.PLOT_COLUMNS["posterior"], height=300, show_label=False,
                                                elem_id="posterior-chart")
                    self.edit = gr.Button(i18n("encode_edit_button"), size="sm", elem_id="edit-in-sliders")
                    with gr.Accordion(i18n("encode_numbers_accordion"), open=False):
                        self.numbers = gr.JSON(label=i18n("encode_numbers_label"))

            outputs = [self.seen, self.recon, self.error_text, self.chart, self.posterior, self.numbers]
            # Not cached: the error line and the chart are in the language of whoever clicks. Gradio 6.31 would
            # show the inputs' labels untranslated as the header row; on_model sets headers in the user's language.
            self.example_tables = {}
            for ds, paths in self.examples(examples_dir).items():
                with gr.Column(visible=ds == first) as column:
                    examples = gr.Examples([[p] for p in paths], inputs=[upload], outputs=outputs,
                                           fn=self.encoder(ds), cache_examples=False, run_on_click=True,
                                           examples_per_page=len(paths), label=i18n("encode_examples_label"),
                                           api_name=f"encode_example_{ds}", elem_id=f"encode-examples-{ds}")
                    examples.dataset.headers = []
                self.example_tables[ds] = (column, examples.dataset)

        vae_queue = {"concurrency_id": "vae", "concurrency_limit": 2}
        gr.on([encode_upload.click, upload.upload], self.reconstruct, [model, upload], outputs,
              api_name="reconstruct", preprocess=False, **vae_queue)
        encode_sketch.click(self.reconstruct, [model, sketch], outputs, api_name="reconstruct_sketch",
                            api_visibility="undocumented", **vae_queue)
        draw_tab.select(None, None, None, js=SKETCH_READY_JS, queue=False, api_visibility="private")

    def model_outputs(self) -> list:
        return [self.note, self.seen, self.recon, self.error_text, self.chart, self.posterior, self.numbers,
                *[column for column, _ in self.example_tables.values()],
                *[dataset for _, dataset in self.example_tables.values()]]
