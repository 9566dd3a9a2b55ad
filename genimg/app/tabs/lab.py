"""Tab "Lab": a GAN on 2-D points and a VAE on digits train live in the user's browser, with one-click lessons
tied to How it works. Everything happens in genimg/app/web/lab/ (window.genimg.lab and its page, ui.js), mounted
by the page's "lab" view; the server sends the page, those modules, the vendored runtime and the 2,000 lab digits
once, and training makes no request. This module only places the view, gives it the lab's strings in both
languages (the page picks one) and serves the web folder; it has no handlers and no API endpoint.
"""

import gradio as gr

from .. import web_assets
from ..i18n import TABLES
from ..page import view

LAB = web_assets.WEB / "lab"
PREFIX = "lab_"  # every string the lab's page reads; the locale files hold them

def lab_strings() -> dict[str, dict[str, str]]:
    """{"en": {...}, "zh": {...}}: the lab_* keys of each locale file."""
    return {language: {k: v for k, v in table.items() if k.startswith(PREFIX)} for language, table in TABLES.items()}


class LabTab:
    """The Lab tab: a gr.HTML the browser fills (see the module docstring)."""

    def build(self, i18n: gr.I18n) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and let Gradio serve the web folder."""
        web_assets.register()
        strings = lab_strings()
        with gr.Tab(i18n("lab_tab"), id="lab", elem_id="tab-lab") as self.tab:
            gr.Markdown(i18n("lab_intro_md"))
            view("lab", "lab", css_template=(LAB / "lab.css").read_text(encoding="utf-8"), strings=strings)
