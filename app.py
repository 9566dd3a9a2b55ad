"""genimg's Gradio app: builds the page from the tab modules (genimg/app/tabs/) and launches it. Nothing else:
handlers, layouts and strings live in genimg/app/, the browser side in genimg/app/web/. Models load once, here.

    python app.py            # serves on http://localhost:7860
    GENIMG_CHECKPOINTS=/path/to/checkpoints python app.py

Public API (README "API"): sample, interpolate, video, invert, slide, traverse, latent_map, reconstruct. The same
endpoints are MCP tools (launch(mcp_server=True)): an agent connects to /gradio_api/mcp/ and lists them; their
docstrings are the tools' descriptions.
"""

import logging
from pathlib import Path

import gradio as gr
import torch

from genimg.app import cache_writes
from genimg.app.i18n import TABLES, request_language, toast_titles_css
from genimg.app.page import Sync, hook, launch_options, set_to, view
from genimg.app.registry import Registry
from genimg.app.tabs.card import CardTab
from genimg.app.tabs.encode import EncodeTab, encode_examples
from genimg.app.tabs.gan import GanTab
from genimg.app.tabs.how import HowTab
from genimg.app.tabs.lab import LabTab
from genimg.app.tabs.quiz import QuizTab
from genimg.app.tabs.vae import VaeTab

# Tiny models: one intra-op thread is ~100x faster than two when the CPU is busy (OpenMP spin-waits);
# requests run side by side on Gradio's worker threads instead.
torch.set_num_threads(1)
cache_writes.install()  # a picture many ask for at once is written once, atomically (genimg/app/cache_writes.py)
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

EXAMPLES = Path(__file__).resolve().parent / "examples"  # examples/<dataset>/<class>_0.png and examples/encode/
registry = Registry()
DATASETS = registry.datasets()
FIRST = registry.first()  # the model the page opens on
# Gradio checks a dropdown's value against the choices it was built with, so those are the union over models;
# the model selector narrows what the browser offers.
ALL_CLASSES = list(dict.fromkeys(c for ds in DATASETS for c in registry.class_choices(ds))) or ["any"]

# Gradio picks the table from the browser's language (zh-CN, zh-TW, ... fall back to "zh"), English by default; the
# page's language switch (?lang=) sets that language before Gradio starts (genimg/app/web/boot.js).
i18n = gr.I18n(**TABLES)
CSS = (Path(__file__).resolve().parent / "genimg" / "app" / "style.css").read_text(encoding="utf-8")
CSS += toast_titles_css()
# Server settings for a public Space: uploads capped, only Gradio's own cache is served (no allowed_paths).
# show_error: Gradio opens uploads before our handler does, so a broken or oversized file fails there; with
# this the message (e.g. "cannot identify image file", "exceeds limit of 25000000 pixels") reaches the user.
# mcp_server: every documented endpoint is also an MCP tool (streamable HTTP at /gradio_api/mcp/).
# The device's own fonts: Gradio's default theme fetches ~145 KB of font files (Latin only: Chinese falls back to the
# system's anyway), a second on a far link; the page's skeleton is drawn in the same fonts.
THEME = gr.themes.Default(font=("ui-sans-serif", "system-ui", "sans-serif"),
                          font_mono=("ui-monospace", "Consolas", "monospace"))
LAUNCH = {"max_file_size": "5mb", "show_error": True, "css": CSS, "footer_links": ["api", "gradio"], "i18n": i18n,
          "theme": THEME,
          "mcp_server": True,
          # the browser side (README "In the browser"): runtime, page config and page.js in <head>; middleware
          **launch_options(registry, FIRST, encode_examples(registry, EXAMPLES))}

gan_tab, vae_tab, encode_tab = GanTab(registry), VaeTab(registry), EncodeTab(registry)
card_tab, how_tab, lab_tab = CardTab(registry), HowTab(registry, EXAMPLES), LabTab()
quiz_tab = QuizTab(registry)  # its class tally lives as long as the app
FOLLOW_MODEL = [gan_tab, vae_tab, encode_tab, card_tab]  # tabs whose server-made parts change with the model


def model_updates(model: str, lang: str, label: str = "any") -> dict:
    """Every server-side update a model switch makes, tab by tab (each tab's on_model: {component: update}); `label`
    is the page state's class, which the class list keeps when the model has it."""
    updates = {}
    for tab in FOLLOW_MODEL:
        updates.update(tab.on_model(model, lang, label) if tab is gan_tab else tab.on_model(model, lang))
    return updates


def model_changed(model: str, label: str, request: gr.Request) -> dict:
    """The model selector changed (or the page opened): model_updates in the request's language."""
    return model_updates(model, request_language(request), label)


with gr.Blocks(title="genimg", delete_cache=(3600, 3600)) as demo:
    with gr.Row(elem_id="genimg-top"):
        gr.Markdown(i18n("app_intro_md"), elem_id="genimg-intro")
        with gr.Column(scale=0, min_width=400, elem_id="genimg-choices"):
            with gr.Row():
                model = gr.Dropdown(DATASETS, value=FIRST, label=i18n("model_label"), elem_id="model", min_width=130)
                language = gr.Radio([("English", "en"), ("中文", "zh")], value="en",
                                    label=i18n("page_language_label"), elem_id="language", min_width=230)
            with gr.Row():
                copy_link = gr.Button(i18n("page_copy_link_button"), size="sm", elem_id="copy-link")
                present = gr.Button(i18n("page_present_button"), size="sm", elem_id="present")
    view("present", "genimg-present")  # presenter mode: the picture full screen, large controls, shortcuts
    view("notice", "genimg-notice")  # the page's one-line notices (runtime, link, input), in its language
    gr.Markdown(registry.problems_markdown() if DATASETS else f"No checkpoints found under {registry.root}.\n\n"
                + registry.problems_markdown(), visible=bool(registry.problems) or not DATASETS)
    with gr.Tabs(selected="gan", overflow_behavior="wrap") as tabs:
        gan_tab.build(model, i18n, FIRST, ALL_CLASSES)
        vae_tab.build(model, i18n, FIRST)
        encode_tab.build(model, i18n)
        card_tab.build(i18n)
        how_tab.build(model, i18n)
        lab_tab.build(i18n)
        quiz_tab.build(i18n)

    # The page state (genimg/app/web/state.js) is the truth; controls hand it their values (no request), and the
    # sync element shows it in them when it changed elsewhere (a link, "random", the pad, a recipe).
    Sync({"model": model, "lang": language, **gan_tab.synced(), **vae_tab.synced()})
    browser = {"queue": False, "show_progress": "hidden", "api_visibility": "private"}
    model.input(None, model, None, js=hook("set", "model"), **browser)
    language.input(None, language, None, js=hook("setLanguage"), **browser)
    copy_link.click(None, None, None, js=hook("copyLink"), **browser)
    present.click(None, None, None, js=set_to("present", True), **browser)
    for tab in (gan_tab, vae_tab, encode_tab, card_tab, how_tab, lab_tab, quiz_tab):
        tab.tab.select(None, None, None, js=set_to("tab", tab.tab.id), **browser)

# Opening the page or switching the model: what the server shows of the old model is replaced or cleared. The
# outputs are the components the tabs' on_model updates name (asked outside the page's context, where the
# updates they build are not rendered as components of their own).
SWITCH_OUTPUTS = list(dict.fromkeys(c for ds in DATASETS for c in model_updates(ds, "en")))
with demo:  # asked for the page state's model (tagged: a late answer for an old model is never the last one), then
    # the controls show the state again (new choices must not drop a value the state holds)
    state_class = gr.Textbox(visible=False)  # the state's class: the class list's own value is checked against
    # the choices Gradio last sent, which may be the old model's
    # always_last: a switch made while the last one is answered runs after it (Gradio's 'once' would drop it)
    switch = gr.on([demo.load, model.change], model_changed, [model, state_class], SWITCH_OUTPUTS,
                   api_name="select_model", api_visibility="undocumented", show_progress="hidden",
                   js=hook("stateModel", passthrough=True), trigger_mode="always_last")
    switch.then(None, None, None, js=hook("sync"), queue=False, show_progress="hidden", api_visibility="private")

# A classroom presses Generate at once: nothing is turned away (the page draws in the browser; these are programs
# and the fallback), and each event's concurrency limit keeps the CPU's work bounded.
demo.queue(max_size=None, default_concurrency_limit=2)

if __name__ == "__main__":
    demo.launch(**LAUNCH)
