"""The GAN tab's "is it just copying?" section: one seed's sample beside its three nearest training images (in the
dataset's own classifier's feature space), with the distances set against how near held-out test images come.
Clicking a gallery image asks for that seed. The index is built from the data cache on first use
(genimg/app/nearest.py); without the cached dataset the section says how to fetch it.
"""

import re

import gradio as gr
import numpy as np
from PIL import Image

from ...images import to_pil, upscale
from ...sampling import generate, labels_for_seeds, latent_from_seed
from ..checks import check_psi, check_seed, user_errors
from ..i18n import request_language, text
from ..nearest import NearestTraining, NotAvailable
from ..registry import Registry

GALLERY_SIDE = 128


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
        image = generate(gan, latent_from_seed(seed, gan.z_dim)[None] * np.float32(psi), labels)[0]
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

    def nearest_of_selected(self, model: str, psi: float, label: str, evt: gr.SelectData, request: gr.Request
                            ) -> tuple[int, list[tuple[Image.Image, str]], str]:
        """A click on a gallery image ('seed N') -> that seed, and its nearest training images."""
        caption = (evt.value.get("caption") if isinstance(evt.value, dict) else None) or ""
        found = re.search(r"(\d+)\s*$", caption)  # 'seed 42', or the same in the user's language
        if found is None:
            raise gr.Error(f"cannot tell which seed this gallery image is (caption {caption!r}); "
                           "type the seed into 'is it just copying?' instead")
        seed = int(found.group(1))
        return (seed, *self.nearest_training(model, seed, psi, label, request_language(request)))

    def build(self, i18n: gr.I18n) -> None:
        with gr.Accordion(i18n("gan_nearest_accordion"), open=False):
            gr.Markdown(i18n("gan_nearest_help"))
            with gr.Row():
                self.seed = gr.Number(0, label=i18n("gan_nearest_seed_label"), precision=0, minimum=0, min_width=100)
                self.find = gr.Button(i18n("gan_nearest_button"), min_width=100)
            self.gallery = gr.Gallery(label=i18n("gan_nearest_gallery_label"), columns=4, format="png",
                                      object_fit="contain", height="auto", elem_id="gan-nearest")
            self.note = gr.Markdown()

    def wire(self, model: gr.Dropdown, samples: gr.Gallery, psi: gr.Slider, label: gr.Dropdown) -> None:
        """The button, and a click on an image of the GAN tab's gallery."""
        gan_queue = {"concurrency_id": "gan", "concurrency_limit": 2}
        self.find.click(self.nearest_event, [model, self.seed, psi, label], [self.gallery, self.note],
                        api_name="nearest_training", **gan_queue)
        samples.select(self.nearest_of_selected, [model, psi, label], [self.seed, self.gallery, self.note],
                       api_name="nearest_of_selected", api_visibility="undocumented", **gan_queue)
