"""genimg's Gradio app: wiring only. Components, events and their api_names; every function it calls
lives in genimg.handlers (tested without Gradio). Models load once, here, at import.

    python app.py            # serves on http://localhost:7860
    GENIMG_CHECKPOINTS=/path/to/checkpoints python app.py

Public API (see README "API"): sample, interpolate, slide, traverse, latent_map, reconstruct.

Languages: every static label, help text and Markdown paragraph is an i18n("key") from genimg/i18n.py (EN and ZH);
the browser picks the table from its own language, English by default. Text built on the server (notes, live
numbers in "How it works") follows the request's Accept-Language header instead.
"""

import functools
import logging
from pathlib import Path

import gradio as gr
import torch

from genimg.app import teaching
from genimg.app.handlers import FRAMES_RANGE, LOW_KL, PSI_RANGE, Z_LIMIT, Lab, check_int, user_errors
from genimg.app.i18n import EN, ZH, language_from_header, text
from genimg.sampling import MAX_SEED

# Tiny models: one intra-op thread is ~100x faster than two when the CPU is busy (OpenMP spin-waits);
# requests run side by side on Gradio's worker threads instead.
torch.set_num_threads(1)
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

HERE = Path(__file__).resolve().parent
lab = Lab()
DATASETS = lab.datasets()
DEFAULT_DATASET = "mnist"  # the model the page opens on, when it is there
FIRST = DEFAULT_DATASET if DEFAULT_DATASET in DATASETS else (DATASETS[0] if DATASETS else None)
SLIDERS = lab.max_z_dim  # one slider per latent dimension of the widest VAE; extras hidden per model
# Gradio checks a dropdown's value against the choices it was built with, so those are the union over
# models; the model selector narrows what the browser offers.
ALL_CLASSES = list(dict.fromkeys(c for ds in DATASETS for c in lab.class_choices(ds))) or ["any"]
FIRST_ORDER = [int(d) for d in lab.stats[FIRST].order] if FIRST in lab.stats else []
ALL_DIMS = [(f"z{d}", d) for d in FIRST_ORDER + [d for d in range(SLIDERS) if d not in FIRST_ORDER]]
EXAMPLES = HERE / "examples"  # examples/<dataset>/<class>_0.png: the real images "How it works" shows D
# Encode / decode examples: photos and drawings of digits for the page's first model, and a few real test-split
# images for the others (a row names its model, so clicking an emoji row selects the emoji VAE).
ENCODE_PICKS = {"emoji": ["Smileys & Emotion", "Animals & Nature", "Food & Drink", "People & Body", "Travel & Places"]}


def encode_examples() -> list[list[str]]:
    """[model, image path] rows whose model has a VAE and whose file is there."""
    rows = [[FIRST, str(path)] for path in sorted((EXAMPLES / "encode").glob("*.*"))]
    for ds, names in ENCODE_PICKS.items():
        if ds != FIRST:
            rows += [[ds, str(teaching.example_path(EXAMPLES / ds, name))] for name in names]
    return [[ds, path] for ds, path in rows if (ds, "vae") in lab.checkpoints and Path(path).is_file()]


ENCODE_EXAMPLES = encode_examples()
LATEX = teaching.LATEX_DELIMITERS
HOW_SIDE = 140  # display size of the two images D scores

# The browser picks the table from its language (navigator.language; zh-CN, zh-TW, ... fall back to "zh"), English
# by default. In Gradio 6 the tables go to launch(i18n=...), see LAUNCH; keys hold no dots.
i18n = gr.I18n(en=EN, zh=ZH)

CSS = """
.pixelated img, #gan-gallery img { image-rendering: pixelated; }
.card td:first-child { min-width: 7.5em; word-break: normal; overflow-wrap: normal; }
@media (max-width: 720px) {  /* phones: as many thumbnails per row as fit, instead of 8 that overflow */
  #gan-gallery .grid-container { grid-template-columns: repeat(auto-fill, minmax(72px, 1fr)) !important; }
}
"""
# Server settings for a public Space: uploads capped, only Gradio's own cache is served (no allowed_paths).
# show_error: Gradio opens uploads before our handler does, so a broken or oversized file fails there; with
# this the message (e.g. "cannot identify image file", "exceeds limit of 25000000 pixels") reaches the user.
LAUNCH = {"max_file_size": "5mb", "show_error": True, "css": CSS, "footer_links": ["api", "gradio"], "i18n": i18n}
GALLERY_COLUMNS = {"small": 12, "medium": 8, "large": 4}


def language(request: gr.Request | None) -> str:
    """"en" or "zh" for text built on the server, from the request's Accept-Language header (English by default).

    Only its first language counts: the browser translates the static text by navigator.language alone (its first
    preferred language), so a "fr-FR,zh;q=0.9" browser shows English labels and must get English notes as well.
    """
    header = request.headers.get("accept-language") if request is not None else None
    return language_from_header((header or "").split(",")[0])


def missing_note(model: str, kind: str, lang: str) -> str:
    """'No GAN for **emoji**; models with a GAN: mnist.' in the request's language."""
    return text(f"{kind}_missing", lang).format(model=model,
                                                available=", ".join(lab.datasets(kind)) or text("none_available", lang))


def slider_help(model: str, lang: str) -> str:
    """The line above the VAE sliders: why they are in this order, and how many do little."""
    kl = lab.stats[model].kl
    if kl is None:
        return text("vae_no_latents", lang).format(model=model)
    return text("vae_slider_help", lang).format(unused=int((kl < LOW_KL).sum()), total=len(kl), threshold=LOW_KL)


def model_changed(model: str, request: gr.Request) -> list:
    """Everything that depends on the model selector: class list, tab notes, sliders, dims, card."""
    lang = language(request)
    has_gan, has_vae = (model, "gan") in lab.checkpoints, (model, "vae") in lab.checkpoints
    classes = lab.class_choices(model)
    updates = [gr.Dropdown(choices=classes, value="any", interactive=len(classes) > 1),
               gr.Markdown(missing_note(model, "gan", lang), visible=not has_gan)]
    if not has_vae:
        note = missing_note(model, "vae", lang)
        return [*updates, gr.Markdown(note), gr.Markdown(note, visible=True),
                *[gr.Slider(visible=False) for _ in range(SLIDERS)], None, None, gr.Dropdown(), gr.Dropdown(),
                *card_outputs(model)]
    labels, z_dim = lab.slider_labels(model), lab.get(model, "vae").model.z_dim
    order = lab.stats[model].order
    dims = [(f"z{d}", int(d)) for d in order]
    z = [0.0] * z_dim
    return [*updates, gr.Markdown(slider_help(model, lang)), gr.Markdown(visible=False),
            *[gr.Slider(label=labels[k], value=0.0, visible=True) if k < z_dim else gr.Slider(visible=False)
              for k in range(SLIDERS)],
            z, lab.slide(model, z), gr.Dropdown(choices=dims, value=int(order[0])),
            gr.Dropdown(choices=dims, value=int(order[min(1, z_dim - 1)])), *card_outputs(model)]


def card_outputs(model: str) -> list:
    return [*lab.card(model, "gan"), *lab.card(model, "vae")]


def show_latent(model: str, z) -> list:
    """z (dimension order) -> slider values (clipped to the sliders' range), z itself, and its image."""
    values = lab.slider_values(model, z)
    z = lab.z_from_sliders(model, values).tolist()
    return [*values, *[0.0] * (SLIDERS - len(values)), z, lab.slide(model, z)]


def how_classes(model: str) -> list[str]:
    """The classes "How it works" can show D a real example of, for this model's GAN."""
    gan = lab.checkpoints.get((model, "gan"))
    return teaching.class_choices(gan.model, EXAMPLES / model) if gan else []


HOW_CLASSES = list(dict.fromkeys(c for ds in DATASETS for c in how_classes(ds)))  # union, as ALL_CLASSES


def file_stamp(*paths: Path) -> tuple:
    """Modification times (None for a missing file): a cache key that changes whenever training rewrites a file."""
    stamps = []
    for path in paths:
        try:
            stamps.append(path.stat().st_mtime_ns)
        except OSError:
            stamps.append(None)
    return tuple(stamps)


# The plots take 0.3-1 s on a busy 2-core CPU; they change only when training rewrites card.json/latents.safetensors.
@functools.lru_cache(maxsize=16)
def cached_vae_panel(model: str, lang: str, stamp: tuple) -> tuple:
    vae = lab.checkpoints[model, "vae"]
    return teaching.vae_panel(vae.path, vae.model, EXAMPLES / model, lang)


@functools.lru_cache(maxsize=8)
def cached_gan_curves(model: str, stamp: tuple):
    return teaching.curves_or_none(lab.checkpoints[model, "gan"].path)


def how_live(model: str, digit: str | None, request: gr.Request) -> list:
    """How it works, from the selected model's checkpoints as they are on disk now (training may be rewriting them):
    the class list, the GAN's loss curves, the VAE's KL per dimension (chart + summary), loss curves and numbers."""
    lang = language(request)
    gan, vae = lab.checkpoints.get((model, "gan")), lab.checkpoints.get((model, "vae"))
    classes = how_classes(model)
    digit = digit if digit in classes else (classes[0] if classes else None)
    gan_curves = cached_gan_curves(model, file_stamp(gan.path / "card.json")) if gan else None
    if vae is None:
        vae_parts = [None, missing_note(model, "vae", lang), None, ""]
    else:
        vae_parts = list(cached_vae_panel(model, lang, file_stamp(vae.path / "card.json",
                                                               vae.path / "latents.safetensors")))
    return [gr.Dropdown(choices=classes, value=digit), gan_curves, *vae_parts]


def ask_discriminator(model: str, digit: str | None, seed, request: gr.Request) -> list:
    """How it works, GAN: a real example of the class and a generated one (from the seed) with D's score on each."""
    lang = language(request)
    gan = lab.checkpoints.get((model, "gan"))
    if gan is None:
        return [None, None, missing_note(model, "gan", lang)]
    with user_errors():
        seed = check_int(seed, "seed", 0, MAX_SEED - 64)  # D scores a group of seeds from this one on
    return list(teaching.discriminator_panel(gan.path, gan.model, EXAMPLES / model, digit, seed, lang, HOW_SIDE))


with gr.Blocks(title="genimg", delete_cache=(3600, 3600)) as demo:
    gr.Markdown(i18n("app_intro_md"))
    gr.Markdown(lab.problems_markdown() if DATASETS else f"No checkpoints found under {lab.root}.\n\n"
                + lab.problems_markdown(), visible=bool(lab.problems) or not DATASETS)
    model = gr.Dropdown(DATASETS, value=FIRST, label=i18n("model_label"), elem_id="model", scale=0, min_width=200)

    with gr.Tabs(selected="gan", overflow_behavior="wrap") as tabs:
        with gr.Tab(i18n("gan_tab"), id="gan", elem_id="tab-gan"):
            gan_note = gr.Markdown(visible=False)
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    # gan_seeds_info states MAX_IMAGES (64); tests/test_teaching.py keeps the two in step
                    seeds = gr.Textbox("0-15", label=i18n("gan_seeds_label"), info=i18n("gan_seeds_info"),
                                       elem_id="seeds")
                    with gr.Row():
                        random_seeds = gr.Button(i18n("gan_random_seeds_button"), size="sm")
                        generate = gr.Button(i18n("gan_generate_button"), variant="primary", size="sm",
                                             elem_id="generate")
                    psi = gr.Slider(*PSI_RANGE, value=1.0, step=0.05, label=i18n("gan_psi_label"),
                                    info=i18n("gan_psi_info"))
                    label = gr.Dropdown(ALL_CLASSES, value="any", label=i18n("gan_class_label"),
                                        info=i18n("gan_class_info"))
                    display = gr.Radio([(i18n(f"gan_display_{size}"), size) for size in GALLERY_COLUMNS],
                                       value="medium", label=i18n("gan_display_label"))
                with gr.Column(scale=3):
                    gallery = gr.Gallery(label=i18n("gan_gallery_label"), columns=GALLERY_COLUMNS["medium"],
                                         format="png", elem_id="gan-gallery", object_fit="contain", height="auto")
                    grid_png = gr.DownloadButton(i18n("gan_download_button"), value=None, size="sm")
            with gr.Accordion(i18n("gan_interpolate_accordion"), open=True):
                with gr.Row():
                    seed_a = gr.Number(0, label=i18n("gan_seed_a_label"), precision=0, minimum=0, min_width=100)
                    seed_b = gr.Number(1, label=i18n("gan_seed_b_label"), precision=0, minimum=0, min_width=100)
                    frames = gr.Slider(*FRAMES_RANGE, value=24, step=1, label=i18n("gan_frames_label"),
                                       min_width=160)
                    interpolate = gr.Button(i18n("gan_interpolate_button"), min_width=100)
                gif = gr.Image(label=i18n("gan_gif_label"), type="filepath",
                               interactive=False, height=240, elem_classes="pixelated")
            if FIRST:
                gan_examples = gr.Examples([[FIRST, "0-15", 1.0, "any"], [FIRST, "100-131", 0.7, "any"],
                                            [FIRST, "0-7", 1.0, lab.class_choices(FIRST)[-1]]],
                                           inputs=[model, seeds, psi, label], outputs=[gallery, grid_png],
                                           fn=lab.sample, cache_examples=True, cache_mode="lazy",
                                           label=i18n("examples_label"))
                # Gradio 6.31 copies the inputs' labels into the examples table's header row without translating
                # them (the browser shows raw i18n markers), so the table has no header row: a click fills the
                # labelled inputs above.
                gan_examples.dataset.headers = []

        with gr.Tab(i18n("vae_tab"), id="vae", elem_id="tab-vae"):
            vae_help = gr.Markdown()
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    vae_image = gr.Image(label=i18n("vae_image_label"), format="png", interactive=False,
                                         elem_id="vae-image", elem_classes="pixelated", height=256)
                    with gr.Row():
                        latent_seed = gr.Number(0, label=i18n("vae_seed_label"), precision=0, minimum=0,
                                                min_width=90)
                        random_latent = gr.Button(i18n("vae_random_button"), size="sm", min_width=70)
                    with gr.Row():
                        zero = gr.Button(i18n("vae_reset_button"), size="sm", min_width=70)
                        from_upload = gr.Button(i18n("vae_from_upload_button"), size="sm", min_width=70)
                with gr.Column(scale=3), gr.Row(elem_id="vae-sliders"):  # wraps: as many per line as fit
                    # labels ("z3 · 2.1 nats") are set per model by model_changed: numbers, the same in any language
                    sliders = [gr.Slider(-Z_LIMIT, Z_LIMIT, value=0.0, step=0.01, label=f"z{k}",
                                         elem_id=f"z-slider-{k}", min_width=220) for k in range(SLIDERS)]
            with gr.Accordion(i18n("vae_z_accordion"), open=False):
                z_json = gr.JSON([0.0] * SLIDERS, label=i18n("vae_z_label"))
                slide_button = gr.Button(i18n("vae_decode_button"), size="sm")
            with gr.Accordion(i18n("vae_traversal_accordion"), open=False):
                traverse = gr.Button(i18n("vae_traverse_button"), size="sm")
                traverse_image = gr.Image(label=i18n("vae_traversal_label"), format="png", interactive=False,
                                          elem_classes="pixelated", height=640)
            with gr.Accordion(i18n("vae_map_accordion"), open=False):
                with gr.Row():
                    dim_x = gr.Dropdown(ALL_DIMS, value=ALL_DIMS[0][1] if ALL_DIMS else None,
                                        label=i18n("vae_dim_x_label"), min_width=100)
                    dim_y = gr.Dropdown(ALL_DIMS, value=ALL_DIMS[1][1] if len(ALL_DIMS) > 1 else None,
                                        label=i18n("vae_dim_y_label"), min_width=100)
                    draw_map = gr.Button(i18n("vae_map_button"), size="sm", min_width=100)
                map_note = gr.Markdown(label=i18n("vae_map_note_label"))
                with gr.Row():
                    map_image = gr.Image(label=i18n("vae_map_label"), format="png", interactive=False,
                                         elem_classes="pixelated", height=440, min_width=280)
                    scatter_image = gr.Image(label=i18n("vae_scatter_label"), format="png", interactive=False,
                                             height=440, min_width=280)

        with gr.Tab(i18n("encode_tab"), id="encode", elem_id="tab-encode"):
            vae_note = gr.Markdown(visible=False)
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
                    edit = gr.Button(i18n("encode_edit_button"), size="sm")
                    with gr.Accordion(i18n("encode_numbers_accordion"), open=False):
                        numbers = gr.JSON(label=i18n("encode_numbers_label"))

        with gr.Tab(i18n("card_tab"), id="card", elem_id="tab-card"):
            with gr.Row():
                with gr.Column():
                    gan_card = gr.Markdown(elem_classes="card")
                    gan_samples = gr.Image(label=i18n("card_gan_samples_label"), interactive=False,
                                           elem_classes="pixelated")
                    gan_curves = gr.Image(label=i18n("card_gan_curves_label"), interactive=False)
                with gr.Column():
                    vae_card = gr.Markdown(elem_classes="card")
                    vae_samples = gr.Image(label=i18n("card_vae_samples_label"), interactive=False,
                                           elem_classes="pixelated")
                    vae_curves = gr.Image(label=i18n("card_vae_curves_label"), interactive=False)

        with gr.Tab(i18n("how_tab"), id="how", elem_id="tab-how") as how_tab:
            gr.Markdown(i18n("how_intro_md"), latex_delimiters=LATEX)
            with gr.Tabs(selected="how-gan"):
                with gr.Tab(i18n("how_section_gan"), id="how-gan"):
                    gr.Markdown(i18n("how_gan_theory_md"), latex_delimiters=LATEX)
                    gr.Markdown(i18n("how_gan_live_md"), latex_delimiters=LATEX)
                    with gr.Row():
                        with gr.Column(scale=1, min_width=260):
                            how_digit = gr.Dropdown(HOW_CLASSES, value=HOW_CLASSES[0] if HOW_CLASSES else None,
                                                    label=i18n("how_digit_label"), info=i18n("how_digit_info"),
                                                    elem_id="how-digit")
                            how_seed = gr.Number(0, label=i18n("how_seed_label"), info=i18n("how_seed_info"),
                                                 precision=0, minimum=0, maximum=MAX_SEED - 64)
                            score = gr.Button(i18n("how_score_button"), variant="primary", size="sm",
                                              elem_id="how-score")
                        with gr.Column(scale=2):
                            with gr.Row():
                                real_image = gr.Image(label=i18n("how_real_image_label"), format="png",
                                                      interactive=False, elem_classes="pixelated", height=180,
                                                      min_width=140)
                                fake_image = gr.Image(label=i18n("how_fake_image_label"), format="png",
                                                      interactive=False, elem_classes="pixelated", height=180,
                                                      min_width=140)
                            verdict = gr.Markdown(latex_delimiters=LATEX, elem_id="how-verdict")
                    how_gan_curves = gr.Image(label=i18n("how_gan_curves_label"), format="png", interactive=False)
                    gr.Markdown(i18n("how_gan_curves_md"), latex_delimiters=LATEX)
                with gr.Tab(i18n("how_section_vae"), id="how-vae"):
                    gr.Markdown(i18n("how_vae_theory_md"), latex_delimiters=LATEX)
                    gr.Markdown(i18n("how_kl_md"), latex_delimiters=LATEX)
                    kl_plot = gr.Image(label=i18n("how_kl_plot_label"), format="png", interactive=False)
                    kl_text = gr.Markdown(latex_delimiters=LATEX, elem_id="how-kl-text")
                    how_refresh = gr.Button(i18n("how_refresh_button"), size="sm")
                    how_vae_curves = gr.Image(label=i18n("how_vae_curves_label"), format="png", interactive=False)
                    vae_numbers = gr.Markdown(latex_delimiters=LATEX, elem_id="how-vae-numbers")
                    gr.Markdown(i18n("how_vae_curves_md"), latex_delimiters=LATEX)
                with gr.Tab(i18n("how_section_pitfalls"), id="how-pitfalls"):
                    gr.Markdown(i18n("how_pitfalls_md"), latex_delimiters=LATEX)
                with gr.Tab(i18n("how_section_faq"), id="how-faq"):
                    gr.Markdown(i18n("how_faq_md"), latex_delimiters=LATEX)

    # ---- events -------------------------------------------------------------------------------------
    latent_outputs = [*sliders, z_json, vae_image]
    model_outputs = [label, gan_note, vae_help, vae_note, *sliders, z_json, vae_image, dim_x, dim_y,
                     gan_card, gan_samples, gan_curves, vae_card, vae_samples, vae_curves]
    reconstruct_outputs = [seen, recon, error_text, chart, posterior, numbers]
    if ENCODE_EXAMPLES:
        with upload_tab:  # placed under the upload box; defined here, once its outputs exist
            upload_examples = gr.Examples(ENCODE_EXAMPLES, inputs=[model, upload], outputs=reconstruct_outputs,
                                          fn=lab.reconstruct, cache_examples=True, cache_mode="lazy",
                                          examples_per_page=len(ENCODE_EXAMPLES), label=i18n("examples_label"),
                                          elem_id="encode-examples")
            upload_examples.dataset.headers = []  # as gan_examples: untranslated headers
    quiet = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}

    model.change(model_changed, model, model_outputs, api_name="select_model", api_visibility="undocumented")
    demo.load(model_changed, model, model_outputs, api_name="load_model", api_visibility="undocumented")
    demo.load(lab.sample, [model, seeds, psi, label], [gallery, grid_png], api_name="load_samples",
              api_visibility="undocumented", concurrency_id="gan", concurrency_limit=2)

    # tab 1
    gr.on([generate.click, seeds.submit], lab.sample, [model, seeds, psi, label], [gallery, grid_png],
          api_name="sample", concurrency_id="gan", concurrency_limit=2)
    random_seeds.click(lab.random_seeds, None, seeds, api_name="random_seeds", **quiet).then(
        lab.sample, [model, seeds, psi, label], [gallery, grid_png], api_name="sample_random",
        api_visibility="undocumented", concurrency_id="gan", concurrency_limit=2)
    display.change(lambda size: gr.Gallery(columns=GALLERY_COLUMNS[size]), display, gallery,
                   api_name="display_size", **quiet)
    interpolate.click(lab.interpolate, [model, seed_a, seed_b, frames, psi, label], gif, api_name="interpolate",
                      concurrency_id="gan", concurrency_limit=2)

    # tab 2: the slider event is cheap (about 1 ms), so it skips the queue and shows no progress overlay
    gr.on([s.input for s in sliders], lab.slide_sliders, [model, *sliders], [vae_image, z_json],
          trigger_mode="always_last", api_name="slide_sliders", **quiet)
    slide_button.click(lab.slide, [model, z_json], vae_image, api_name="slide", queue=False, show_progress="hidden")
    random_latent.click(lambda m, s: show_latent(m, lab.random_latent(m, s)), [model, latent_seed], latent_outputs,
                        api_name="random_latent", **quiet)
    zero.click(lambda m: show_latent(m, [0.0] * lab.get(m, "vae").model.z_dim), model, latent_outputs,
               api_name="reset_latent", **quiet)
    from_upload.click(lambda m, n: show_latent(m, lab.latent_of(m, n)), [model, numbers], latent_outputs,
                      api_name="latent_from_upload", **quiet)
    traverse.click(lab.traverse, [model, z_json], traverse_image, api_name="traverse", concurrency_id="vae",
                   concurrency_limit=2)
    draw_map.click(lab.latent_map, [model, dim_x, dim_y, z_json], [map_image, scatter_image, map_note],
                   api_name="latent_map", concurrency_id="vae", concurrency_limit=2)

    # tab 3
    gr.on([encode_upload.click, upload.upload], lab.reconstruct, [model, upload], reconstruct_outputs,
          api_name="reconstruct", concurrency_id="vae", concurrency_limit=2,
          preprocess=False)  # the handler opens the upload itself, so a bad file gets genimg's own clear error
    encode_sketch.click(lab.reconstruct, [model, sketch], reconstruct_outputs, api_name="reconstruct_sketch",
                        api_visibility="undocumented", concurrency_id="vae", concurrency_limit=2)
    edit.click(lambda m, n: [*show_latent(m, lab.latent_of(m, n)), gr.Tabs(selected="vae")], [model, numbers],
               [*latent_outputs, tabs], api_name="edit_in_sliders", **quiet)

    # How it works: the live parts are drawn when the tab opens (not on every page load), again when the model
    # changes, and on request; they read the checkpoints on disk, so they follow a training run in progress.
    # one at a time: these draw with matplotlib's pyplot, whose figure registry is not meant for threads
    how = {"concurrency_id": "how", "concurrency_limit": 1, "api_visibility": "undocumented"}
    how_live_outputs = [how_digit, how_gan_curves, kl_plot, kl_text, how_vae_curves, vae_numbers]
    discriminator_io = ([model, how_digit, how_seed], [real_image, fake_image, verdict])
    gr.on([how_tab.select, model.change, how_refresh.click], how_live, [model, how_digit], how_live_outputs,
          api_name="how_live", **how).then(ask_discriminator, *discriminator_io, api_name="how_discriminator_live",
                                           **how)
    gr.on([score.click, how_digit.input, how_seed.submit], ask_discriminator, *discriminator_io,
          api_name="how_discriminator", **how)

demo.queue(max_size=32, default_concurrency_limit=2)

if __name__ == "__main__":
    demo.launch(**LAUNCH)
