"""Matplotlib figures people would rather look at than read: loss curves, latent maps, bar charts.

Figures are drawn off-screen (Agg) and returned as PIL images or written atomically as PNG.
"""

import io
import math

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402

from .checkpoints import atomic_write_bytes  # noqa: E402


def figure_to_image(fig) -> Image.Image:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


# Where an optimal game settles, D = 1/2: L_D = 2 softplus(0) = 2 ln 2, L_G = softplus(0) = ln 2 (Goodfellow 2014).
GAN_EQUILIBRIUM = {"loss_d": 2 * math.log(2), "loss_g": math.log(2)}


def training_curves(history: list[dict], kind: str, title: str = "") -> Image.Image:
    """A checkpoint's per-epoch history, one panel per scale (a VAE's KL is ~1/300 of its loss on emoji)."""
    if kind == "gan":
        references = {f"2 ln 2 = {GAN_EQUILIBRIUM['loss_d']:.3f}": GAN_EQUILIBRIUM["loss_d"],
                      f"ln 2 = {GAN_EQUILIBRIUM['loss_g']:.3f}": GAN_EQUILIBRIUM["loss_g"]}
        panels = [(["loss_d", "loss_g"], references, "loss (nats)"),
                  (["d_real", "d_fake"], {"D = 0.5": 0.0}, "mean logit f")]
    elif kind == "vae":
        panels = [(["loss", "test_loss", "recon", "test_recon"], {}, "-ELBO and reconstruction (nats / image)"),
                  (["kl", "test_kl"], {}, "KL (nats / image)")]
    else:
        panels = [(["loss", "test_loss"], {}, "cross-entropy (nats)"), (["test_accuracy"], {}, "test accuracy")]
    return loss_panels(history, panels, title or f"{kind}: {len(history)} epochs")


def save_loss_curves(history: list[dict], path, kind: str, title: str = "") -> None:
    buffer = io.BytesIO()
    training_curves(history, kind, title).save(buffer, format="PNG")
    atomic_write_bytes(path, buffer.getvalue())


def latent_scatter(points, labels, class_names: list[str], axes: tuple[str, str], limit: float = 3.0,
                   contours: tuple | None = None) -> Image.Image:
    """Encodings (N, 2) coloured by label (N,), on the same [-limit, limit] square as the decoded grid.

    points may be None (no encodings). contours: (log_density (G, G) over linspace(-limit, limit, G) with rows
    = y, levels (ascending log-densities), their labels, title) drawn as grey lines, e.g. a learned prior's.
    """
    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    cmap = plt.get_cmap("tab10" if len(class_names) <= 10 else "tab20")
    for k, name in enumerate(class_names if points is not None else []):
        mine = labels == k
        if mine.any():
            ax.scatter(points[mine, 0], points[mine, 1], s=6, alpha=0.7, color=cmap(k % cmap.N), label=name)
    titles = ["test-split means by label"] if points is not None else []
    if contours is not None:
        density, levels, level_labels, title = contours
        steps = np.linspace(-limit, limit, density.shape[0])
        lines = ax.contour(steps, steps, density, levels=levels, colors="0.25", linewidths=0.9)
        ax.clabel(lines, fmt=dict(zip(lines.levels, level_labels)), fontsize=6)
        titles.append(title)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(limit, -limit)  # rows of the decoded grid run top to bottom, so y grows downwards here too
    ax.set_xlabel(axes[0])
    ax.set_ylabel(axes[1])
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    if points is not None:
        ax.legend(fontsize=7, markerscale=2, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title("\n".join(titles), fontsize=9)
    return figure_to_image(fig)


def kl_bars(kl, names: list[str], threshold: float) -> Image.Image:
    """One bar per latent dimension (already in slider order); bars under `threshold` nats greyed out."""
    fig, ax = plt.subplots(figsize=(6, 2.8))
    colors = ["#4c72b0" if value > threshold else "#bbbbbb" for value in kl]
    ax.bar(range(len(kl)), kl, color=colors)
    ax.axhline(threshold, color="#888888", linestyle="--", linewidth=0.8)
    ax.set_xticks(range(len(kl)), names, rotation=90 if len(kl) > 20 else 0, fontsize=8)
    ax.set_ylabel("KL (nats)")
    ax.set_title("KL(q(z_j|x) || N(0,1)) per dimension, mean over images", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    return figure_to_image(fig)


def settled_range(history: list[dict], keys: list[str], references: list[float]) -> tuple[float, float] | None:
    """y-limits that fit the curves after their first tenth (and the reference lines), or None for short runs:
    an early spike (the emoji VAE starts near 60,000 nats and settles near 36,000) would squash the rest flat."""
    settled = [row[k] for row in history[len(history) // 10:] for k in keys if row.get(k) is not None]
    if len(history) < 20 or not settled:
        return None
    low, high = min(settled + references), max(settled + references)
    margin = 0.1 * (high - low) or 0.1 * abs(high) or 1.0
    return low - margin, high + margin


def loss_panels(history: list[dict], panels: list[tuple[list[str], dict[str, float], str]], title: str = ""):
    """Side-by-side panels; each (keys to plot, {reference label: y} drawn dashed, y-axis label)."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.2), squeeze=False)
    epochs = [row["epoch"] for row in history]
    for ax, (keys, references, ylabel) in zip(axes[0], panels):
        for key in keys:
            if any(key in row for row in history):
                ax.plot(epochs, [row.get(key) for row in history], label=key, marker="." if len(epochs) < 30 else None)
        for label, y in references.items():
            ax.axhline(y, color="#888888", linestyle="--", linewidth=0.8, label=label)
        limits = settled_range(history, keys, list(references.values()))
        if limits is not None:
            ax.set_ylim(*limits)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel, fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    return figure_to_image(fig)
