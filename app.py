"""genimg's Gradio app: builds the page from the tab modules (genimg/app/tabs/) and launches it. Nothing else:
handlers, layouts and strings live in genimg/app/. Models load once, here, at import.

    python app.py            # serves on http://localhost:7860
    GENIMG_CHECKPOINTS=/path/to/checkpoints python app.py

Public API (README "API"): sample, interpolate, slide, traverse, latent_map, reconstruct.
"""

import logging
from pathlib import Path

import gradio as gr
import torch

from genimg.app.i18n import TABLES, request_language
from genimg.app.registry import Registry
from genimg.app.tabs.card import CardTab
from genimg.app.tabs.encode import EncodeTab
from genimg.app.tabs.gan import GanTab
from genimg.app.tabs.how import HowTab
from genimg.app.tabs.vae import VaeTab

# Tiny models: one intra-op thread is ~100x faster than two when the CPU is busy (OpenMP spin-waits);
# requests run side by side on Gradio's worker threads instead.
torch.set_num_threads(1)
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

EXAMPLES = Path(__file__).resolve().parent / "examples"  # examples/<dataset>/<class>_0.png and examples/encode/
registry = Registry()
DATASETS = registry.datasets()
FIRST = "mnist" if "mnist" in DATASETS else (DATASETS[0] if DATASETS else None)  # the model the page opens on
# Gradio checks a dropdown's value against the choices it was built with, so those are the union over models;
# the model selector narrows what the browser offers.
ALL_CLASSES = list(dict.fromkeys(c for ds in DATASETS for c in registry.class_choices(ds))) or ["any"]

# The browser picks the table from its language (zh-CN, zh-TW, ... fall back to "zh"), English by default.
i18n = gr.I18n(**TABLES)
CSS = (Path(__file__).resolve().parent / "genimg" / "app" / "style.css").read_text(encoding="utf-8")
# Server settings for a public Space: uploads capped, only Gradio's own cache is served (no allowed_paths).
# show_error: Gradio opens uploads before our handler does, so a broken or oversized file fails there; with
# this the message (e.g. "cannot identify image file", "exceeds limit of 25000000 pixels") reaches the user.
LAUNCH = {"max_file_size": "5mb", "show_error": True, "css": CSS, "footer_links": ["api", "gradio"], "i18n": i18n}

gan_tab, vae_tab, encode_tab = GanTab(registry), VaeTab(registry), EncodeTab(registry)
card_tab, how_tab = CardTab(registry), HowTab(registry, EXAMPLES)
MODEL_TABS = [gan_tab, vae_tab, encode_tab, card_tab]  # what the model selector updates, in this order


def model_changed(model: str, request: gr.Request) -> list:
    """Everything that depends on the model selector, tab by tab (see each tab's on_model)."""
    lang = request_language(request)
    return [update for tab in MODEL_TABS for update in tab.on_model(model, lang)]


with gr.Blocks(title="genimg", delete_cache=(3600, 3600)) as demo:
    gr.Markdown(i18n("app_intro_md"))
    gr.Markdown(registry.problems_markdown() if DATASETS else f"No checkpoints found under {registry.root}.\n\n"
                + registry.problems_markdown(), visible=bool(registry.problems) or not DATASETS)
    model = gr.Dropdown(DATASETS, value=FIRST, label=i18n("model_label"), elem_id="model", scale=0, min_width=200)
    with gr.Tabs(selected="gan", overflow_behavior="wrap") as tabs:
        gan_tab.build(model, i18n, FIRST, ALL_CLASSES)
        vae_tab.build(model, i18n, FIRST)
        encode_tab.build(model, i18n, FIRST, EXAMPLES)
        card_tab.build(i18n)
        how_tab.build(model, i18n)
    vae_tab.wire_encoded(model, encode_tab.numbers, encode_tab.edit, tabs)

    model_outputs = [output for tab in MODEL_TABS for output in tab.model_outputs()]
    model.change(model_changed, model, model_outputs, api_name="select_model", api_visibility="undocumented")
    demo.load(model_changed, model, model_outputs, api_name="load_model", api_visibility="undocumented")
    gan_tab.wire_page_load(demo, model)

demo.queue(max_size=32, default_concurrency_limit=2)

if __name__ == "__main__":
    demo.launch(**LAUNCH)
