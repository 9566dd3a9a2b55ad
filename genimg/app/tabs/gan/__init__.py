"""Tab "GAN: sample from seeds", one module per section; each section has `build` (layout), `wire` (events) and,
where the model selector changes what it shows on the server's side, `on_model(model, lang) -> {component: update}`.

    gallery.py        seeds, psi, class -> the gallery (drawn in the browser), its grid PNG and ZIP; `sample`
    interpolation.py  seed A -> seed B: the scrubber, the GIF (browser), the MP4 (server); `interpolate`, `video`
    copying.py        "is it just copying?": a sample's nearest training images (server); `nearest_training`
    directions.py     the discovered-direction editor and the truncation sweep
    invert.py         find an uploaded or drawn image in the GAN; `invert`
    recipe.py         open a PNG genimg made: its recipe restores the view
"""

import gradio as gr

from ...registry import Registry
from .copying import CopyingSection
from .directions import DirectionEditor
from .gallery import GallerySection
from .interpolation import InterpolationSection
from .invert import InvertSection
from .recipe import RecipeSection


class GanTab:
    """The GAN tab: its sections, laid out in this order."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.gallery = GallerySection(registry)
        self.interpolation = InterpolationSection(registry)
        self.copying = CopyingSection(registry)
        self.editor = DirectionEditor(registry, self.gallery.recipe)
        self.finder = InvertSection(registry)
        self.recipe = RecipeSection(registry)

    def build(self, model: gr.Dropdown, i18n: gr.I18n, first: str | None, all_classes: list[str]) -> None:
        """Lay out the tab (inside the page's gr.Tabs) and wire its events."""
        with gr.Tab(i18n("gan_tab"), id="gan", elem_id="tab-gan") as self.tab:
            self.gallery.build(i18n, first, all_classes)
            self.interpolation.build(i18n)
            self.copying.build(i18n)
            self.editor.build(i18n)
            self.finder.build(i18n)
            self.recipe.build(i18n)
            psi, label = self.gallery.psi, self.gallery.label  # wired inside the tab: endpoints' hidden parts live here
            self.gallery.wire(model)
            self.interpolation.wire(model, psi, label)
            self.copying.wire(model, psi, label)
            self.editor.wire(model, psi, label)
            self.finder.wire(model)
            self.recipe.wire(model)

    def synced(self) -> dict:
        """The controls that show page state fields (page.Sync): field -> component."""
        return {"seeds": self.gallery.seeds, "psi": self.gallery.psi, "class": self.gallery.label,
                "a": self.interpolation.seed_a, "b": self.interpolation.seed_b, "t": self.interpolation.scrub}

    def on_model(self, model: str, lang: str, label: str = "any") -> dict:
        return self.gallery.on_model(model, lang, label)
