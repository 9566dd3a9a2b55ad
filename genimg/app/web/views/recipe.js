// "Open a PNG made by genimg": the PNG's recipe (recipes.js, genimg.recipes' format) restores the view it was made in:
// seeds, psi and class go to the page state (so the gallery, the link and the controls follow), the direction
// offsets and seed to the editor, and an inverted image's latent becomes the found latent. Read in the browser;
// nothing is sent.

import { readRecipe } from "../recipes.js";
import { seedText } from "../sampling.js";
import { el } from "./draw.js";

export function mount(element, page, host = element) {
  const { store, t } = page;
  const file = el("input", { type: "file", accept: ".png,image/png", id: "gan-recipe-file",
                             "aria-label": t("gan_recipe_label") });
  const message = el("p", { class: "genimg-message", role: "status" });
  element.replaceChildren(el("div", { class: "genimg-view genimg-recipe" }, [
    el("label", { for: "gan-recipe-file", text: t("gan_recipe_label") }), file, message]));

  async function open(blob) {
    const state = store.get();
    let recipe;
    try {
      recipe = readRecipe(new Uint8Array(await blob.arrayBuffer()));
    } catch (error) {
      message.textContent = t("gan_recipe_none");
      message.title = error.message;
      return;
    }
    if (recipe.network !== "gan" || recipe.model !== state.model) {
      message.textContent = t("gan_recipe_other_model", { made: `${recipe.model}/${recipe.network}`, model: state.model });
      return;
    }
    const known = page.config.context.models[state.model];
    const notes = [];
    if (known.checkpoints?.gan && recipe.checkpoint !== known.checkpoints.gan) {
      notes.push(t("gan_recipe_other_checkpoint", { checkpoint: recipe.checkpoint }));
    }
    const label = known.classes.includes(recipe.label) ? recipe.label : "any";
    if ("z" in recipe) { // an inverted image: the editor and the interpolation start from its latent
      page.found = { model: state.model, z: recipe.z, label: recipe.label === "any" ? null : recipe.label };
      page.emit("found", page.found);
    } else {
      const seeds = [...new Set(recipe.seeds)];
      const psi = typeof recipe.psi === "number" ? recipe.psi : 1.0;
      page.set({ seeds: seedText(seeds), psi, class: label });
      page.emit("edit-seed", seeds[0]);
      page.sync();
    }
    page.emit("offsets", recipe.offsets || []);
    notes.unshift(t("page_recipe_opened", { model: recipe.model }));
    message.textContent = notes.join(" ");
  }

  file.addEventListener("change", () => { if (file.files[0]) open(file.files[0]); });
  store.subscribe((state, changed) => { if (changed.includes("model")) message.textContent = ""; });
}
