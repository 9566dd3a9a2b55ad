"""Tab "Model card": for the GAN and the VAE, what each was trained on, how (command, time), and its numbers
from card.json, with the samples and loss curves training left beside it.
"""

from pathlib import Path

import gradio as gr
from PIL import Image

from ..registry import Checkpoint, Registry


class CardTab:
    """The model card's handler and, after `build`, its components."""

    def __init__(self, registry: Registry):
        self.registry = registry

    def card(self, model: str, kind: str) -> tuple[str, Image.Image | None, Image.Image | None]:
        """card.json as markdown, and the samples and loss curves training left beside it."""
        checkpoint = self.registry.checkpoints.get((model, kind))
        if checkpoint is None:
            return f"### {kind.upper()}\nNo {kind.upper()} checkpoint for **{model}**.", None, None
        return card_markdown(checkpoint, self.registry.root), checkpoint.samples, checkpoint.curves

    def on_model(self, model: str, lang: str) -> list:
        return [*self.card(model, "gan"), *self.card(model, "vae")]

    def build(self, i18n: gr.I18n) -> None:
        """Lay out the tab (inside the page's gr.Tabs); the model selector fills it."""
        self.outputs = []
        with gr.Tab(i18n("card_tab"), id="card", elem_id="tab-card"), gr.Row():
            for kind in ("gan", "vae"):
                with gr.Column():
                    self.outputs += [gr.Markdown(elem_classes="card"),
                                     gr.Image(label=i18n(f"card_{kind}_samples_label"), interactive=False,
                                              elem_classes="pixelated"),
                                     gr.Image(label=i18n(f"card_{kind}_curves_label"), interactive=False)]

    def model_outputs(self) -> list:
        return self.outputs


def card_markdown(checkpoint: Checkpoint, root: Path) -> str:
    """Dataset, size, how it was trained (command, time) and its numbers, as a two-column table."""
    card, path = checkpoint.card, checkpoint.path
    where = path.relative_to(root.parent) if path.is_relative_to(root.parent) else path
    minutes = card.get("wall_time_s")
    rows = [("dataset", f"{card.get('dataset', '?')} ({card.get('train_images', '?')} training images)"),
            ("parameters", f"{card.get('parameters', sum(p.numel() for p in checkpoint.model.parameters())):,}"),
            ("trained", f"{card.get('epochs', '?')} epochs, {card.get('steps', '?')} steps"
             + (f", {minutes / 60:.1f} min" if isinstance(minutes, (int, float)) else "")
             + f" on {card.get('device', '?')}")]
    commands = card.get("commands") or ([card["command"]] if card.get("command") else [])
    if commands:  # a run continued with --resume has one command per invocation
        rows.append(("command" if len(commands) == 1 else "commands", "<br>".join(f"`{c}`" for c in commands)))
    if card.get("note"):  # what the card's fields alone do not say, e.g. where a run was trained
        rows.append(("note", str(card["note"])))
    if isinstance(card.get("final_losses"), dict):
        rows.append(("final losses", " · ".join(f"{k} {v:.4g}" for k, v in scalars(card["final_losses"]))))
    if isinstance(card.get("metrics"), dict):
        rows += [(name.replace("_", " "), f"{value:.4g}") for name, value in scalars(card["metrics"])]
    return "\n".join([f"### {checkpoint.kind.upper()} · `{where}`", "| | |", "|---|---|",
                      *(f"| {k} | {v} |" for k, v in rows)])


def scalars(numbers: dict, prefix: str = "") -> list[tuple[str, float]]:
    """The numbers in a card section, nested dicts flattened one level ('samples fid'); lists and text left out."""
    found = []
    for key, value in numbers.items():
        if isinstance(value, bool) or key == "seed":
            continue
        if isinstance(value, (int, float)):
            found.append((f"{prefix}{key}", value))
        elif isinstance(value, dict) and not prefix:
            found += scalars(value, prefix=f"{key} ")
    return found
