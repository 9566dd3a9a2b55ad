"""The GAN tab's gallery section: seeds, "random seeds", Generate, psi, class and size (Gradio controls) and the
gallery (web/views/gallery.js), which the browser draws from the page state the moment a control moves, with its
grid PNG and ZIP made in the browser. The server's handlers stay for gradio_client and MCP (`sample`) and as the
page's fallback when the in-browser runtime cannot load (`sample`, `download_all`).

Public event (README "API"): `sample(model, seeds, psi, label)`; `model` is a dataset name, `label` is `any` or a
class name. Bad input raises gr.Error saying what was wrong and what is accepted, in the request's language.
Every PNG carries its recipe (genimg/recipes.py).
"""

import io
import math
import zipfile

import gradio as gr
import numpy as np
import spaces
from PIL import Image

from .... import recipes
from ....images import png_bytes
from ....sampling import generate, labels_for_seeds, latents, parse_seeds
from ... import gpu
from ...checks import check_psi, user_errors
from ...i18n import DEFAULT_LANGUAGE, request_language, text
from ...limits import GALLERY_SIDE, MAX_IMAGES, PSI_RANGE
from ...page import api_endpoint, hook, view
from ...registry import Registry, grid_name

GALLERY_SIZES = ("small", "medium", "large")  # style.css: a thumbnail width each
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed file times: the same gallery gives the same ZIP bytes


class GallerySection(gpu.Shared):
    """Handlers (plain Python in and out) and, after `build`, the section's controls."""

    def __init__(self, registry: Registry):
        self.registry = registry

    # ---- handlers ------------------------------------------------------------------------------

    @spaces.GPU
    def sample(self, model: str, seeds: str, psi: float, label: str, request: gr.Request | None = None
               ) -> tuple[list[tuple[Image.Image, str]], str]:
        """Generate images from seeds with the model's GAN.

        Args:
            model: the dataset name of the model, e.g. "mnist" or "emoji".
            seeds: a seed list such as "0-15,42" (ranges inclusive; at most 64 seeds); a seed names one image.
            psi: truncation from 0 to 2; z is multiplied by psi (1 = none, smaller = more typical images).
            label: "any" (the seed picks the class) or a class name of a conditional GAN, e.g. "7".
        Returns:
            the gallery of (image, "seed N") and the path of a grid PNG; every PNG carries its recipe.
        """
        lang = request_language(request)
        seed_list, z, labels = self.sample_request(model, seeds, psi, label, lang)
        images = generate(gpu.on_gpu(self.registry.get(model, "gan", lang).model), z, labels)
        return self.sample_outputs(model, seed_list, psi, label, images, lang)

    def recipe(self, model: str, **fields) -> dict:
        checkpoint = self.registry.get(model, "gan")
        return recipes.make(checkpoint.model, model, recipes.checkpoint_id(checkpoint.path), **fields)

    def sample_request(self, model: str, seeds: str, psi: float, label: str, lang: str = DEFAULT_LANGUAGE
                       ) -> tuple[list[int], np.ndarray, list]:
        """Check one sample request -> (seeds, z (N, z_dim), labels); gr.Error saying what is accepted."""
        gan = self.registry.get(model, "gan", lang).model
        with user_errors(lang):
            seed_list = parse_seeds(seeds, limit=MAX_IMAGES)
            psi = check_psi(psi)
            labels = labels_for_seeds(gan, seed_list, label or "any")
        return seed_list, latents(seed_list, gan.z_dim, psi), labels

    def sample_outputs(self, model: str, seed_list: list[int], psi: float, label: str, images: np.ndarray,
                       lang: str = DEFAULT_LANGUAGE) -> tuple[list[tuple[Image.Image, str]], str]:
        """(N, H, W, C) uint8 -> gallery of (image, 'seed N') and the path of a grid PNG, each with its recipe;
        the grid downloads as genimg-<model>-seeds-<seeds>.png."""
        scale = max(1, GALLERY_SIDE // max(images.shape[1:3]))  # what upscale(..., GALLERY_SIDE) does
        caption = text("gan_caption", lang)
        gallery = [(recipes.picture(image[None], self.recipe(model, seeds=[s], psi=psi, label=label, scale=scale)),
                    caption.format(seed=s)) for image, s in zip(images, seed_list)]
        columns = math.ceil(math.sqrt(len(images)))  # grid's default
        sheet = recipes.picture(images, self.recipe(model, seeds=seed_list, psi=psi, label=label,
                                                    columns=columns, scale=4))  # 4x, crisp
        name = grid_name(model, seed_list, float(psi), label)
        return gallery, self.registry.write_output(png_bytes(sheet), ".png", name)

    def download_all(self, model: str, seeds: str, psi: float, label: str, request: gr.Request | None = None) -> str:
        """The gallery as a ZIP of seed0042.png ... at the model's own size, each PNG with its recipe, named as the
        grid is (genimg-<model>-seeds-<seeds>.zip)."""
        lang = request_language(request)
        seed_list, z, labels = self.sample_request(model, seeds, psi, label, lang)
        images = generate(self.registry.get(model, "gan", lang).model, z, labels)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
            for seed, image in zip(seed_list, images):
                picture = recipes.picture(image[None], self.recipe(model, seeds=[seed], psi=psi, label=label))
                archive.writestr(zipfile.ZipInfo(f"seed{seed:04d}.png", ZIP_TIME), png_bytes(picture))
        return self.registry.write_output(buffer.getvalue(), ".zip", grid_name(model, seed_list, float(psi), label))

    def sample_batch(self, models: list[str], seeds: list[str], psis: list[float], labels: list[str]
                     ) -> tuple[list[list[tuple[Image.Image, str]]], list[str]]:
        """Gradio `batch=True` form of sample: lists in, lists out, one forward pass per model for all requests.

        The generator is in eval mode (BatchNorm uses its running statistics), so an image depends only on
        its own latent and label: batching changes no pixel. A bad request raises gr.Error, and Gradio fails
        the whole batch with it (its `validator=` does not take batched inputs in 6.31), which is why the app
        does not use it (README, "Load").
        """
        requests = [self.sample_request(*args) for args in zip(models, seeds, psis, labels)]
        galleries, grids = [None] * len(requests), [None] * len(requests)
        for model in dict.fromkeys(models):
            mine = [i for i, m in enumerate(models) if m == model]
            z = np.concatenate([requests[i][1] for i in mine])  # (sum of N, z_dim)
            images = generate(self.registry.get(model, "gan").model, z, [y for i in mine for y in requests[i][2]])
            start = 0
            for i in mine:
                count = len(requests[i][0])
                galleries[i], grids[i] = self.sample_outputs(models[i], requests[i][0], psis[i], labels[i],
                                                             images[start:start + count])
                start += count
        return galleries, grids

    def class_choices(self, model: str, lang: str) -> list[tuple[str, str]]:
        """The class dropdown's (shown, value) pairs: 'any' in the user's language, then the class names."""
        return [(text("class_any", lang) if c == "any" else c, c) for c in self.registry.class_choices(model)]

    def example_headers(self, lang: str) -> list[str]:
        return [text("gan_seeds_label", lang), text("gan_psi_label", lang), text("gan_class_label", lang)]

    # ---- layout, events, model switch ----------------------------------------------------------

    def build(self, i18n: gr.I18n, first: str | None, all_classes: list[str]) -> None:
        """The controls beside the gallery (under it on a phone), then one examples table per model."""
        self.note = gr.Markdown(visible=False)
        with gr.Row(elem_id="gan-row"):
            with gr.Column(scale=1, min_width=260, elem_id="gan-controls"):
                # gan_seeds_info states MAX_IMAGES (64); tests/test_teaching.py keeps the two in step
                self.seeds = gr.Textbox("0-15", label=i18n("gan_seeds_label"), info=i18n("gan_seeds_info"),
                                        elem_id="seeds")
                with gr.Row(elem_id="gan-buttons"):
                    self.random_button = gr.Button(i18n("gan_random_seeds_button"), size="sm", elem_id="random-seeds")
                    self.generate_button = gr.Button(i18n("gan_generate_button"), variant="primary", size="sm",
                                                     elem_id="generate")
                self.psi = gr.Slider(*PSI_RANGE, value=1.0, step=0.05, label=i18n("gan_psi_label"),
                                     info=i18n("gan_psi_info"), elem_classes="gan-option", elem_id="psi")
                # plain "any" (the examples table shows these labels); on_model puts it in the user's language
                self.label = gr.Dropdown(all_classes, value="any", label=i18n("gan_class_label"),
                                         info=i18n("gan_class_info"), elem_classes="gan-option", elem_id="class")
                self.display = gr.Radio([(i18n(f"gan_display_{size}"), size) for size in GALLERY_SIZES],
                                        value="medium", label=i18n("gan_display_label"), elem_classes="gan-option",
                                        elem_id="gan-size")
            with gr.Column(scale=3, elem_id="gan-results"):
                self.gallery = view("gallery", "gan-gallery")
        # One table per model, shown while that model is selected (on_model), so every row fits it. Gradio 6.31
        # copies the inputs' labels into a table's header untranslated; on_model sets them in the user's language.
        self.examples = {}
        for ds in self.registry.datasets("gan"):
            with gr.Column(visible=ds == first) as column:
                last_class = self.registry.class_choices(ds)[-1]
                rows = [["0-15", 1.0, "any"], ["100-131", 0.7, "any"], ["0-7", 1.0, last_class]]
                examples = gr.Examples(rows, inputs=[self.seeds, self.psi, self.label], cache_examples=False,
                                       api_name=f"gan_example_{ds}", api_visibility="undocumented",
                                       label=i18n("gan_examples_label"), elem_id=f"gan-examples-{ds}")
                examples.dataset.headers = []
            self.examples[ds] = (column, examples)

    def wire(self, model: gr.Dropdown) -> None:
        """Controls -> the page state (no request); the server endpoints for gradio_client and the fallback."""
        browser = {"queue": False, "show_progress": "hidden", "api_visibility": "private"}
        gr.on([self.generate_button.click, self.seeds.submit], None, self.seeds, None, js=hook("commitSeeds"),
              **browser)
        self.random_button.click(None, None, self.seeds, js=hook("randomSeeds"), **browser)
        self.psi.input(None, self.psi, None, js=hook("set", "psi"), **browser)
        self.label.input(None, self.label, None, js=hook("set", "class"), **browser)
        self.display.input(None, self.display, None, js=hook("setSetting", "size"), **browser)
        for _, examples in self.examples.values():  # a row filled the controls: the state takes all three
            examples.load_input_event.then(None, [self.seeds, self.psi, self.label], None, js=hook("example"),
                                           **browser)
        gan_queue = {"concurrency_id": "gan", "concurrency_limit": 2}
        api_endpoint(self.sample, [model, self.seeds, self.psi, self.label],
                     [gr.Gallery(format="png"), gr.File()], api_name="sample", **gan_queue)
        api_endpoint(self.download_all, [model, self.seeds, self.psi, self.label], gr.File(),
                     api_name="download_all", api_visibility="undocumented", **gan_queue)

    def on_model(self, model: str, lang: str, label: str = "any") -> dict:
        """The class list (keeping the page state's `label` when this model has it) and the note for this model, and
        its examples table (headers in the user's language)."""
        choices = self.class_choices(model, lang)
        label = label if label in self.registry.class_choices(model) else "any"
        updates = {self.label: gr.Dropdown(choices=choices, value=label, interactive=len(choices) > 1),
                   self.note: gr.Markdown(self.registry.missing_note(model, "gan", lang),
                                          visible=(model, "gan") not in self.registry.checkpoints)}
        for ds, (column, examples) in self.examples.items():
            updates[column] = gr.Column(visible=ds == model)
            updates[examples.dataset] = gr.Dataset(headers=self.example_headers(lang))
        return updates
