"""Tab "Encode / decode": an upload or a drawing -> what the model sees, its reconstruction and error, the
latent (mean and std per dimension) and samples from q(z|x). The browser does it all (web/views/encode.js: the
picture is read, preprocessed and encoded on the student's machine; nothing is uploaded); `reconstruct` here is
the endpoint for programs and the page's fallback.

Public event (README "API"): `reconstruct(model, image)`. The handler opens the upload itself
(preprocess=False), so a broken file gets genimg's own message: what was wrong, what is accepted.
"""

import math
from pathlib import Path

import gradio as gr
import numpy as np
import spaces
from PIL import Image

from ...data.preprocess import model_input
from ...images import grid, to_pil, upscale
from ...sampling import encode, generate
from .. import charts, gpu
from ..checks import app_error, user_errors
from ..i18n import DEFAULT_LANGUAGE, request_language, text
from ..limits import PICTURE_SIDE
from ..page import api_endpoint, view
from ..registry import Registry
from ..teaching import example_path

POSTERIOR_SAMPLES = 8
# Examples: photos and drawings of digits (examples/encode/) for digit models, and a few real test-split images for
# the others. Each model has its own table, shown while it is selected.
ENCODE_PICKS = {"emoji": ["Smileys & Emotion", "Animals & Nature", "Food & Drink", "People & Body", "Travel & Places"]}
class EncodeTab(gpu.Shared):
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

    @spaces.GPU
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
        vae = gpu.on_gpu(self.registry.get(model, "vae", lang).model)
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
        return (upscale(to_pil(x), PICTURE_SIDE), upscale(to_pil(recon), PICTURE_SIDE), error_line, chart,
                upscale(strip, 3 * max(strip.size)), numbers)

    def on_model(self, model: str, lang: str) -> dict:
        """The note for a model without a VAE (the view clears its own results)."""
        has_vae = (model, "vae") in self.registry.checkpoints
        return {self.note: gr.Markdown(self.registry.missing_note(model, "vae", lang), visible=not has_vae)}

    # ---- layout and events ---------------------------------------------------------------------

    def build(self, model: gr.Dropdown, i18n: gr.I18n) -> None:
        """Lay out the tab (inside the page's gr.Tabs): the view, and the endpoint for programs."""
        with gr.Tab(i18n("encode_tab"), id="encode", elem_id="tab-encode") as self.tab:
            self.note = gr.Markdown(visible=False)
            view("encode", "encode-view")
            api_endpoint(self.reconstruct, [model, gr.Image(type="filepath", visible=False)],
                         [gr.Image(format="png"), gr.Image(format="png"), gr.Markdown(),
                          gr.ScatterPlot(**charts.PLOT_COLUMNS["posterior"]), gr.Image(format="png"), gr.JSON()],
                         api_name="reconstruct", preprocess=False, concurrency_id="vae", concurrency_limit=2)


def encode_examples(registry: Registry, examples_dir: Path) -> dict[str, list[Path]]:
    """{model: [image path, ...]} for the models with a VAE: digit photos and drawings for digit models, a few
    test-split images for the others; only files that are there."""
    found = {}
    for (ds, kind), checkpoint in sorted(registry.checkpoints.items()):
        if kind != "vae":
            continue
        digits = (checkpoint.model.image_size, checkpoint.model.channels) == (28, 1)
        paths = (sorted((examples_dir / "encode").glob("*.*")) if digits else
                 [example_path(examples_dir / ds, name) for name in ENCODE_PICKS.get(ds, [])])
        if any(Path(p).is_file() for p in paths):
            found[ds] = [Path(p) for p in paths if Path(p).is_file()]
    return found
