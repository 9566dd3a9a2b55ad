"""The GAN tab's "Open a PNG made by genimg" section: a PNG's recipe (genimg/recipes.py) restores the view it was
made in. The browser reads the recipe (web/views/recipe.js) and sets the page state (seeds, psi, class), the
direction offsets, or the found latent of an inverted image; `open_recipe` stays for programs (undocumented).
"""

import gradio as gr

from .... import recipes
from ...checks import user_errors
from ...i18n import request_language, text
from ...page import api_endpoint, view
from ...registry import Registry


class RecipeSection:
    """The handler and, after `build`, the section's view."""

    def __init__(self, registry: Registry):
        self.registry = registry

    def open_recipe(self, model: str, path, request: gr.Request | None = None) -> dict:
        """A PNG genimg wrote -> its recipe: {"model", "network", "seeds", "psi", "label", "offsets"} or, for an
        inverted image, {"z", "label"}; gr.Error when the file has none or was made by another model."""
        lang = request_language(request)
        if isinstance(path, dict):
            path = path.get("path")
        if not path:
            raise gr.Error(text("gan_recipe_none", lang))
        with user_errors(lang):
            recipe = recipes.read(path)
        if recipe["network"] != "gan" or recipe["model"] != model:
            raise gr.Error(text("gan_recipe_other_model", lang).format(made=f"{recipe['model']}/{recipe['network']}",
                                                                      model=model))
        if recipe["checkpoint"] != recipes.checkpoint_id(self.registry.get(model, "gan", lang).path):
            gr.Warning(text("gan_recipe_other_checkpoint", lang).format(checkpoint=recipe["checkpoint"]))
        return recipe

    def build(self, i18n: gr.I18n) -> None:
        with gr.Accordion(i18n("gan_recipe_accordion"), open=False, elem_id="gan-recipe-section"):
            self.view = view("recipe", "gan-recipe")

    def wire(self, model: gr.Dropdown) -> None:
        api_endpoint(self.open_recipe, [model, gr.File(type="filepath", visible=False)], gr.JSON(),
                     api_name="open_recipe", api_visibility="undocumented", queue=False)
