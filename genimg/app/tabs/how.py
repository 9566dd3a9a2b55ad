"""Tab "How it works": the GAN and the VAE explained with the formulas the code optimises, each tied to the
selected model (the discriminator's D(x) on a real and a generated image, the KL per latent dimension, the
loss curves), then the article's pitfalls and an FAQ. The content and the drawing live in genimg/app/teaching.py;
this module lays them out and wires them.
"""

from pathlib import Path

import gradio as gr

from ...models.vae import LOW_KL
from ...sampling import MAX_SEED
from .. import charts, teaching
from ..checks import check_int, user_errors
from ..i18n import request_language
from ..registry import Registry

LATEX = teaching.LATEX_DELIMITERS
HOW_SIDE = 140  # display size of the two images D scores


class HowTab:
    """How it works: handlers reading the selected model's checkpoints as they are on disk now."""

    def __init__(self, registry: Registry, examples_dir: Path):
        self.registry, self.examples_dir = registry, examples_dir

    def classes(self, model: str) -> list[str]:
        """The classes "How it works" can show D a real example of, for this model's GAN."""
        gan = self.registry.checkpoints.get((model, "gan"))
        return teaching.class_choices(gan.model, self.examples_dir / model) if gan else []

    def live(self, model: str, digit: str | None, request: gr.Request) -> list:
        """The class list, the GAN's loss curves, the VAE's KL per dimension (chart + summary), loss curves and
        numbers, from the checkpoints on disk now (training may be rewriting them)."""
        lang = request_language(request)
        gan, vae = self.registry.checkpoints.get((model, "gan")), self.registry.checkpoints.get((model, "vae"))
        classes = self.classes(model)
        digit = digit if digit in classes else (classes[0] if classes else None)
        gan_history = teaching.card_history(gan.path)[1] if gan and (gan.path / "card.json").is_file() else []
        if vae is None:
            kl, summary, vae_history, numbers = None, self.registry.missing_note(model, "vae", lang), [], ""
        else:
            kl, summary, vae_history, numbers = teaching.vae_panel(vae.path, vae.model, self.examples_dir / model,
                                                                   lang)
        return [gr.Dropdown(choices=classes, value=digit), *charts.loss_plots(gan_history, "gan", lang),
                charts.kl_plot(kl, LOW_KL, lang), summary, *charts.loss_plots(vae_history, "vae", lang), numbers]

    def ask_discriminator(self, model: str, digit: str | None, seed, request: gr.Request) -> list:
        """A real example of the class and a generated one (from the seed) with D's score on each."""
        lang = request_language(request)
        gan = self.registry.checkpoints.get((model, "gan"))
        if gan is None:
            return [None, None, self.registry.missing_note(model, "gan", lang)]
        with user_errors(lang):
            seed = check_int(seed, "seed", 0, MAX_SEED - 64)  # D scores a group of seeds from this one on
        return list(teaching.discriminator_panel(gan.path, gan.model, self.examples_dir / model, digit, seed, lang,
                                                 HOW_SIDE))

    def build(self, model: gr.Dropdown, i18n: gr.I18n) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and wire its events."""
        # the page's first model's classes first: the list starts on one of them, as live() would choose, so a click
        # before live() has answered sends a value that is still among the choices
        first = [model.value] if model.value else []
        all_classes = list(dict.fromkeys(c for ds in [*first, *self.registry.datasets()] for c in self.classes(ds)))
        with gr.Tab(i18n("how_tab"), id="how", elem_id="tab-how") as self.tab:
            gr.Markdown(i18n("how_intro_md"), latex_delimiters=LATEX)
            with gr.Tabs(selected="how-gan", overflow_behavior="wrap"):
                with gr.Tab(i18n("how_section_gan"), id="how-gan"):
                    gr.Markdown(i18n("how_gan_theory_md"), latex_delimiters=LATEX)
                    gr.Markdown(i18n("how_gan_live_md"), latex_delimiters=LATEX)
                    with gr.Row():
                        with gr.Column(scale=1, min_width=260):
                            digit = gr.Dropdown(all_classes, value=all_classes[0] if all_classes else None,
                                                label=i18n("how_digit_label"), info=i18n("how_digit_info"),
                                                elem_id="how-digit")
                            seed = gr.Number(0, label=i18n("how_seed_label"), info=i18n("how_seed_info"),
                                             precision=0)  # range checked by the handler, in the page's language
                            score = gr.Button(i18n("how_score_button"), variant="primary", size="sm",
                                              elem_id="how-score")
                        with gr.Column(scale=2):
                            with gr.Row():
                                real_image = gr.Image(label=i18n("how_real_image_label"), format="png",
                                                      alt_text=i18n("how_real_image_label"), interactive=False,
                                                      elem_classes="pixelated", height=180, min_width=140,
                                                      buttons=[])
                                fake_image = gr.Image(label=i18n("how_fake_image_label"), format="png",
                                                      alt_text=i18n("how_fake_image_label"), interactive=False,
                                                      elem_classes="pixelated", height=180, min_width=140,
                                                      buttons=[])
                            verdict = gr.Markdown(latex_delimiters=LATEX, elem_id="how-verdict")
                    with gr.Row():
                        gan_curves = [gr.LinePlot(**charts.PLOT_COLUMNS["loss"], height=280, min_width=300,
                                                  show_label=False) for _ in charts.LOSS_PANELS["gan"]]
                    gr.Markdown(i18n("how_gan_curves_md"), latex_delimiters=LATEX)
                with gr.Tab(i18n("how_section_vae"), id="how-vae"):
                    gr.Markdown(i18n("how_vae_theory_md"), latex_delimiters=LATEX)
                    gr.Markdown(i18n("how_kl_md"), latex_delimiters=LATEX)
                    kl_plot = gr.BarPlot(**charts.PLOT_COLUMNS["kl"], height=300, show_label=False,
                                         elem_id="how-kl-plot")
                    kl_text = gr.Markdown(latex_delimiters=LATEX, elem_id="how-kl-text")
                    refresh = gr.Button(i18n("how_refresh_button"), size="sm")
                    with gr.Row():
                        vae_curves = [gr.LinePlot(**charts.PLOT_COLUMNS["loss"], height=280, min_width=300,
                                                  show_label=False) for _ in charts.LOSS_PANELS["vae"]]
                    vae_numbers = gr.Markdown(latex_delimiters=LATEX, elem_id="how-vae-numbers")
                    gr.Markdown(i18n("how_vae_curves_md"), latex_delimiters=LATEX)
                with gr.Tab(i18n("how_section_measure"), id="how-measure"):
                    gr.Markdown(i18n("how_measure_md"), latex_delimiters=LATEX)
                with gr.Tab(i18n("how_section_pitfalls"), id="how-pitfalls"):
                    gr.Markdown(i18n("how_pitfalls_md"), latex_delimiters=LATEX)
                with gr.Tab(i18n("how_section_faq"), id="how-faq"):
                    gr.Markdown(i18n("how_faq_md"), latex_delimiters=LATEX)

        # Filled when the tab opens (not on every page load), again when the model changes, and on request
        # (training may have rewritten the checkpoints since).
        how = {"concurrency_id": "how", "concurrency_limit": 2, "api_visibility": "undocumented"}
        live_outputs = [digit, *gan_curves, kl_plot, kl_text, *vae_curves, vae_numbers]
        discriminator_io = ([model, digit, seed], [real_image, fake_image, verdict])
        gr.on([self.tab.select, model.change, refresh.click], self.live, [model, digit], live_outputs,
              api_name="how_live", **how).then(self.ask_discriminator, *discriminator_io,
                                               api_name="how_discriminator_live", **how)
        gr.on([score.click, digit.input, seed.submit], self.ask_discriminator, *discriminator_io,
              api_name="how_discriminator", **how)
