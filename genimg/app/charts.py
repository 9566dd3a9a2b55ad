"""The app's charts as Gradio native plots: a pandas DataFrame plus titles, axes and legend in the user's language,
drawn by the browser (crisp at any size, hover for values, any script the browser has a font for).

    loss_plots       a checkpoint's per-epoch history, two panels (a VAE's KL is ~1/300 of its loss on emoji)
    kl_plot          KL per latent dimension, slider order, the nearly unused ones grey
    latent_scatter   the test split's posterior means over two dimensions, by label
    posterior_plot   one encoding's mean and mean +- std per dimension, slider order

Each returns a component update (gr.LinePlot(...) etc.) for an output built with the same x/y/color columns:
`PLOT_COLUMNS` says which. Not here: matplotlib (genimg/plots.py draws the PNGs training writes).
"""

import math

import contourpy  # matplotlib's own contouring library (installed with it)
import gradio as gr
import numpy as np
import pandas as pd

from ..plots import GAN_EQUILIBRIUM, settled_range
from .i18n import text

# x, y and colour column of each kind of chart: the components are built with these, the updates fill them.
PLOT_COLUMNS = {
    "loss": {"x": "epoch", "y": "value", "color": "series"},
    "kl": {"x": "dimension", "y": "kl", "color": "use"},
    "scatter": {"x": "x", "y": "y", "color": "label"},
    "posterior": {"x": "dimension", "y": "value", "color": "series"},
    "cas": {"x": "trained_on", "y": "accuracy", "color": "trained_on"},
}
IN_USE, UNUSED = "#4c72b0", "#bbbbbb"
# Panels per kind: (history keys, {reference line label: y}, locale key of the panel's title and y axis).
# matplotlib's tab10: one colour per class (the latent pad in the browser draws its points in the same colours)
TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
LOSS_PANELS = {
    "gan": [(["loss_d", "loss_g"], {f"2 ln 2 = {GAN_EQUILIBRIUM['loss_d']:.3f}": GAN_EQUILIBRIUM["loss_d"],
                                    f"ln 2 = {GAN_EQUILIBRIUM['loss_g']:.3f}": GAN_EQUILIBRIUM["loss_g"]},
             "chart_gan_losses"),
            (["d_real", "d_fake"], {"D = 0.5": 0.0}, "chart_gan_logits")],
    "vae": [(["loss", "test_loss", "recon", "test_recon"], {}, "chart_vae_losses"),
            (["kl", "test_kl"], {}, "chart_vae_kl")],
}


def loss_plots(history: list[dict], kind: str, lang: str) -> list[gr.LinePlot]:
    """One gr.LinePlot update per panel of LOSS_PANELS[kind]; hidden when there is no history (an empty plot says
    nothing, and Gradio's empty placeholder carries an aria-label its <div> may not have)."""
    plots = []
    for keys, references, key in LOSS_PANELS.get(kind, []):
        epochs = [row.get("epoch") for row in history]
        frames = [pd.DataFrame({"epoch": epochs, "value": [row.get(k) for row in history],
                                "series": text(f"chart_series_{k}", lang)})
                  for k in keys if any(k in row for row in history)]
        if frames:  # reference lines: a flat series over the same epochs, labelled with its formula
            frames += [pd.DataFrame({"epoch": epochs, "value": y, "series": label}) for label, y in references.items()]
        value = pd.concat(frames).dropna() if frames else None
        limits = settled_range(history, keys, list(references.values())) if history else None
        plots.append(gr.LinePlot(value, title=text(f"{key}_title", lang), x_title=text("chart_epoch", lang),
                                 y_title=text(f"{key}_axis", lang), color_title=text("chart_series", lang),
                                 y_lim=list(limits) if limits else None, visible=value is not None))
    return plots


def cas_plot(cas: dict | None, lang: str) -> gr.BarPlot:
    """A card's Classification Accuracy Score (genimg/evaluate/cas.py) as bars: the test accuracy of the same
    classifier trained on generated images only, on real ones, and on both; hidden when the card has none."""
    if not isinstance(cas, dict) or not all(isinstance(cas.get(k), (int, float)) for k in ("cas", "real")):
        return gr.BarPlot(None, visible=False)
    rows = [(text("chart_cas_generated", lang), cas["cas"]), (text("chart_cas_real", lang), cas["real"])]
    if isinstance(cas.get("real_plus_generated"), (int, float)):
        rows.append((text("chart_cas_both", lang), cas["real_plus_generated"]))
    value = pd.DataFrame({"trained_on": [name for name, _ in rows], "accuracy": [round(float(v), 4) for _, v in rows]})
    return gr.BarPlot(value, visible=True, sort=[name for name, _ in rows], y_lim=[0, 1],
                      title=text("chart_cas_title", lang), x_title=text("chart_cas_axis", lang),
                      y_title=text("chart_cas_accuracy", lang), color_title=text("chart_cas_axis", lang))


def kl_plot(kl: np.ndarray | None, threshold: float, lang: str) -> gr.BarPlot:
    """One bar per dimension in slider order (largest KL first); under `threshold` nats grey."""
    if kl is None:
        return gr.BarPlot(None, visible=False)  # as loss_plots: no empty placeholder
    order = np.argsort(-np.asarray(kl), kind="stable")
    used, unused = text("chart_kl_in_use", lang), text("chart_kl_unused", lang).format(threshold=threshold)
    names = [f"z{d}" for d in order]
    value = pd.DataFrame({"dimension": names, "kl": [round(float(kl[d]), 4) for d in order],
                          "use": [used if kl[d] > threshold else unused for d in order]})
    return gr.BarPlot(value, sort=names, color_map={used: IN_USE, unused: UNUSED},
                      title=text("chart_kl_title", lang), x_title=text("chart_dimension", lang),
                      y_title=text("chart_kl_axis", lang), color_title=text("chart_kl_use", lang),
                      x_label_angle=-90 if len(names) > 20 else 0, visible=True)


def latent_scatter(points: np.ndarray | None, labels: np.ndarray | None, class_names: list[str],
                   dims: tuple[int, int], limit: float, lang: str, contours: list | None = None) -> gr.ScatterPlot:
    """Encodings (N, 2) coloured by label (N,) on the decoded grid's square; y grows downwards, as its rows do.

    points may be None (no encodings). contours: [(name, (M, 2) points along one line)], e.g. a learned prior's
    50/90/99% lines (`contour_lines`), drawn as grey dotted series beside the labels.
    """
    frames = []
    if points is not None:
        names = np.asarray(class_names, dtype=object)[labels]
        frames.append(pd.DataFrame({"x": points[:, 0].round(3), "y": points[:, 1].round(3), "label": names}))
    for name, line in contours or []:
        frames.append(pd.DataFrame({"x": line[:, 0].round(3), "y": line[:, 1].round(3), "label": name}))
    value = pd.concat(frames) if frames else pd.DataFrame({"x": [], "y": [], "label": []})
    # every series gets its colour: a colour map naming only some of them leaves the others without a fill
    colours = {name: TAB10[k % len(TAB10)] for k, name in enumerate(class_names)}
    colours.update(dict.fromkeys([name for name, _ in contours or []], "#7f7f7f"))
    title = text("chart_scatter_title", lang).format(count=len(points)) if points is not None else ""
    return gr.ScatterPlot(value, x_lim=[-limit, limit], y_lim=[limit, -limit], title=title, color_map=colours,
                          x_title=f"z{dims[0]}", y_title=f"z{dims[1]}", color_title=text("chart_label", lang))


def contour_lines(steps: np.ndarray, density: np.ndarray, level: float, spacing: float = 0.06) -> list[np.ndarray]:
    """The lines where density (G, G) over steps x steps (rows = y) equals level, as (M, 2) points about
    `spacing` apart (a native scatter plot draws points, not paths). contourpy is matplotlib's own contouring."""
    lines = contourpy.contour_generator(steps, steps, density).lines(level)
    resampled = []
    for line in lines:  # (K, 2) vertices -> points every `spacing` along the line
        lengths = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(line, axis=0), axis=1))]
        at = np.arange(0.0, lengths[-1] + 1e-9, spacing)
        resampled.append(np.stack([np.interp(at, lengths, line[:, 0]), np.interp(at, lengths, line[:, 1])], 1))
    return resampled


def posterior_plot(mu: np.ndarray, std: np.ndarray, order: np.ndarray, lang: str) -> gr.ScatterPlot:
    """q(z|x) per dimension in slider order: its mean, and mean - std and mean + std either side."""
    names = [f"z{d}" for d in order]
    # the mean last, so it is drawn on top where an encoding is sure (std near 0, the three points coincide)
    series = [(text("chart_mean_minus_std", lang), mu - std), (text("chart_mean_plus_std", lang), mu + std),
              (text("chart_mean", lang), mu)]
    value = pd.concat([pd.DataFrame({"dimension": names, "value": [round(float(v[d]), 4) for d in order],
                                     "series": label}) for label, v in series])
    high = max(3.0, math.ceil(float(np.abs(mu).max() + std.max())))
    colors = {label: UNUSED for label, _ in series[:2]} | {series[2][0]: IN_USE}
    return gr.ScatterPlot(value, sort=names, y_lim=[-high, high], color_map=colors,
                          title=text("chart_posterior_title", lang),
                          x_title=text("chart_dimension_order", lang), y_title="z",
                          color_title=text("chart_series", lang), x_label_angle=-90 if len(names) > 20 else 0)
