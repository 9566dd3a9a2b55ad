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
from ...images import grid, latent_bars, to_pil, upscale
from ...sampling import encode, generate
from ..checks import user_errors
from ..registry import Registry
from ..teaching import example_path

POSTERIOR_SAMPLES = 8
DISPLAY_SIDE = 256
# Examples: photos and drawings of digits (examples/encode/) for the page's first model, and a few real test-split
# images for the others (a row names its model, so clicking an emoji row selects the emoji VAE).
ENCODE_PICKS = {"emoji": ["Smileys & Emotion", "Animals & Nature", "Food & Drink", "People & Body", "Travel & Places"]}


class EncodeTab:
    """The encode tab's handlers and, after `build`, its components."""

    def __init__(self, registry: Registry):
        self.registry = registry

    # ---- handlers ------------------------------------------------------------------------------

    def preprocess(self, model: str, image) -> np.ndarray:
        """An upload, an array, or a sketchpad value -> (H, W, C) uint8 at the VAE's size."""
        vae = self.registry.get(model, "vae").model
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
        vae = self.registry.get(model, "vae").model
        x = self.preprocess(model, image)  # (H, W, C) uint8
        mu, logvar = (t[0].numpy() for t in encode(vae, x[None]))  # (z_dim,) each
        std = np.exp(0.5 * logvar)
        recon = generate(vae, mu[None])[0]  # the decoder's mean at the posterior mean
        mse = float(np.mean((x.astype(np.float64) / 255 - recon.astype(np.float64) / 255) ** 2))
        psnr = 10 * math.log10(1 / mse) if mse > 0 else float("inf")
        eps = np.random.RandomState(0).randn(POSTERIOR_SAMPLES, vae.z_dim).astype(np.float32)
        draws = generate(vae, mu[None] + std[None] * eps)  # (8, H, W, C), z ~ q(z|x), seeded
        order = self.registry.stats[model].order
        chart = latent_bars(mu[order], std[order], [f"z{d}" for d in order])
        numbers = {"mse": round(mse, 6), "psnr_db": round(psnr, 2), "mu": [round(float(v), 4) for v in mu],
                   "std": [round(float(v), 4) for v in std]}
        text = f"**MSE** {mse:.4f} · **PSNR** {psnr:.1f} dB (pixels in [0, 1])"
        strip = to_pil(grid(draws, columns=POSTERIOR_SAMPLES))
        return (upscale(to_pil(x), DISPLAY_SIDE), upscale(to_pil(recon), DISPLAY_SIDE), text, chart,
                upscale(strip, 3 * max(strip.size)), numbers)

    def examples(self, first: str | None, examples_dir: Path) -> list[list[str]]:
        """[model, image path] rows whose model has a VAE and whose file is there."""
        rows = [[first, str(path)] for path in sorted((examples_dir / "encode").glob("*.*"))]
        for ds, names in ENCODE_PICKS.items():
            if ds != first:
                rows += [[ds, str(example_path(examples_dir / ds, name))] for name in names]
        return [[ds, path] for ds, path in rows if (ds, "vae") in self.registry.checkpoints and Path(path).is_file()]

    def on_model(self, model: str, lang: str) -> list:
        has_vae = (model, "vae") in self.registry.checkpoints
        return [gr.Markdown(self.registry.missing_note(model, "vae", lang), visible=not has_vae)]

    # ---- layout and events ---------------------------------------------------------------------

    def build(self, model: gr.Dropdown, i18n: gr.I18n, first: str | None, examples_dir: Path) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and wire its events."""
        with gr.Tab(i18n("encode_tab"), id="encode", elem_id="tab-encode"):
            self.note = gr.Markdown(visible=False)
            with gr.Row():
                with gr.Column(scale=1, min_width=280):
                    with gr.Tab(i18n("encode_upload_tab")) as upload_tab:
                        upload = gr.Image(label=i18n("encode_image_label"), type="filepath", image_mode=None,
                                          elem_id="upload", sources=["upload", "clipboard"], height=280)
                        encode_upload = gr.Button(i18n("encode_upload_button"), variant="primary", size="sm",
                                                  elem_id="encode-upload")
                    with gr.Tab(i18n("encode_draw_tab")):
                        sketch = gr.Sketchpad(label=i18n("encode_sketch_label"), type="numpy", image_mode="RGBA",
                                              canvas_size=(280, 280), height=320,
                                              brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"))
                        encode_sketch = gr.Button(i18n("encode_sketch_button"), variant="primary", size="sm")
                with gr.Column(scale=2):
                    with gr.Row():
                        seen = gr.Image(label=i18n("encode_seen_label"), format="png", interactive=False,
                                        elem_id="model-input", elem_classes="pixelated", height=200, min_width=140)
                        recon = gr.Image(label=i18n("encode_recon_label"), format="png", interactive=False,
                                         elem_id="recon", elem_classes="pixelated", height=200, min_width=140)
                    error_text = gr.Markdown(label=i18n("encode_error_label"))
                    posterior = gr.Image(label=i18n("encode_posterior_label"), format="png", interactive=False,
                                         elem_classes="pixelated", height=110)
                    chart = gr.Image(label=i18n("encode_chart_label"), format="png", interactive=False)
                    self.edit = gr.Button(i18n("encode_edit_button"), size="sm")
                    with gr.Accordion(i18n("encode_numbers_accordion"), open=False):
                        self.numbers = gr.JSON(label=i18n("encode_numbers_label"))

        outputs = [seen, recon, error_text, chart, posterior, self.numbers]
        rows = self.examples(first, examples_dir)
        if rows:
            with upload_tab:  # placed under the upload box
                examples = gr.Examples(rows, inputs=[model, upload], outputs=outputs, fn=self.reconstruct,
                                       cache_examples=True, cache_mode="lazy", examples_per_page=len(rows),
                                       label=i18n("examples_label"), elem_id="encode-examples")
                examples.dataset.headers = []  # as the GAN tab's: Gradio would show untranslated headers
        vae_queue = {"concurrency_id": "vae", "concurrency_limit": 2}
        gr.on([encode_upload.click, upload.upload], self.reconstruct, [model, upload], outputs,
              api_name="reconstruct", preprocess=False, **vae_queue)
        encode_sketch.click(self.reconstruct, [model, sketch], outputs, api_name="reconstruct_sketch",
                            api_visibility="undocumented", **vae_queue)

    def model_outputs(self) -> list:
        return [self.note]
