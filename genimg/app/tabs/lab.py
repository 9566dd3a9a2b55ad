"""Tab "Lab": a GAN on 2-D points and a VAE on digits train live in the user's browser, with one-click lessons
tied to How it works. Everything happens in genimg/app/web/lab/ (window.genimg.lab and its page, ui.js); the
server sends the page, those modules, the vendored runtime and the 2,000 lab digits once, and training makes no
request. This module only places a gr.HTML, gives it the lab's strings in both languages (the browser picks
one, as gr.I18n does) and serves the web folder; it has no handlers and no API endpoint.
"""

import hashlib

import gradio as gr

from .. import web_assets
from ..i18n import TABLES

LAB = web_assets.WEB / "lab"
PREFIX = "lab_"  # every string the lab's page reads; the locale files hold them

# Runs in the browser when the component mounts: import the lab's module (a URL on this app, relative to the
# page) and build the page inside the component; if it cannot load, say why in the component itself.
JS_ON_LOAD = """
const mountPoint = element.querySelector('.lab-mount');
const strings = props.strings;
const language = (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
import(new URL(props.module, document.baseURI).href)
  .then(() => window.genimg.lab.mount(mountPoint, strings))
  .catch((error) => { mountPoint.textContent = strings[language].lab_unavailable + error.message; });
"""


def lab_strings() -> dict[str, dict[str, str]]:
    """{"en": {...}, "zh": {...}}: the lab_* keys of each locale file."""
    return {language: {k: v for k, v in table.items() if k.startswith(PREFIX)} for language, table in TABLES.items()}


def module_url() -> str:
    """index.js's URL on this app, versioned by its content (the browser revalidates the modules anyway)."""
    digest = hashlib.sha256((LAB / "index.js").read_bytes()).hexdigest()[:12]
    return web_assets.file_url(LAB / "index.js", digest)


class LabTab:
    """The Lab tab: a gr.HTML the browser fills (see the module docstring)."""

    def build(self, i18n: gr.I18n) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and let Gradio serve the web folder."""
        web_assets.register()
        strings = lab_strings()
        with gr.Tab(i18n("lab_tab"), id="lab", elem_id="tab-lab") as self.tab:
            gr.Markdown(i18n("lab_intro_md"))
            gr.HTML(value="", elem_id="lab",
                    html_template=f"<div class='lab-mount'>{strings['en']['lab_loading']}</div>",
                    css_template=(LAB / "lab.css").read_text(encoding="utf-8"), js_on_load=JS_ON_LOAD,
                    strings=strings, module=module_url())
