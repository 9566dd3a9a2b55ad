"""Matplotlib figures people would rather look at than read: loss curves, latent maps, bar charts.

Figures are drawn off-screen (Agg) and returned as PIL images or written atomically as PNG.
"""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from .checkpoints import atomic_write_bytes  # noqa: E402

NOT_CURVES = {"epoch", "images_per_s", "test_accuracy"}


def figure_to_image(fig) -> Image.Image:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def loss_curves(history: list[dict], title: str = "") -> Image.Image:
    """One line per logged quantity over epochs."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    epochs = [row["epoch"] for row in history]
    for key in [k for k in (history[0] if history else {}) if k not in NOT_CURVES]:
        ax.plot(epochs, [row.get(key) for row in history], label=key, marker="." if len(epochs) < 30 else None)
    ax.set_xlabel("epoch")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if history:
        ax.legend(fontsize=8)
    return figure_to_image(fig)


def save_loss_curves(history: list[dict], path, title: str = "") -> None:
    buffer = io.BytesIO()
    loss_curves(history, title).save(buffer, format="PNG")
    atomic_write_bytes(path, buffer.getvalue())
