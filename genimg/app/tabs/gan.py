"""Tab "GAN: sample from seeds": a seed list -> a gallery and a grid PNG; seed A -> seed B as a looping GIF.

Public events (README "API"): `sample(model, seeds, psi, label)` and
`interpolate(model, seed_a, seed_b, frames, psi, label)`; `model` is a dataset name, `label` is `any` or a
class name. Bad input raises gr.Error saying what was wrong and what is accepted, in the browser's language
(handlers take a gr.Request, which Gradio fills in; it is not an API parameter).
"""

import re

import gradio as gr
import numpy as np
from PIL import Image

from ...images import gif_bytes, grid, png_bytes, to_pil, upscale
from ...sampling import generate, labels_for_seeds, latent_from_seed, parse_seeds, slerp
from ..checks import FRAMES_RANGE, MAX_IMAGES, PSI_RANGE, check_int, check_psi, check_seed, user_errors
from ..i18n import DEFAULT_LANGUAGE, request_language, text
from ..registry import Registry

GALLERY_SIDE = 128  # display size: upscaled crisply (nearest neighbour) to the largest multiple <= this
GIF_SIDE = 256
# Thumbnail sizes: style.css gives each a minimum width (#gan-gallery.size-small ...) and the gallery fits as many
# columns of that width as its box has, so every size does something at any screen width.
GALLERY_SIZES = ("small", "medium", "large")


def seed_ranges(seeds: list[int]) -> str:
    """[0, 1, 2, 3, 42] -> '0-3_42': runs of consecutive seeds, for a file name."""
    runs: list[list[int]] = []
    for seed in seeds:
        if runs and seed == runs[-1][1] + 1:
            runs[-1][1] = seed
        else:
            runs.append([seed, seed])
    return "_".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def grid_name(model: str, seeds: list[int], psi: float, label: str) -> str:
    """What the grid PNG downloads as: 'genimg-mnist-seeds-0-15', '-psi0.7' and '-class-7' when they apply."""
    ranges = seed_ranges(seeds)
    if len(ranges) > 40:  # a long list of scattered seeds: say how many, from where
        ranges = f"{seeds[0]}-and-{len(seeds) - 1}-more"
    name = f"genimg-{model}-seeds-{ranges}"
    if psi != 1.0:
        name += f"-psi{psi:g}"
    if label and label != "any":
        name += "-class-" + re.sub(r"[^A-Za-z0-9]+", "-", str(label)).strip("-")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)


class GanTab:
    """The GAN tab's handlers (plain Python in and out) and, after `build`, its components."""

    def __init__(self, registry: Registry):
        self.registry = registry

    # ---- handlers ------------------------------------------------------------------------------

    def sample(self, model: str, seeds: str, psi: float, label: str, request: gr.Request | None = None
               ) -> tuple[list[tuple[Image.Image, str]], str]:
        """Seed text like '0-15,42' -> gallery of (image, 'seed N') and the path of a grid PNG."""
        lang = request_language(request)
        seed_list, z, labels = self.sample_request(model, seeds, psi, label, lang)
        images = generate(self.registry.get(model, "gan", lang).model, z, labels)
        return self.sample_outputs(seed_list, images, lang, grid_name(model, seed_list, float(psi), label))

    def sample_request(self, model: str, seeds: str, psi: float, label: str, lang: str = DEFAULT_LANGUAGE
                       ) -> tuple[list[int], np.ndarray, list]:
        """Check one sample request -> (seeds, z (N, z_dim), labels); gr.Error saying what is accepted."""
        gan = self.registry.get(model, "gan", lang).model
        with user_errors(lang):
            seed_list = parse_seeds(seeds, limit=MAX_IMAGES)
            psi = check_psi(psi)
            labels = labels_for_seeds(gan, seed_list, label or "any")
        z = np.stack([latent_from_seed(s, gan.z_dim) for s in seed_list]) * np.float32(psi)  # (N, z_dim)
        return seed_list, z, labels

    def sample_outputs(self, seed_list: list[int], images: np.ndarray, lang: str = DEFAULT_LANGUAGE,
                       name: str | None = None) -> tuple[list[tuple[Image.Image, str]], str]:
        """(N, H, W, C) uint8 -> gallery of (image, 'seed N') and the path of a grid PNG (downloaded as `name`)."""
        caption = text("gan_caption", lang)
        gallery = [(upscale(to_pil(image), GALLERY_SIDE), caption.format(seed=s))
                   for image, s in zip(images, seed_list)]
        sheet = to_pil(grid(images))
        sheet = upscale(sheet, 4 * max(sheet.size))  # 4x, crisp
        return gallery, self.registry.write_output(png_bytes(sheet), ".png", name)

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

    def interpolate(self, model: str, seed_a: int, seed_b: int, frames: int, psi: float, label: str,
                    request: gr.Request | None = None) -> str:
        """Slerp from seed A's latent to seed B's in `frames` steps -> path of a looping GIF.

        With label 'any' a conditional GAN keeps seed A's class for every frame.
        """
        lang = request_language(request)
        gan = self.registry.get(model, "gan", lang).model
        with user_errors(lang):
            seed_a, seed_b = check_seed(seed_a, "seed A"), check_seed(seed_b, "seed B")
            frames = check_int(frames, "frames", *FRAMES_RANGE)
            psi = check_psi(psi)
            label_a = labels_for_seeds(gan, [seed_a], label or "any")[0]
        z_a, z_b = latent_from_seed(seed_a, gan.z_dim), latent_from_seed(seed_b, gan.z_dim)
        z = np.stack([slerp(z_a, z_b, t) for t in np.linspace(0, 1, frames)]) * np.float32(psi)  # (F, z_dim)
        images = generate(gan, z, [label_a] * frames)
        gif = gif_bytes([upscale(to_pil(i), GIF_SIDE) for i in images])
        return self.registry.write_output(gif, ".gif", f"genimg-{model}-seed-{seed_a}-to-{seed_b}")

    def sampler(self, model: str):
        """sample() for one model: what that model's examples table runs."""
        def sample_model(seeds: str, psi: float, label: str, request: gr.Request):
            return self.sample(model, seeds, psi, label, request)
        return sample_model

    def class_choices(self, model: str, lang: str) -> list[tuple[str, str]]:
        """The class dropdown's (shown, value) pairs: 'any' in the user's language, then the class names."""
        return [(text("class_any", lang) if c == "any" else c, c) for c in self.registry.class_choices(model)]

    def example_headers(self, lang: str) -> list[str]:
        return [text("gan_seeds_label", lang), text("gan_psi_label", lang), text("gan_class_label", lang)]

    def on_model(self, model: str, lang: str) -> list:
        """Updates for `model_outputs` when the model selector changes (or the page opens): the class list, the
        note, the old model's gallery, grid and GIF cleared (`wire_model_switch` then samples the new one), and
        the examples of this model, with headers in the user's language."""
        choices = self.class_choices(model, lang)
        has_gan = (model, "gan") in self.registry.checkpoints
        examples = [gr.Column(visible=ds == model) for ds in self.examples]
        headers = [gr.Dataset(headers=self.example_headers(lang)) for _ in self.examples]
        return [gr.Dropdown(choices=choices, value="any", interactive=len(choices) > 1),
                gr.Markdown(self.registry.missing_note(model, "gan", lang), visible=not has_gan),
                None, None, None, *examples, *headers]

    # ---- layout and events ---------------------------------------------------------------------

    def build(self, model: gr.Dropdown, i18n: gr.I18n, first: str | None, all_classes: list[str]) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and wire its events."""
        self.model = model
        with gr.Tab(i18n("gan_tab"), id="gan", elem_id="tab-gan"):
            self.note = gr.Markdown(visible=False)
            with gr.Row(elem_id="gan-row"):
                # On a phone style.css shows the seeds and buttons, then the gallery, then the other controls
                # (#gan-controls dissolves into the row there), so an image is on the first screen.
                with gr.Column(scale=1, min_width=260, elem_id="gan-controls"):
                    # gan_seeds_info states MAX_IMAGES (64); tests/test_teaching.py keeps the two in step
                    self.seeds = gr.Textbox("0-15", label=i18n("gan_seeds_label"), info=i18n("gan_seeds_info"),
                                            elem_id="seeds")
                    with gr.Row(elem_id="gan-buttons"):
                        random_seeds = gr.Button(i18n("gan_random_seeds_button"), size="sm")
                        generate_button = gr.Button(i18n("gan_generate_button"), variant="primary", size="sm",
                                                    elem_id="generate")
                    self.psi = gr.Slider(*PSI_RANGE, value=1.0, step=0.05, label=i18n("gan_psi_label"),
                                         info=i18n("gan_psi_info"), elem_classes="gan-option")
                    # plain "any" here (the examples table shows these labels, and would show an i18n marker);
                    # on_model, run when the page opens, puts it in the user's language
                    self.label = gr.Dropdown(all_classes, value="any", label=i18n("gan_class_label"),
                                             info=i18n("gan_class_info"), elem_classes="gan-option")
                    display = gr.Radio([(i18n(f"gan_display_{size}"), size) for size in GALLERY_SIZES],
                                       value="medium", label=i18n("gan_display_label"), elem_classes="gan-option",
                                       elem_id="gan-size")
                with gr.Column(scale=3, elem_id="gan-results"):
                    self.gallery = gr.Gallery(label=i18n("gan_gallery_label"), format="png", elem_id="gan-gallery",
                                              elem_classes="size-medium", object_fit="contain", height="auto",
                                              columns=8, buttons=["download", "fullscreen"])
                    self.grid_png = gr.DownloadButton(i18n("gan_download_button"), value=None, size="sm")
            with gr.Accordion(i18n("gan_interpolate_accordion"), open=True):
                with gr.Row(equal_height=True):
                    seed_a = gr.Number(0, label=i18n("gan_seed_a_label"), precision=0, minimum=0, min_width=100)
                    seed_b = gr.Number(1, label=i18n("gan_seed_b_label"), precision=0, minimum=0, min_width=100)
                    frames = gr.Slider(*FRAMES_RANGE, value=24, step=1, label=i18n("gan_frames_label"),
                                       min_width=160)
                    interpolate = gr.Button(i18n("gan_interpolate_button"), variant="primary", size="sm",
                                            min_width=100, scale=0, elem_id="interpolate")
                self.gif = gr.Image(label=i18n("gan_gif_label"), type="filepath", interactive=False,
                                    height=GIF_SIDE + 40, elem_classes="pixelated", elem_id="gan-gif")
            # One table per model, shown while that model is selected (on_model), so every row fits it.
            # Gradio 6.31 copies the inputs' labels into a table's header row without translating them (the browser
            # would show raw i18n markers); on_model sets the headers in the request's language instead.
            self.examples = {}
            for ds in self.registry.datasets("gan"):
                with gr.Column(visible=ds == first) as column:
                    rows = [["0-15", 1.0, "any"], ["100-131", 0.7, "any"],
                            ["0-7", 1.0, self.registry.class_choices(ds)[-1]]]
                    # not cached: the captions are in the language of whoever clicks
                    examples = gr.Examples(rows, inputs=[self.seeds, self.psi, self.label],
                                           outputs=[self.gallery, self.grid_png], fn=self.sampler(ds),
                                           cache_examples=False, run_on_click=True, api_name=f"gan_example_{ds}",
                                           label=i18n("gan_examples_label"), elem_id=f"gan-examples-{ds}")
                    examples.dataset.headers = []
                self.examples[ds] = (column, examples.dataset)

        inputs, outputs = [model, self.seeds, self.psi, self.label], [self.gallery, self.grid_png]
        gan_queue = {"concurrency_id": "gan", "concurrency_limit": 2}
        quiet = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}
        gr.on([generate_button.click, self.seeds.submit], self.sample, inputs, outputs, api_name="sample",
              **gan_queue)
        random_seeds.click(self.random_seeds, None, self.seeds, api_name="random_seeds", **quiet).then(
            self.sample, inputs, outputs, api_name="sample_random", api_visibility="undocumented", **gan_queue)
        display.change(lambda size: gr.Gallery(elem_classes=f"size-{size}"), display, self.gallery,
                       api_name="display_size", **quiet)
        interpolate.click(self.interpolate, [model, seed_a, seed_b, frames, self.psi, self.label], self.gif,
                          api_name="interpolate", **gan_queue)

    def model_outputs(self) -> list:
        return [self.label, self.note, self.gallery, self.grid_png, self.gif,
                *[column for column, _ in self.examples.values()], *[dataset for _, dataset in self.examples.values()]]

    def wire_model_switch(self, switched) -> None:
        """After the model selector changed (or the page opened) and on_model cleared the old model's outputs:
        the gallery of the new model with the seeds, psi and class as they are now."""
        switched.then(self.sample, [self.model, self.seeds, self.psi, self.label], [self.gallery, self.grid_png],
                      api_name="load_samples", api_visibility="undocumented", concurrency_id="gan",
                      concurrency_limit=2)
