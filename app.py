"""genimg's Gradio app: wiring only. Components, events and their api_names; every function it calls
lives in genimg.handlers (tested without Gradio). Models load once, here, at import.

    python app.py            # serves on http://localhost:7860
    GENIMG_CHECKPOINTS=/path/to/checkpoints python app.py

Public API (see README "API"): sample, interpolate, slide, traverse, latent_map, reconstruct.
"""

import logging
from pathlib import Path

import gradio as gr
import torch

from genimg.handlers import FRAMES_RANGE, MAX_IMAGES, PSI_RANGE, Z_LIMIT, Lab

# Tiny models: one intra-op thread is ~100x faster than two when the CPU is busy (OpenMP spin-waits);
# requests run side by side on Gradio's worker threads instead.
torch.set_num_threads(1)
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

HERE = Path(__file__).resolve().parent
lab = Lab()
DATASETS = lab.datasets()
FIRST = DATASETS[0] if DATASETS else None
SLIDERS = lab.max_z_dim  # one slider per latent dimension of the widest VAE; extras hidden per model
# Gradio checks a dropdown's value against the choices it was built with, so those are the union over
# models; the model selector narrows what the browser offers.
ALL_CLASSES = list(dict.fromkeys(c for ds in DATASETS for c in lab.class_choices(ds))) or ["any"]
FIRST_ORDER = [int(d) for d in lab.stats[FIRST].order] if FIRST in lab.stats else []
ALL_DIMS = [(f"z{d}", d) for d in FIRST_ORDER + [d for d in range(SLIDERS) if d not in FIRST_ORDER]]
ENCODE_EXAMPLES = sorted(str(p) for p in (HERE / "examples" / "encode").glob("*.*"))

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
LAUNCH = {"max_file_size": "5mb", "show_error": True, "css": CSS, "footer_links": ["api", "gradio"]}
GALLERY_COLUMNS = {"small": 12, "medium": 8, "large": 4}


def model_changed(model: str) -> list:
    """Everything that depends on the model selector: class list, tab notes, sliders, dims, card."""
    has_gan, has_vae = (model, "gan") in lab.checkpoints, (model, "vae") in lab.checkpoints
    classes = lab.class_choices(model)
    updates = [gr.Dropdown(choices=classes, value="any", interactive=len(classes) > 1),
               gr.Markdown(f"No GAN for **{model}**; models with a GAN: {', '.join(lab.datasets('gan')) or 'none'}.",
                           visible=not has_gan)]
    if not has_vae:
        note = f"No VAE for **{model}**; models with a VAE: {', '.join(lab.datasets('vae')) or 'none'}."
        return [*updates, gr.Markdown(note), gr.Markdown(note, visible=True),
                *[gr.Slider(visible=False) for _ in range(SLIDERS)], None, None, gr.Dropdown(), gr.Dropdown(),
                *card_outputs(model)]
    labels, z_dim = lab.slider_labels(model), lab.get(model, "vae").model.z_dim
    order = lab.stats[model].order
    dims = [(f"z{d}", int(d)) for d in order]
    z = [0.0] * z_dim
    return [*updates, gr.Markdown(lab.slider_help(model)), gr.Markdown(visible=False),
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


with gr.Blocks(title="genimg", delete_cache=(3600, 3600)) as demo:
    gr.Markdown("# genimg\nA GAN and a VAE per dataset, trained on a CPU. Pick a model, then sample the GAN from "
                "seeds, slide along the VAE's latent dimensions, or encode an image you upload or draw.")
    gr.Markdown(lab.problems_markdown() if DATASETS else f"No checkpoints found under {lab.root}.\n\n"
                + lab.problems_markdown(), visible=bool(lab.problems) or not DATASETS)
    model = gr.Dropdown(DATASETS, value=FIRST, label="model (dataset)", elem_id="model", scale=0, min_width=200)

    with gr.Tabs(selected="gan", overflow_behavior="wrap") as tabs:
        with gr.Tab("GAN: sample from seeds", id="gan"):
            gan_note = gr.Markdown(visible=False)
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    seeds = gr.Textbox("0-15", label="seeds", info=f"like 0-15,42 (ranges inclusive); at most "
                                       f"{MAX_IMAGES}; a seed names the same image forever", elem_id="seeds")
                    with gr.Row():
                        random_seeds = gr.Button("random seeds", size="sm")
                        generate = gr.Button("Generate", variant="primary", size="sm")
                    psi = gr.Slider(*PSI_RANGE, value=1.0, step=0.05, label="truncation psi",
                                    info="z × psi: below 1 = more typical, less varied")
                    label = gr.Dropdown(ALL_CLASSES, value="any", label="class",
                                        info="'any' lets the seed pick the class")
                    display = gr.Radio(list(GALLERY_COLUMNS), value="medium", label="display size")
                with gr.Column(scale=3):
                    gallery = gr.Gallery(label="samples", columns=GALLERY_COLUMNS["medium"], format="png",
                                         elem_id="gan-gallery", object_fit="contain", height="auto")
                    grid_png = gr.DownloadButton("Download grid PNG", value=None, size="sm")
            with gr.Accordion("Interpolate seed A → seed B (slerp; with class 'any', seed A's class)", open=True):
                with gr.Row():
                    seed_a = gr.Number(0, label="seed A", precision=0, minimum=0, min_width=100)
                    seed_b = gr.Number(1, label="seed B", precision=0, minimum=0, min_width=100)
                    frames = gr.Slider(*FRAMES_RANGE, value=24, step=1, label="frames", min_width=160)
                    interpolate = gr.Button("Interpolate", min_width=100)
                gif = gr.Image(label="interpolation GIF", type="filepath",
                               interactive=False, height=240, elem_classes="pixelated")
            if FIRST:
                gr.Examples([[FIRST, "0-15", 1.0, "any"], [FIRST, "100-131", 0.7, "any"],
                             [FIRST, "0-7", 1.0, lab.class_choices(FIRST)[-1]]],
                            inputs=[model, seeds, psi, label], outputs=[gallery, grid_png], fn=lab.sample,
                            cache_examples=True, cache_mode="lazy", label="examples")

        with gr.Tab("VAE: latent sliders", id="vae"):
            vae_help = gr.Markdown()
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    vae_image = gr.Image(label="decoded z", format="png", interactive=False, elem_id="vae-image",
                                         elem_classes="pixelated", height=256)
                    with gr.Row():
                        latent_seed = gr.Number(0, label="seed", precision=0, minimum=0, min_width=90)
                        random_latent = gr.Button("random", size="sm", min_width=70)
                    with gr.Row():
                        zero = gr.Button("reset to 0", size="sm", min_width=70)
                        from_upload = gr.Button("from upload", size="sm", min_width=70)
                with gr.Column(scale=3), gr.Row(elem_id="vae-sliders"):  # wraps: as many per line as fit
                    sliders = [gr.Slider(-Z_LIMIT, Z_LIMIT, value=0.0, step=0.01, label=f"z{k}",
                                         elem_id=f"z-slider-{k}", min_width=220) for k in range(SLIDERS)]
            with gr.Accordion("latent z as numbers (dimension order)", open=False):
                z_json = gr.JSON([0.0] * SLIDERS, label="z")
                slide_button = gr.Button("decode z", size="sm")
            with gr.Accordion("Traversal: each dimension from -3 to +3 in 7 steps", open=False):
                traverse = gr.Button("Draw traversal", size="sm")
                traverse_image = gr.Image(label="traversal (rows: dimensions, most informative first)",
                                          format="png", interactive=False, elem_classes="pixelated", height=640)
            with gr.Accordion("2-D latent map", open=False):
                with gr.Row():
                    dim_x = gr.Dropdown(ALL_DIMS, value=ALL_DIMS[0][1] if ALL_DIMS else None, label="across (x)",
                                        min_width=100)
                    dim_y = gr.Dropdown(ALL_DIMS, value=ALL_DIMS[1][1] if len(ALL_DIMS) > 1 else None,
                                        label="down (y)", min_width=100)
                    draw_map = gr.Button("Draw map", size="sm", min_width=100)
                map_note = gr.Markdown(label="map note")
                with gr.Row():
                    map_image = gr.Image(label="decoded 10x10 grid", format="png", interactive=False,
                                         elem_classes="pixelated", height=440, min_width=280)
                    scatter_image = gr.Image(label="test split, posterior means", format="png", interactive=False,
                                             height=440, min_width=280)

        with gr.Tab("Encode / decode", id="encode"):
            vae_note = gr.Markdown(visible=False)
            with gr.Row():
                with gr.Column(scale=1, min_width=280):
                    with gr.Tab("upload") as upload_tab:
                        upload = gr.Image(label="image", type="filepath", image_mode=None,
                                          sources=["upload", "clipboard"], height=280)
                        encode_upload = gr.Button("Encode upload", variant="primary", size="sm")
                    with gr.Tab("draw"):
                        sketch = gr.Sketchpad(label="draw a digit", type="numpy", image_mode="RGBA",
                                              canvas_size=(280, 280), height=320,
                                              brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"))
                        encode_sketch = gr.Button("Encode drawing", variant="primary", size="sm")
                with gr.Column(scale=2):
                    with gr.Row():
                        seen = gr.Image(label="model input", format="png", interactive=False,
                                        elem_classes="pixelated", height=200, min_width=140)
                        recon = gr.Image(label="reconstruction", format="png", interactive=False,
                                         elem_classes="pixelated", height=200, min_width=140)
                    error_text = gr.Markdown(label="error")
                    posterior = gr.Image(label="samples from q(z|x)", format="png", interactive=False,
                                         elem_classes="pixelated", height=110)
                    chart = gr.Image(label="latent mean ± std", format="png",
                                     interactive=False)
                    edit = gr.Button("Edit in sliders", size="sm")
                    with gr.Accordion("numbers", open=False):
                        numbers = gr.JSON(label="numbers (mse, psnr_db, mu, std)")

        with gr.Tab("Model card", id="card"):
            with gr.Row():
                with gr.Column():
                    gan_card = gr.Markdown(elem_classes="card")
                    gan_samples = gr.Image(label="GAN samples", interactive=False, elem_classes="pixelated")
                    gan_curves = gr.Image(label="GAN losses", interactive=False)
                with gr.Column():
                    vae_card = gr.Markdown(elem_classes="card")
                    vae_samples = gr.Image(label="VAE samples", interactive=False, elem_classes="pixelated")
                    vae_curves = gr.Image(label="VAE losses", interactive=False)

    # ---- events -------------------------------------------------------------------------------------
    latent_outputs = [*sliders, z_json, vae_image]
    model_outputs = [label, gan_note, vae_help, vae_note, *sliders, z_json, vae_image, dim_x, dim_y,
                     gan_card, gan_samples, gan_curves, vae_card, vae_samples, vae_curves]
    reconstruct_outputs = [seen, recon, error_text, chart, posterior, numbers]
    if ENCODE_EXAMPLES and (FIRST, "vae") in lab.checkpoints:
        with upload_tab:  # placed under the upload box; defined here, once its outputs exist
            gr.Examples([[FIRST, p] for p in ENCODE_EXAMPLES], inputs=[model, upload], outputs=reconstruct_outputs,
                        fn=lab.reconstruct, cache_examples=True, cache_mode="lazy", label="examples",
                        elem_id="encode-examples")
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
          api_name="reconstruct", concurrency_id="vae", concurrency_limit=2)
    encode_sketch.click(lab.reconstruct, [model, sketch], reconstruct_outputs, api_name="reconstruct_sketch",
                        api_visibility="undocumented", concurrency_id="vae", concurrency_limit=2)
    edit.click(lambda m, n: [*show_latent(m, lab.latent_of(m, n)), gr.Tabs(selected="vae")], [model, numbers],
               [*latent_outputs, tabs], api_name="edit_in_sliders", **quiet)

demo.queue(max_size=32, default_concurrency_limit=2)

if __name__ == "__main__":
    demo.launch(**LAUNCH)
