"""Tab "GAN: sample from seeds": a seed list -> a gallery and a grid PNG; seed A -> seed B as a looping GIF;
"is it just copying?": a sample's three nearest training images (clicking a gallery image asks for them).

Public events (README "API"): `sample(model, seeds, psi, label)`,
`interpolate(model, seed_a, seed_b, frames, psi, label)` and `nearest_training(model, seed, psi, label)`;
`model` is a dataset name, `label` is `any` or a class name. Bad input raises gr.Error saying what was
wrong and what is accepted.
"""

import gradio as gr
import numpy as np
from PIL import Image

from ...images import gif_bytes, grid, png_bytes, to_pil, upscale
from ...sampling import generate, labels_for_seeds, latent_from_seed, parse_seeds, slerp
from ..checks import FRAMES_RANGE, MAX_IMAGES, PSI_RANGE, check_int, check_psi, check_seed, user_errors
from ..i18n import request_language, text
from ..nearest import NearestTraining, NotAvailable
from ..registry import Registry

GALLERY_SIDE = 128  # display size: upscaled crisply (nearest neighbour) to the largest multiple <= this
GALLERY_COLUMNS = {"small": 12, "medium": 8, "large": 4}


class GanTab:
    """The GAN tab's handlers (plain Python in and out) and, after `build`, its components."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.training = NearestTraining(registry.root)  # built per dataset on first use, from the data cache

    # ---- handlers ------------------------------------------------------------------------------

    def sample(self, model: str, seeds: str, psi: float, label: str) -> tuple[list[tuple[Image.Image, str]], str]:
        """Seed text like '0-15,42' -> gallery of (image, 'seed N') and the path of a grid PNG."""
        seed_list, z, labels = self.sample_request(model, seeds, psi, label)
        return self.sample_outputs(seed_list, generate(self.registry.get(model, "gan").model, z, labels))

    def sample_request(self, model: str, seeds: str, psi: float, label: str) -> tuple[list[int], np.ndarray, list]:
        """Check one sample request -> (seeds, z (N, z_dim), labels); gr.Error saying what is accepted."""
        gan = self.registry.get(model, "gan").model
        with user_errors():
            seed_list = parse_seeds(seeds, limit=MAX_IMAGES)
            psi = check_psi(psi)
            labels = labels_for_seeds(gan, seed_list, label or "any")
        z = np.stack([latent_from_seed(s, gan.z_dim) for s in seed_list]) * np.float32(psi)  # (N, z_dim)
        return seed_list, z, labels

    def sample_outputs(self, seed_list: list[int], images: np.ndarray) -> tuple[list[tuple[Image.Image, str]], str]:
        """(N, H, W, C) uint8 -> gallery of (image, 'seed N') and the path of a grid PNG."""
        gallery = [(upscale(to_pil(image), GALLERY_SIDE), f"seed {s}") for image, s in zip(images, seed_list)]
        sheet = to_pil(grid(images))
        sheet = upscale(sheet, 4 * max(sheet.size))  # 4x, crisp
        return gallery, self.registry.write_output(png_bytes(sheet), ".png")

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
                galleries[i], grids[i] = self.sample_outputs(requests[i][0], images[start:start + count])
                start += count
        return galleries, grids

    def random_seeds(self, count: int = 16) -> str:
        """Seed text for `count` consecutive seeds from a random start, e.g. '40213-40228'."""
        start = int(np.random.default_rng().integers(0, 1_000_000))
        return f"{start}-{start + count - 1}"

    def interpolate(self, model: str, seed_a: int, seed_b: int, frames: int, psi: float, label: str) -> str:
        """Slerp from seed A's latent to seed B's in `frames` steps -> path of a looping GIF.

        With label 'any' a conditional GAN keeps seed A's class for every frame.
        """
        gan = self.registry.get(model, "gan").model
        with user_errors():
            seed_a, seed_b = check_seed(seed_a, "seed A"), check_seed(seed_b, "seed B")
            frames = check_int(frames, "frames", *FRAMES_RANGE)
            psi = check_psi(psi)
            label_a = labels_for_seeds(gan, [seed_a], label or "any")[0]
        z_a, z_b = latent_from_seed(seed_a, gan.z_dim), latent_from_seed(seed_b, gan.z_dim)
        z = np.stack([slerp(z_a, z_b, t) for t in np.linspace(0, 1, frames)]) * np.float32(psi)  # (F, z_dim)
        images = generate(gan, z, [label_a] * frames)
        return self.registry.write_output(gif_bytes([upscale(to_pil(i), GALLERY_SIDE) for i in images]), ".gif")

    def nearest_training(self, model: str, seed: int, psi: float, label: str, lang: str = "en"
                         ) -> tuple[list[tuple[Image.Image, str]], str]:
        """One seed's sample and its three nearest training images (captions: distance), and a line saying
        how near that is next to held-out test images; without the cached dataset, the sample and why not."""
        gan = self.registry.get(model, "gan").model
        with user_errors():
            seed, psi = check_seed(seed, "seed"), check_psi(psi)
            labels = labels_for_seeds(gan, [seed], label or "any")
        image = generate(gan, latent_from_seed(seed, gan.z_dim)[None] * np.float32(psi), labels)[0]
        gallery = [(upscale(to_pil(image), GALLERY_SIDE), f"seed {seed}")]
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
        if not caption.startswith("seed ") or not caption[5:].isdigit():
            raise gr.Error(f"cannot tell which seed this gallery image is (caption {caption!r}); "
                           "type the seed into 'is it just copying?' instead")
        seed = int(caption[5:])
        return (seed, *self.nearest_training(model, seed, psi, label, request_language(request)))

    def on_model(self, model: str, lang: str) -> list:
        """Updates for `model_outputs` when the model selector changes."""
        classes = self.registry.class_choices(model)
        has_gan = (model, "gan") in self.registry.checkpoints
        return [gr.Dropdown(choices=classes, value="any", interactive=len(classes) > 1),
                gr.Markdown(self.registry.missing_note(model, "gan", lang), visible=not has_gan)]

    # ---- layout and events ---------------------------------------------------------------------

    def build(self, model: gr.Dropdown, i18n: gr.I18n, first: str | None, all_classes: list[str]) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and wire its events."""
        with gr.Tab(i18n("gan_tab"), id="gan", elem_id="tab-gan"):
            self.note = gr.Markdown(visible=False)
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    # gan_seeds_info states MAX_IMAGES (64); tests/test_teaching.py keeps the two in step
                    self.seeds = gr.Textbox("0-15", label=i18n("gan_seeds_label"), info=i18n("gan_seeds_info"),
                                            elem_id="seeds")
                    with gr.Row():
                        random_seeds = gr.Button(i18n("gan_random_seeds_button"), size="sm")
                        generate_button = gr.Button(i18n("gan_generate_button"), variant="primary", size="sm",
                                                    elem_id="generate")
                    self.psi = gr.Slider(*PSI_RANGE, value=1.0, step=0.05, label=i18n("gan_psi_label"),
                                         info=i18n("gan_psi_info"))
                    self.label = gr.Dropdown(all_classes, value="any", label=i18n("gan_class_label"),
                                             info=i18n("gan_class_info"))
                    display = gr.Radio([(i18n(f"gan_display_{size}"), size) for size in GALLERY_COLUMNS],
                                       value="medium", label=i18n("gan_display_label"))
                with gr.Column(scale=3):
                    self.gallery = gr.Gallery(label=i18n("gan_gallery_label"), columns=GALLERY_COLUMNS["medium"],
                                              format="png", elem_id="gan-gallery", object_fit="contain",
                                              height="auto")
                    self.grid_png = gr.DownloadButton(i18n("gan_download_button"), value=None, size="sm")
            with gr.Accordion(i18n("gan_interpolate_accordion"), open=True):
                with gr.Row():
                    seed_a = gr.Number(0, label=i18n("gan_seed_a_label"), precision=0, minimum=0, min_width=100)
                    seed_b = gr.Number(1, label=i18n("gan_seed_b_label"), precision=0, minimum=0, min_width=100)
                    frames = gr.Slider(*FRAMES_RANGE, value=24, step=1, label=i18n("gan_frames_label"),
                                       min_width=160)
                    interpolate = gr.Button(i18n("gan_interpolate_button"), min_width=100)
                gif = gr.Image(label=i18n("gan_gif_label"), type="filepath",
                               interactive=False, height=240, elem_classes="pixelated")
            with gr.Accordion(i18n("gan_nearest_accordion"), open=False):
                gr.Markdown(i18n("gan_nearest_help"))
                with gr.Row():
                    nearest_seed = gr.Number(0, label=i18n("gan_nearest_seed_label"), precision=0, minimum=0,
                                             min_width=100)
                    find_nearest = gr.Button(i18n("gan_nearest_button"), min_width=100)
                nearest_gallery = gr.Gallery(label=i18n("gan_nearest_gallery_label"), columns=4, format="png",
                                             object_fit="contain", height="auto", elem_id="gan-nearest")
                nearest_note = gr.Markdown()
            if first:
                examples = gr.Examples([[first, "0-15", 1.0, "any"], [first, "100-131", 0.7, "any"],
                                        [first, "0-7", 1.0, self.registry.class_choices(first)[-1]]],
                                       inputs=[model, self.seeds, self.psi, self.label],
                                       outputs=[self.gallery, self.grid_png], fn=self.sample, cache_examples=True,
                                       cache_mode="lazy", label=i18n("examples_label"))
                # Gradio 6.31 copies the inputs' labels into the examples table's header row without translating
                # them (the browser shows raw i18n markers), so the table has no header row: a click fills the
                # labelled inputs above.
                examples.dataset.headers = []

        inputs, outputs = [model, self.seeds, self.psi, self.label], [self.gallery, self.grid_png]
        gan_queue = {"concurrency_id": "gan", "concurrency_limit": 2}
        quiet = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}
        gr.on([generate_button.click, self.seeds.submit], self.sample, inputs, outputs, api_name="sample",
              **gan_queue)
        random_seeds.click(self.random_seeds, None, self.seeds, api_name="random_seeds", **quiet).then(
            self.sample, inputs, outputs, api_name="sample_random", api_visibility="undocumented", **gan_queue)
        display.change(lambda size: gr.Gallery(columns=GALLERY_COLUMNS[size]), display, self.gallery,
                       api_name="display_size", **quiet)
        interpolate.click(self.interpolate, [model, seed_a, seed_b, frames, self.psi, self.label], gif,
                          api_name="interpolate", **gan_queue)
        find_nearest.click(self.nearest_event, [model, nearest_seed, self.psi, self.label],
                           [nearest_gallery, nearest_note], api_name="nearest_training", **gan_queue)
        self.gallery.select(self.nearest_of_selected, [model, self.psi, self.label],
                            [nearest_seed, nearest_gallery, nearest_note], api_name="nearest_of_selected",
                            api_visibility="undocumented", **gan_queue)

    def model_outputs(self) -> list:
        return [self.label, self.note]

    def wire_page_load(self, demo: gr.Blocks, model: gr.Dropdown) -> None:
        """The first gallery, drawn when the page opens."""
        demo.load(self.sample, [model, self.seeds, self.psi, self.label], [self.gallery, self.grid_png],
                  api_name="load_samples", api_visibility="undocumented", concurrency_id="gan", concurrency_limit=2)
