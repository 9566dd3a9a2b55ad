"""Tab "GAN: sample from seeds": a seed list -> a gallery, a grid PNG and a ZIP; seed A -> seed B as a looping
GIF and an MP4; discovered-direction sliders editing one seed; a truncation sweep; a genimg PNG restores the
controls it was made with; "is it just copying?": a sample's three nearest training images (clicking a
gallery image asks for them); and (genimg/app/tabs/invert.py) finding an uploaded image in the GAN.

Public events (README "API"): `sample(model, seeds, psi, label)`,
`interpolate(model, seed_a, seed_b, frames, psi, label)`, `video(model, seed_a, seed_b, frames, psi, label)` and
`nearest_training(model, seed, psi, label)`;
`model` is a dataset name, `label` is `any` or a class name. Bad input raises gr.Error saying what was wrong
and what is accepted, in the browser's language (handlers take a gr.Request, which Gradio fills in; it is not an
API parameter). Every PNG the tab makes carries its recipe (genimg/recipes.py).
"""

import io
import math
import zipfile

import gradio as gr
import numpy as np
from PIL import Image

from ... import recipes
from ...images import gif_bytes, png_bytes, to_pil, upscale, video_bytes
from ...sampling import (
    generate,
    interpolate,
    labels_for_seeds,
    latent_from_seed,
    loop_path,
    parse_seeds,
    slerp,
)
from ..checks import (
    FRAMES_RANGE,
    MAX_IMAGES,
    PSI_RANGE,
    Z_LIMIT,
    check_int,
    check_psi,
    check_seed,
    user_errors,
)
from ..i18n import DEFAULT_LANGUAGE, request_language, text
from ..registry import Registry, grid_name
from . import live
from .copying import CopyingSection
from .directions import DirectionEditor
from .invert import InvertSection

GALLERY_SIDE = 128  # display size: upscaled crisply (nearest neighbour) to the largest multiple <= this
GIF_SIDE = 256
# Thumbnail sizes: style.css gives each a minimum width (#gan-gallery.size-small ...) and the gallery fits as many
# columns of that width as its box has, so every size does something at any screen width.
GALLERY_SIZES = ("small", "medium", "large")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed file times: the same gallery gives the same ZIP bytes


class GanTab:
    """The GAN tab's handlers (plain Python in and out) and, after `build`, its components."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.finder = InvertSection(registry)
        self.copying = CopyingSection(registry)  # "is it just copying?"
        self.editor = DirectionEditor(registry, self.recipe)  # the discovered-direction sliders' handlers
        self.max_directions = self.editor.max_directions

    # ---- handlers ------------------------------------------------------------------------------

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
        images = generate(self.registry.get(model, "gan", lang).model, z, labels)
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
        z = np.stack([latent_from_seed(s, gan.z_dim) for s in seed_list]) * np.float32(psi)  # (N, z_dim)
        return seed_list, z, labels

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

    def download_all(self, model: str, seeds: str, psi: float, label: str) -> str:
        """The gallery as a ZIP of seed0042.png ... at the model's own size, each PNG with its recipe."""
        seed_list, z, labels = self.sample_request(model, seeds, psi, label)
        images = generate(self.registry.get(model, "gan").model, z, labels)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
            for seed, image in zip(seed_list, images):
                picture = recipes.picture(image[None], self.recipe(model, seeds=[seed], psi=psi, label=label))
                archive.writestr(zipfile.ZipInfo(f"seed{seed:04d}.png", ZIP_TIME), png_bytes(picture))
        return self.registry.write_output(buffer.getvalue(), ".zip")

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

    def video(self, model: str, seed_a: int, seed_b: int, frames: int, psi: float, label: str,
              request: gr.Request | None = None) -> str:
        """A looping H.264 MP4 that morphs seed A's image into seed B's and back (spherical interpolation of z).

        Args:
            model: the dataset name of the model, e.g. "mnist" or "emoji".
            seed_a: the seed the loop starts and ends on (0 to 4294967295).
            seed_b: the seed it reaches half way (0 to 4294967295).
            frames: frames in the video, from 2 to 60 (24 frames play for one second).
            psi: truncation from 0 to 2 (1 = none).
            label: "any" (seed A's class throughout) or a class name of a conditional GAN.
        Returns:
            the path of the MP4 (H.264, yuv420p, 24 frames per second; every frame scaled up crisply).
        """
        lang = request_language(request)
        gan = self.registry.get(model, "gan", lang).model
        with user_errors(lang):
            seed_a, seed_b = check_seed(seed_a, "seed A"), check_seed(seed_b, "seed B")
            frames = check_int(frames, "frames", *FRAMES_RANGE)
            images = interpolate(gan, seed_a, seed_b, loop_path(frames), check_psi(psi), label or "any")
        return self.registry.write_output(video_bytes(images), ".mp4", f"genimg-{model}-seed-{seed_a}-to-{seed_b}")

    def open_recipe(self, model: str, path, request: gr.Request) -> list:
        """A PNG genimg wrote -> the controls it was made with: seeds, psi, class, editor seed and sliders."""
        lang = request_language(request)
        if isinstance(path, dict):
            path = path.get("path")
        if not path:
            raise gr.Error(text("gan_recipe_none", lang))
        with user_errors():
            recipe = recipes.read(path)
        if recipe["network"] != "gan" or recipe["model"] != model:
            raise gr.Error(text("gan_recipe_other_model", lang).format(made=f"{recipe['model']}/{recipe['network']}",
                                                                      model=model))
        if recipe["checkpoint"] != recipes.checkpoint_id(self.registry.get(model, "gan").path):
            gr.Warning(text("gan_recipe_other_checkpoint", lang).format(checkpoint=recipe["checkpoint"]))
        offsets = list(recipe.get("offsets") or [])
        sliders = [float(offsets[k]) if k < len(offsets) else 0.0 for k in range(self.max_directions)]
        label = recipe["label"] if recipe["label"] in self.registry.class_choices(model) else "any"
        if "z" in recipe:  # an inverted image: the editor starts from its latent
            base = {"z": recipe["z"], "label": recipe["label"]}
            return [gr.Textbox(), gr.Slider(), gr.Dropdown(value=label), gr.Number(), base, *sliders]
        seeds = recipe["seeds"]
        psi = recipe["psi"] if isinstance(recipe["psi"], (int, float)) else 1.0
        return [",".join(map(str, dict.fromkeys(seeds))), psi, label, seeds[0], None, *sliders]

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
        note, the old model's gallery, grid and GIF cleared (`wire_model_switch` then samples the new one), the
        direction sliders of this model, and its examples, with headers in the user's language."""
        choices = self.class_choices(model, lang)
        has_gan = (model, "gan") in self.registry.checkpoints
        found = self.editor.directions(model)
        count = len(found.vectors) if found else 0
        labels = found.labels() if found else []
        examples = [gr.Column(visible=ds == model) for ds in self.examples]
        headers = [gr.Dataset(headers=self.example_headers(lang)) for _ in self.examples]
        return [gr.Dropdown(choices=choices, value="any", interactive=len(choices) > 1),
                gr.Markdown(self.registry.missing_note(model, "gan", lang), visible=not has_gan),
                None, None, None, None, *examples, *headers,
                gr.Markdown(text("gan_directions_help" if found else "gan_no_directions", lang).format(
                    model=model, count=count, share=100 * float(found.variance_share.sum()) if found else 0)),
                None, *[gr.Slider(label=labels[k], value=0.0, visible=True) if k < count else gr.Slider(visible=False)
                        for k in range(self.max_directions)],
                *self.finder.on_model(model, lang)]

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
                    live.gan_live()  # psi and class, live in the browser (live.py)
                    self.gallery = gr.Gallery(label=i18n("gan_gallery_label"), format="png", elem_id="gan-gallery",
                                              elem_classes="size-medium", object_fit="contain", height="auto",
                                              columns=8, buttons=["download", "fullscreen"])
                    with gr.Row():
                        self.grid_png = gr.DownloadButton(i18n("gan_download_button"), value=None, size="sm")
                        zip_button = gr.DownloadButton(i18n("gan_zip_button"), value=None, size="sm")
            with gr.Accordion(i18n("gan_interpolate_accordion"), open=True):
                with gr.Row(equal_height=True):
                    seed_a = gr.Number(0, label=i18n("gan_seed_a_label"), precision=0, minimum=0, min_width=100)
                    seed_b = gr.Number(1, label=i18n("gan_seed_b_label"), precision=0, minimum=0, min_width=100)
                    frames = gr.Slider(*FRAMES_RANGE, value=24, step=1, label=i18n("gan_frames_label"),
                                       min_width=160)
                    interpolate = gr.Button(i18n("gan_interpolate_button"), variant="primary", size="sm",
                                            min_width=100, scale=0, elem_id="interpolate")
                    mp4_button = gr.Button(i18n("gan_video_button"), size="sm", min_width=100, scale=0)
                with gr.Row():
                    self.gif = gr.Image(label=i18n("gan_gif_label"), type="filepath", interactive=False,
                                        height=GIF_SIDE + 40, elem_classes="pixelated", elem_id="gan-gif")
                    self.mp4 = gr.Video(label=i18n("gan_video_label"), loop=True, autoplay=True, height=GIF_SIDE + 40,
                                        interactive=False, elem_id="gan-video")
                with gr.Row():  # the scrubber: one frame at a time, in the browser
                    scrub = gr.Slider(0.0, 1.0, value=0.0, step=0.01, label=i18n("gan_interp_t_label"),
                                      elem_id="interp-t", min_width=200)
                    live.interpolate_live()
            self.copying.build(i18n)
            with gr.Accordion(i18n("gan_directions_accordion"), open=False):
                self.directions_help = gr.Markdown()
                with gr.Row():
                    with gr.Column(scale=1, min_width=260):
                        edit_image = gr.Image(label=i18n("gan_edit_label"), format="png", interactive=False,
                                              elem_id="gan-edit", elem_classes="pixelated", height=256)
                        with gr.Row():
                            edit_seed = gr.Number(0, label=i18n("gan_edit_seed_label"), precision=0, minimum=0,
                                                  min_width=90)
                            reset = gr.Button(i18n("gan_edit_reset_button"), size="sm", min_width=70)
                        sweep = gr.Button(i18n("gan_sweep_button"), size="sm")
                    with gr.Column(scale=3), gr.Row(elem_id="gan-directions"):
                        # labels ("d0 · 3.7%") are set per model by on_model: numbers, the same in any language
                        self.sliders = [gr.Slider(-Z_LIMIT, Z_LIMIT, value=0.0, step=0.05, label=f"d{k}",
                                                  elem_id=f"d-slider-{k}", min_width=220)
                                        for k in range(self.max_directions)]
                sweep_image = gr.Image(label=i18n("gan_sweep_label"), format="png", interactive=False,
                                       elem_classes="pixelated", height=110)
                self.base = gr.State(None)  # None: the editor edits its seed; {"z", "label"}: a found latent
            with gr.Accordion(i18n("gan_recipe_accordion"), open=False):
                recipe_file = gr.File(label=i18n("gan_recipe_label"), file_types=[".png"], type="filepath",
                                      elem_id="gan-recipe")
            self.finder.build(model, i18n)
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
        # live in the browser, no request (live.py): psi, class and new seeds redraw the live grid; the scrubber
        # draws its frame. Without the in-browser runtime these hooks do nothing and the buttons work as before.
        browser_only = {"queue": False, "show_progress": "hidden"}
        gr.on([self.psi.input, self.label.input, generate_button.click, self.seeds.submit], None, inputs, None,
              js=live.GAN_LIVE_JS, **browser_only)
        model.change(None, model, None, js=live.WARM_JS, **browser_only)
        gr.on([scrub.input, seed_a.change, seed_b.change], None, [model, seed_a, seed_b, scrub, self.psi, self.label],
              None, js=live.INTERPOLATE_JS, **browser_only)
        mp4_button.click(self.video, [model, seed_a, seed_b, frames, self.psi, self.label], self.mp4, api_name="video",
                         **gan_queue)
        hidden = {"api_visibility": "undocumented", **gan_queue}
        self.copying.wire(model, self.gallery, self.psi, self.label)
        gr.on([generate_button.click, self.seeds.submit], self.download_all, inputs, zip_button,
              api_name="download_all", **hidden)

        # the direction sliders: cheap (one image), so they skip the queue, as the VAE sliders do
        edit_inputs = [model, self.base, edit_seed, self.psi, self.label, *self.sliders]
        gr.on([s.input for s in self.sliders] + [edit_seed.submit, self.psi.release, self.label.input],
              self.editor.edit, edit_inputs, edit_image, trigger_mode="always_last", api_name="edit", **quiet)
        edit_seed.change(lambda: None, None, self.base, **quiet)  # a seed typed in: edit the seed, not a found z
        reset.click(lambda: [0.0] * len(self.sliders), None, self.sliders, api_name="reset_directions", **quiet
                    ).then(self.editor.edit, edit_inputs, edit_image, api_name="edit_reset", **quiet)
        sweep.click(self.editor.truncation_sweep, [model, edit_seed, self.label], sweep_image,
                    api_name="truncation_sweep", **hidden)
        recipe_file.upload(self.open_recipe, [model, recipe_file],
                           [self.seeds, self.psi, self.label, edit_seed, self.base, *self.sliders],
                           api_name="open_recipe", **hidden).then(
            self.sample, inputs, outputs, api_name="sample_recipe", **hidden).then(
            self.editor.edit, edit_inputs, edit_image, api_name="edit_recipe", **quiet)
        self.finder.wire_sends(model, seed_b, frames, self.gif, self.base, self.sliders, edit_inputs, edit_image,
                               self.editor.edit)

    def model_outputs(self) -> list:
        return [self.label, self.note, self.gallery, self.grid_png, self.gif, self.mp4,
                *[column for column, _ in self.examples.values()], *[dataset for _, dataset in self.examples.values()],
                self.directions_help, self.base, *self.sliders, *self.finder.model_outputs()]

    def wire_model_switch(self, switched) -> None:
        """After the model selector changed (or the page opened) and on_model cleared the old model's outputs:
        the gallery of the new model with the seeds, psi and class as they are now."""
        switched.then(self.sample, [self.model, self.seeds, self.psi, self.label], [self.gallery, self.grid_png],
                      api_name="load_samples", api_visibility="undocumented", concurrency_id="gan",
                      concurrency_limit=2)
