"""Tab "Model card": for the GAN and the VAE, what each was trained on, how (command, time), and its numbers
from card.json, each with one line saying what it means, in the user's language; then the samples training left
beside it and its loss curves (drawn by the browser from card.json's history).
"""

from pathlib import Path

import gradio as gr

from .. import charts
from ..i18n import DEFAULT_LANGUAGE, text
from ..registry import Checkpoint, Registry

# The card's numbers a class can read, in this order: (key in card.json's metrics, kind of value). Each has a label
# and a one-line meaning in the locale files (card_metric_<key>, card_metric_<key>_means). Other keys are left
# out: lists (histograms, per-dimension values), the seed, and numbers folded into these (kid_std, the floors,
# num_samples, iw_samples).
METRICS = [
    ("classifier_test_accuracy", "percent"),
    ("fid", "distance"), ("kid", "kid"), ("precision", "share"), ("recall", "share"),
    ("class_kl", "distance"), ("conditional_accuracy", "percent"),
    ("test_loss_nats", "nats"), ("test_recon_nats", "nats"), ("test_kl_nats", "nats"), ("iw_nll_nats", "nats"),
    ("test_bits_per_dim", "bits"), ("iw_bits_per_dim", "bits"),
    ("active_units", "units"), ("recon_psnr_db", "psnr"), ("linear_probe_accuracy", "percent"),
]


class CardTab:
    """The model card's handler and, after `build`, its components."""

    def __init__(self, registry: Registry):
        self.registry = registry

    def card(self, model: str, kind: str, lang: str = DEFAULT_LANGUAGE) -> dict:
        """{"markdown": card.json as Markdown, "samples": the picture training left beside it, "curves": the loss
        curves (one plot per panel of charts.LOSS_PANELS[kind])}."""
        checkpoint = self.registry.checkpoints.get((model, kind))
        if checkpoint is None:
            return {"markdown": text("card_missing", lang).format(kind=kind.upper(), model=model), "samples": None,
                    "curves": charts.loss_plots([], kind, lang), "cas": charts.cas_plot(None, lang)}
        history = checkpoint.card.get("history")
        metrics = checkpoint.card.get("metrics") if isinstance(checkpoint.card.get("metrics"), dict) else {}
        return {"markdown": card_markdown(checkpoint, self.registry.root, lang), "samples": checkpoint.samples,
                "curves": charts.loss_plots(history if isinstance(history, list) else [], kind, lang),
                "cas": charts.cas_plot(metrics.get("cas"), lang)}

    def on_model(self, model: str, lang: str) -> dict:
        updates = {}
        for kind, parts in self.outputs.items():
            card = self.card(model, kind, lang)
            updates[parts["markdown"]] = card["markdown"]
            # no samples: no picture at all, rather than Gradio's empty placeholder (an aria-label on a bare <div>)
            updates[parts["samples"]] = gr.Image(card["samples"], visible=card["samples"] is not None)
            updates.update(zip(parts["curves"], card["curves"], strict=True))
            updates[parts["cas"]] = card["cas"]
        return updates

    def build(self, i18n: gr.I18n) -> None:
        """Lay out the tab (inside the page's gr.Tabs); the model selector fills it."""
        self.outputs = {}  # kind -> {"markdown", "samples", "curves", "cas"}: the components card() fills
        with gr.Tab(i18n("card_tab"), id="card", elem_id="tab-card") as self.tab, gr.Row():
            for kind in ("gan", "vae"):
                with gr.Column(min_width=300):
                    self.outputs[kind] = {
                        "markdown": gr.Markdown(elem_classes="card", elem_id=f"card-{kind}"),
                        "samples": gr.Image(label=i18n(f"card_{kind}_samples_label"), interactive=False,
                                            alt_text=i18n(f"card_{kind}_samples_label"), elem_classes="pixelated",
                                            elem_id=f"card-{kind}-samples"),
                        "curves": [gr.LinePlot(**charts.PLOT_COLUMNS["loss"], height=260, show_label=False)
                                   for _ in charts.LOSS_PANELS[kind]],
                        "cas": gr.BarPlot(**charts.PLOT_COLUMNS["cas"], height=240, show_label=False, visible=False,
                                          elem_id=f"card-{kind}-cas")}


def readable(value: float, unit: str, lang: str) -> str:
    """A number as a class reads it: 99.3%, 6.73, 96.5 nats, 21.0 dB, 1,234."""
    if unit == "percent":
        return f"{100 * value:.1f}%"
    if unit == "share":
        return f"{value:.2f}"
    if unit in ("nats", "bits"):
        return text(f"card_unit_{unit}", lang).format(value=value)
    if unit == "psnr":
        return f"{value:.1f} dB"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 1 else f"{value:.2f}"


def metric_rows(metrics: dict, lang: str, prefix: str = "") -> list[tuple[str, str]]:
    """(label, value and its meaning) for the METRICS in a card's metrics (or its 'samples' section)."""
    rows, floor = [], metrics.get("floor") if isinstance(metrics.get("floor"), dict) else {}
    for key, kind in METRICS:
        value = metrics.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        shown = readable(value, kind, lang)
        if kind == "kid" and isinstance(metrics.get("kid_std"), (int, float)):
            shown += f" ± {readable(metrics['kid_std'], 'distance', lang)}"
        if kind == "units" and isinstance(metrics.get("z_dim"), int):
            shown = text("card_units", lang).format(active=value, total=metrics["z_dim"])
        if isinstance(floor.get(key), (int, float)):
            shown += " " + text("card_floor", lang).format(value=readable(floor[key], kind, lang))
        meaning = text(f"card_metric_{key}_means", lang).format(samples=f"{metrics.get('num_samples', 0):,}",
                                                                 k=metrics.get("iw_samples", "k"))
        rows.append((prefix + text(f"card_metric_{key}", lang), f"{shown}<br><small>{meaning}</small>"))
    return rows


def pilot_lines(pilots: dict, lang: str) -> str:
    """card.json's 'pilots' (benchmarks/gan_pilots.py) as one line per recipe, then what the runs were."""
    lines = []
    for name, r in (pilots.get("rows") or {}).items():
        if not isinstance(r, dict) or not all(isinstance(r.get(k), (int, float)) for k in ("fid", "recall")):
            continue
        accuracy = r.get("conditional_accuracy")
        lines.append(f"**{name}**: FID {r['fid']:.1f} · recall {r['recall']:.2f}"
                     + (f" · {text('card_metric_conditional_accuracy', lang)} {100 * accuracy:.0f}%"
                        if isinstance(accuracy, (int, float)) else "")
                     + f" · {r.get('images_per_s', 0):.0f} img/s")
    means = text("card_pilots_means", lang).format(minutes=pilots.get("minutes", "?"),
                                                   dataset=pilots.get("dataset", "?"))
    return "<br>".join(lines) + f"<br><small>{means}</small>"


def measured_rows(metrics: dict, lang: str) -> list[tuple[str, str]]:
    """CAS and the real-vs-generated detector (genimg/evaluate/cas.py, detect.py), when the card has them."""
    rows = []
    cas = metrics.get("cas") if isinstance(metrics.get("cas"), dict) else {}
    if all(isinstance(cas.get(k), (int, float)) for k in ("cas", "real")):
        shown = text("card_cas_value", lang).format(cas=100 * cas["cas"], real=100 * cas["real"])
        means = text("card_cas_means" if cas.get("labels") == "asked" else "card_cas_means_ruler", lang)
        rows.append((text("card_cas", lang), f"{shown}<br><small>{means}</small>"))
    detector = metrics.get("detector") if isinstance(metrics.get("detector"), dict) else {}
    if isinstance(detector.get("accuracy"), (int, float)):
        shown = f"{100 * detector['accuracy']:.1f}%" + (f" · AUC {detector['auc']:.2f}"
                                                         if isinstance(detector.get("auc"), (int, float)) else "")
        rows.append((text("card_detector", lang), f"{shown}<br><small>{text('card_detector_means', lang)}</small>"))
    return rows


def card_markdown(checkpoint: Checkpoint, root: Path, lang: str = DEFAULT_LANGUAGE) -> str:
    """Dataset, size, how it was trained (command, time) and its numbers with what they mean, as a table."""
    card, path = checkpoint.card, checkpoint.path
    # never the server's absolute paths: relative to the repository, else just <dataset>/<kind>
    where = (path.relative_to(root.parent) if path.is_relative_to(root.parent)
             else f"{checkpoint.dataset}/{checkpoint.kind}")
    minutes = card.get("wall_time_s")
    parameters = card.get("parameters", sum(p.numel() for p in checkpoint.model.parameters()))
    rows = [(text("card_dataset", lang), text("card_dataset_value", lang).format(
                dataset=card.get("dataset", "?"), images=f"{card['train_images']:,}"
                if isinstance(card.get("train_images"), int) else "?")),
            (text("card_parameters", lang), f"{parameters:,}<br><small>{text('card_parameters_means', lang)}</small>"),
            (text("card_trained", lang), text("card_trained_value", lang).format(
                epochs=card.get("epochs", "?"), steps=f"{card['steps']:,}" if isinstance(card.get("steps"), int)
                else "?", device=card.get("device", "?"))
             + (text("card_minutes", lang).format(minutes=minutes / 60) if isinstance(minutes, (int, float)) else ""))]
    commands = card.get("commands") or ([card["command"]] if card.get("command") else [])
    if commands:  # a run continued with --resume has one command per invocation
        rows.append((text("card_command" if len(commands) == 1 else "card_commands", lang),
                     "<br>".join(f"`{c}`" for c in commands)))
    if card.get("note"):  # what the card's fields alone do not say, e.g. where a run was trained
        rows.append((text("card_note", lang), str(card["note"])))
    if isinstance(card.get("pilots"), dict):  # the recipe pilots this run's recipe was picked from
        rows.append((text("card_pilots", lang), pilot_lines(card["pilots"], lang)))
    if isinstance(card.get("final_losses"), dict):
        losses = " · ".join(f"{k} {v:.4g}" for k, v in card["final_losses"].items()
                            if isinstance(v, (int, float)) and not isinstance(v, bool))
        rows.append((text("card_final_losses", lang), f"{losses}<br><small>{text('card_final_losses_means', lang)}"
                                                      "</small>"))
    metrics = card.get("metrics") if isinstance(card.get("metrics"), dict) else {}
    rows += metric_rows(metrics, lang)
    rows += measured_rows(metrics, lang)
    if isinstance(metrics.get("samples"), dict):
        rows += metric_rows(metrics["samples"], lang, prefix=text("card_samples_prefix", lang))
    header = f"| {text('card_column_what', lang)} | {text('card_column_value', lang)} |"
    return "\n".join([f"### {checkpoint.kind.upper()} · `{where}`", "", header, "|---|---|",
                      *(f"| {k} | {v} |" for k, v in rows)])
