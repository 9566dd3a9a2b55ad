"""The GAN tab's "is it just copying?" section: one seed's sample beside its three nearest training images (in the
dataset's own classifier's feature space), with the distances set against how near held-out test images come.
Only the server can answer (it holds the training set): the view (web/views/copying.js) asks `nearest_training`
for a seed typed there or a gallery picture clicked. The index is built from the data cache on first use
(genimg/app/nearest.py); without the cached dataset the section says how to fetch it.

Public event (README "API"): `nearest_training(model, seed, psi, label)`.
"""

import gradio as gr
from PIL import Image

from ....images import to_pil, upscale
from ....sampling import generate, labels_for_seeds, latents
from ...checks import check_psi, check_seed, user_errors
from ...i18n import request_language, text
from ...limits import GALLERY_SIDE
from ...nearest import NearestTraining, NotAvailable
from ...page import api_endpoint, view
from ...registry import Registry


class CopyingSection:
    """Handlers and, after `build`, components of "is it just copying?"."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.training = NearestTraining(registry.root)  # built per dataset on first use, from the data cache

    def nearest_training(self, model: str, seed: int, psi: float, label: str, lang: str = "en"
                         ) -> tuple[list[tuple[Image.Image, str]], str]:
        """One seed's sample and its three nearest training images (captions: distance), and a line saying
        how near that is next to held-out test images; without the cached dataset, the sample and why not."""
        gan = self.registry.get(model, "gan", lang).model
        with user_errors(lang):
            seed, psi = check_seed(seed, "seed"), check_psi(psi)
            labels = labels_for_seeds(gan, [seed], label or "any")
        image = generate(gan, latents([seed], gan.z_dim, psi), labels)[0]
        gallery = [(upscale(to_pil(image), GALLERY_SIDE), text("gan_caption", lang).format(seed=seed))]
        try:
            neighbours, index = self.training.nearest(model, image)
        except NotAvailable as e:
            return gallery, text(e.key, lang).format(**e.fields)
        gallery += [(upscale(to_pil(n["image"]), GALLERY_SIDE),
                     text("gan_nearest_caption", lang).format(index=n["index"], label=n["label"],
                                                              distance=n["distance"])) for n in neighbours]
        nearest = neighbours[0]["distance"]
        verdict = ("gan_nearest_copy" if nearest < index.copy_threshold else
                   "gan_nearest_close" if nearest < index.test_median else "gan_nearest_new")
        return gallery, text("gan_nearest_md", lang).format(
            model=model, median=index.test_median, threshold=index.copy_threshold, distance=nearest,
            verdict=text(verdict, lang))

    def nearest_event(self, model: str, seed: int, psi: float, label: str, request: gr.Request):
        """The button's event: nearest_training in the request's language."""
        return self.nearest_training(model, seed, psi, label, request_language(request))

    def build(self, i18n: gr.I18n) -> None:
        with gr.Accordion(i18n("gan_nearest_accordion"), open=False, elem_id="gan-nearest-section"):
            gr.Markdown(i18n("gan_nearest_help"))
            self.view = view("copying", "gan-nearest")

    def wire(self, model: gr.Dropdown, psi: gr.Slider, label: gr.Dropdown) -> None:
        api_endpoint(self.nearest_event, [model, gr.Number(visible=False), psi, label], [gr.Gallery(), gr.Markdown()],
                     api_name="nearest_training", concurrency_id="gan", concurrency_limit=2)
