"""The GAN tab's "Find an image in the GAN" section: an upload or a drawing -> the latent (and class) whose image
matches it. The browser does it (web/views/invert.js: window.genimg.invert, Adam on z through the generator with
TensorFlow.js gradients) and sends the result on, to the interpolation (from it to seed B) and to the direction
editor. The server's `invert` (genimg.invert) stays for gradio_client, MCP and the page's fallback.

Public event (README "API"): `invert(model, image)` -> (image, numbers), numbers = {"z", "label", "mse",
"psnr_db", "step", "steps"}. The upload is opened by genimg (preprocess=False), as the encode tab does, so a bad
file gets genimg's own message. gr.Error for bad input says what was wrong and what is accepted.
"""

from collections.abc import Iterator

import gradio as gr
import spaces
from PIL import Image

from .... import recipes
from ....checkpoints import CheckpointError
from ....inversion import STEPS, Inversion, classifier_beside, invert_steps
from ....models import Classifier
from ... import gpu
from ...checks import user_errors
from ...i18n import request_language, text
from ...limits import PICTURE_SIDE
from ...page import api_endpoint, view
from ...registry import Registry

EVERY = 10  # a progress picture every 10 Adam steps


class InvertSection(gpu.Shared):
    """Handlers and, after `build`, the section's view."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.classifiers: dict[str, Classifier | None] = {}

    def classifier(self, model: str) -> Classifier | None:
        """checkpoints/<model>/classifier, loaded once (None when it is not there: pixels only)."""
        if model not in self.classifiers:
            try:
                self.classifiers[model] = classifier_beside(self.registry.get(model, "gan").path)
            except CheckpointError as e:
                self.registry.problems.append(f"{model}/classifier: {e}")
                self.classifiers[model] = None
        return self.classifiers[model]

    def upload_source(self, image, lang: str = "en"):
        """An upload (FileData dict or path) or a sketchpad value -> what genimg.invert takes; gr.Error if none."""
        if isinstance(image, dict) and "composite" in image:
            image = image["composite"]
        elif isinstance(image, dict):
            image = image.get("path")
        if image is None or (isinstance(image, str) and not image):
            raise gr.Error(text("gan_invert_no_image", lang))
        return image

    @spaces.GPU
    def invert(self, model: str, image, request: gr.Request | None = None) -> Iterator[tuple[Image.Image, dict]]:
        """Find an image in the GAN: the latent z (and class) whose generated image best matches a picture.

        Runs a few seconds (gradient descent on z from the best of 256 seeds); intermediate results stream.

        Args:
            model: the dataset name of the model, e.g. "mnist" or "emoji".
            image: the picture to find (PNG, JPEG, WebP, GIF, BMP or TIFF); a digit for mnist, dark on light or
                light on dark, is centred as MNIST's digits are.
        Returns:
            the GAN's image (a PNG whose recipe holds z and the class) and numbers {"z": [...], "label": class
            name or null, "mse": pixel MSE in [0, 1], "psnr_db": ..., "step", "steps"}.
        """
        lang = request_language(request)
        checkpoint = self.registry.get(model, "gan", lang)
        source = self.upload_source(image, lang)
        classifier = self.classifier(model)
        with user_errors(lang):
            for found in invert_steps(gpu.on_gpu(checkpoint.model), source, steps=STEPS,
                                      classifier=gpu.on_gpu(classifier) if classifier else None, every=EVERY):
                yield self.outputs(model, found)

    def outputs(self, model: str, found: Inversion) -> tuple[Image.Image, dict]:
        gan = self.registry.get(model, "gan").model
        label = recipes.class_name(gan, found.label) if gan.num_classes else None
        recipe = self.registry_recipe(model, z=found.z, label=found.label,
                                      scale=max(1, PICTURE_SIDE // gan.image_size))
        numbers = {"z": [round(float(v), 6) for v in found.z], "label": label, "mse": round(found.mse, 6),
                   "psnr_db": round(found.psnr_db, 2), "step": found.step, "steps": found.steps}
        return recipes.picture(found.image[None], recipe), numbers

    def registry_recipe(self, model: str, **fields) -> dict:
        checkpoint = self.registry.get(model, "gan")
        return recipes.make(checkpoint.model, model, recipes.checkpoint_id(checkpoint.path), **fields)

    def build(self, i18n: gr.I18n) -> None:
        with gr.Accordion(i18n("gan_invert_accordion"), open=False, elem_id="gan-invert-section"):
            gr.Markdown(i18n("gan_invert_help_md"))
            self.view = view("invert", "gan-invert")

    def wire(self, model: gr.Dropdown) -> None:
        api_endpoint(self.invert, [model, gr.Image(type="filepath", visible=False)],
                     [gr.Image(format="png"), gr.JSON()], api_name="invert", preprocess=False,
                     concurrency_id="invert", concurrency_limit=1)
