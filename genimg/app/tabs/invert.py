"""The GAN tab's "Find an image in the GAN" section: an upload -> the latent (and class) whose image matches it,
streamed while Adam descends (genimg.invert), and buttons that send the result on: to the interpolation
(from it to seed B) and to the direction sliders.

Public event (README "API"): `invert(model, image)` -> (image, numbers), numbers = {"z", "label", "mse",
"psnr_db", "step", "steps"}. The upload is opened by genimg (preprocess=False), as the encode tab does, so a bad
file gets genimg's own message. gr.Error for bad input says what was wrong and what is accepted.
"""

from collections.abc import Iterator

import gradio as gr
import numpy as np
from PIL import Image

from ... import recipes
from ...checkpoints import CheckpointError
from ...images import gif_bytes, to_pil, upscale
from ...invert import STEPS, Inversion, classifier_beside, invert_steps, target_array
from ...models import Classifier
from ...sampling import generate, latent_from_seed, resolve_label, slerp
from ..checks import FRAMES_RANGE, check_int, check_seed, check_vector, user_errors
from ..i18n import request_language, text
from ..registry import Registry

DISPLAY_SIDE = 256
GIF_SIDE = 128
EVERY = 10  # a progress picture every 10 Adam steps


class InvertSection:
    """Handlers and, after `build`, components of the inversion section (built inside the GAN tab)."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.classifiers: dict[str, Classifier | None] = {}

    # ---- handlers ------------------------------------------------------------------------------

    def classifier(self, model: str) -> Classifier | None:
        """checkpoints/<model>/classifier, loaded once (None when it is not there: pixels only)."""
        if model not in self.classifiers:
            try:
                self.classifiers[model] = classifier_beside(self.registry.get(model, "gan").path)
            except CheckpointError as e:
                self.registry.problems.append(f"{model}/classifier: {e}")
                self.classifiers[model] = None
        return self.classifiers[model]

    def upload_source(self, image):
        """An upload (FileData dict or path) or a sketchpad value -> what genimg.invert takes; gr.Error if none."""
        if isinstance(image, dict) and "composite" in image:
            image = image["composite"]
        elif isinstance(image, dict):
            image = image.get("path")
        if image is None or (isinstance(image, str) and not image):
            raise gr.Error(text("gan_invert_no_image", "en"))
        return image

    def target(self, model: str, image) -> Image.Image:
        """What the GAN is asked to match: the upload after the encode tab's preprocessing."""
        gan = self.registry.get(model, "gan").model
        with user_errors():
            return upscale(to_pil(target_array(gan, self.upload_source(image))), DISPLAY_SIDE)

    def invert(self, model: str, image) -> Iterator[tuple[Image.Image, dict]]:
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
        checkpoint = self.registry.get(model, "gan")
        source = self.upload_source(image)
        classifier = self.classifier(model)
        with user_errors():
            for found in invert_steps(checkpoint.model, source, steps=STEPS, classifier=classifier, every=EVERY):
                yield self.outputs(model, found)

    def outputs(self, model: str, found: Inversion) -> tuple[Image.Image, dict]:
        gan = self.registry.get(model, "gan").model
        label = recipes.class_name(gan, found.label) if gan.num_classes else None
        recipe = self.registry_recipe(model, z=found.z, label=found.label,
                                      scale=max(1, DISPLAY_SIDE // gan.image_size))
        numbers = {"z": [round(float(v), 6) for v in found.z], "label": label, "mse": round(found.mse, 6),
                   "psnr_db": round(found.psnr_db, 2), "step": found.step, "steps": found.steps}
        return recipes.picture(found.image[None], recipe), numbers

    def registry_recipe(self, model: str, **fields) -> dict:
        checkpoint = self.registry.get(model, "gan")
        return recipes.make(checkpoint.model, model, recipes.checkpoint_id(checkpoint.path), **fields)

    def found_latent(self, model: str, numbers, lang: str = "en") -> tuple[np.ndarray, int | None]:
        """invert's numbers -> (z, label index); gr.Error when nothing was found yet."""
        if not isinstance(numbers, dict) or "z" not in numbers:
            raise gr.Error(text("gan_invert_nothing_yet", lang))
        gan = self.registry.get(model, "gan").model
        with user_errors():
            z = check_vector(numbers["z"], gan.z_dim, "the found latent")
            return z, resolve_label(gan, numbers.get("label")) if gan.num_classes else None

    def interpolate_found(self, model: str, numbers, seed_b, frames, request: gr.Request) -> str:
        """From the found image to seed B (slerp, the found class throughout) -> path of a looping GIF."""
        z_a, label = self.found_latent(model, numbers, request_language(request))
        gan = self.registry.get(model, "gan").model
        with user_errors():
            seed_b, frames = check_seed(seed_b, "seed B"), check_int(frames, "frames", *FRAMES_RANGE)
        z_b = latent_from_seed(seed_b, gan.z_dim)
        z = np.stack([slerp(z_a, z_b, t) for t in np.linspace(0, 1, frames)])  # (F, z_dim)
        images = generate(gan, z, [label] * frames)
        return self.registry.write_output(gif_bytes([upscale(to_pil(i), GIF_SIDE) for i in images]), ".gif")

    def to_sliders(self, model: str, numbers, request: gr.Request) -> dict:
        """The direction sliders' starting point: the found latent and class."""
        z, label = self.found_latent(model, numbers, request_language(request))
        gan = self.registry.get(model, "gan").model
        return {"z": [float(v) for v in z], "label": recipes.class_name(gan, label) if gan.num_classes else "any"}

    def on_model(self, model: str, lang: str) -> list:
        return [None, None, None]

    # ---- layout and events ---------------------------------------------------------------------

    def build(self, model: gr.Dropdown, i18n: gr.I18n) -> None:
        with gr.Accordion(i18n("gan_invert_accordion"), open=False):
            gr.Markdown(i18n("gan_invert_help_md"))
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    upload = gr.Image(label=i18n("gan_invert_image_label"), type="filepath", image_mode=None,
                                      elem_id="invert-upload", sources=["upload", "clipboard"], height=240)
                    find = gr.Button(i18n("gan_invert_button"), variant="primary", size="sm", elem_id="invert")
                self.target_image = gr.Image(label=i18n("gan_invert_target_label"), format="png", interactive=False,
                                             elem_classes="pixelated", height=240, min_width=140)
                self.found_image = gr.Image(label=i18n("gan_invert_found_label"), format="png", interactive=False,
                                            elem_id="invert-found", elem_classes="pixelated", height=240,
                                            min_width=140)
            with gr.Row():
                self.to_interpolation = gr.Button(i18n("gan_invert_to_interpolation_button"), size="sm")
                self.to_directions = gr.Button(i18n("gan_invert_to_directions_button"), size="sm")
            self.numbers = gr.JSON(label=i18n("gan_invert_numbers_label"))

        quiet = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}
        find.click(self.target, [model, upload], self.target_image, api_name="invert_target", preprocess=False,
                   **quiet).then(self.invert, [model, upload], [self.found_image, self.numbers], api_name="invert",
                                 preprocess=False, concurrency_id="invert", concurrency_limit=1)

    def wire_sends(self, model, seed_b, frames, gif, base, sliders, edit_inputs, edit_image, edit) -> None:
        """The two "send" buttons, wired once the GAN tab's interpolation and sliders exist."""
        queue = {"api_visibility": "undocumented", "concurrency_id": "gan", "concurrency_limit": 2}
        self.to_interpolation.click(self.interpolate_found, [model, self.numbers, seed_b, frames], gif,
                                    api_name="interpolate_found", **queue)
        self.to_directions.click(self.to_sliders, [model, self.numbers], base, api_name="found_to_directions",
                                 queue=False, api_visibility="undocumented").then(
            lambda: [0.0] * len(sliders), None, sliders, queue=False, api_visibility="undocumented").then(
            edit, edit_inputs, edit_image, queue=False, api_visibility="undocumented")

    def model_outputs(self) -> list:
        return [self.target_image, self.found_image, self.numbers]
