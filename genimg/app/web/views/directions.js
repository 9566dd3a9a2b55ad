// The discovered-direction editor (GANSpace, genimg/directions.py): one seed at the state's psi and class, or the
// latent found by inversion (page.found), moved along the GAN's directions by one slider each; and the truncation
// sweep of that seed (psi 0 -> 1). Drawn in the browser (directions ship with the generator's browser weights);
// without the runtime, the server's `edit` and `truncation_sweep` draw them.

import { GALLERY_SIDE, PICTURE_SIDE, Z_LIMIT } from "../limits.js";
import { editedLatent, latentsForSeeds } from "../sampling.js";
import { callServer, fileUrl, hasServer } from "../server.js";
import { drawGrid, drawImage, drawUrl, el, factorFor, latestWins } from "./draw.js";

const SWEEP_STEPS = 9; // psi = 0, 0.125, ..., 1 (genimg.app.tabs.gan.directions.SWEEP_STEPS)
const FIELDS = ["model", "psi", "class"];

export function mount(element, page, host = element) {
  const { store, t } = page;
  const help = el("p", { class: "genimg-help" });
  const seedInput = el("input", { type: "number", min: "0", max: "4294967295", step: "1", value: "0",
                                  id: "gan-edit-seed" });
  const reset = el("button", { class: "genimg-button", type: "button", text: t("gan_edit_reset_button") });
  const sweepButton = el("button", { class: "genimg-button", type: "button", text: t("gan_sweep_button") });
  const canvas = el("canvas", { class: "genimg-picture", role: "img", "aria-label": t("gan_edit_label") });
  const sliders = el("div", { class: "genimg-sliders" });
  const sweep = el("canvas", { class: "genimg-sweep", role: "img", "aria-label": t("gan_sweep_label") });
  const message = el("p", { class: "genimg-message", role: "status" });
  element.replaceChildren(el("div", { class: "genimg-view genimg-directions" }, [
    help,
    el("div", { class: "genimg-actions" }, [el("label", { for: "gan-edit-seed" }, [
      el("span", { text: t("gan_edit_seed_label") })]), seedInput, reset, sweepButton]),
    el("div", { class: "genimg-editor" }, [canvas, sliders]), sweep, message]));
  let found = null; // this model's directions: {vectors, labels}
  let inputs = [];

  const offsets = () => inputs.map((input) => Number(input.value));
  const seed = () => Number(seedInput.value);
  const base = (state) => (page.found && page.found.model === state.model ? page.found : null);

  /** The editor's sliders for this model's directions (none without directions.safetensors). */
  async function setUp() {
    const { model } = store.get();
    const g = await page.runtime();
    found = null;
    if (g && g.model(model, "gan")) found = await g.directions(model);
    else if (!g) found = page.config.context.models[model]?.directions || null;
    if (store.get().model !== model) return;
    const labels = found ? found.labels : [];
    inputs = labels.map((label, k) => el("input", { type: "range", min: String(-Z_LIMIT), max: String(Z_LIMIT),
                                                     step: "0.05", value: "0", id: `d-slider-${k}`,
                                                     "aria-label": label }));
    sliders.replaceChildren(...inputs.map((input, k) => el("label", { class: "genimg-slider" }, [
      el("span", { text: labels[k] }), input])));
    inputs.forEach((input) => input.addEventListener("input", draw));
    const share = found ? found.labels.reduce((sum, label) => sum + Number(/([\d.]+)%/.exec(label)?.[1] || 0), 0) : 0;
    help.textContent = found ? t("gan_directions_help", { count: labels.length, share: share.toFixed(1) })
      : t("gan_no_directions", { model });
    sweep.width = 0;
    draw();
  }

  const render = latestWins(async (g, state, at) => {
    const entry = g.model(state.model, "gan");
    const start = base(state);
    const z = start ? Float32Array.from(start.z) : latentsForSeeds([at.seed], entry.zDim, state.psi);
    const edited = editedLatent(z, at.offsets, Array.from(found.vectors, (row) => Array.from(row)));
    const label = !entry.classes.length ? null
      : start ? start.label : state.class === "any" ? g.classFromSeed(state.model, at.seed) : state.class;
    return g.generateFromLatents(state.model, [Array.from(edited)], label === null ? null : [label]);
  });

  async function draw() {
    const state = store.get();
    if (!found) {
      canvas.width = 0;
      delete host.dataset.state;
      return;
    }
    const at = { seed: seed(), offsets: offsets() };
    const key = [...FIELDS.map((f) => state[f]), at.seed, at.offsets.join(","), base(state) ? "found" : ""].join("|");
    const g = await page.runtime();
    try {
      if (g) {
        const images = await render(g, state, at);
        if (!images) return;
        drawImage(canvas, images[0], PICTURE_SIDE);
      } else if (hasServer()) {
        const start = base(state);
        const [file] = await callServer("edit", [state.model, start ? { z: start.z, label: start.label } : null,
                                                 at.seed, state.psi, state.class, at.offsets]);
        await drawUrl(canvas, fileUrl(file));
      }
      canvas.setAttribute("aria-label", base(state) ? `${t("gan_edit_label")} (${t("gan_invert_found_label")})`
        : t("gan_edit_picture_label", { seed: at.seed, psi: state.psi, offsets: at.offsets.join(", ") }));
      message.textContent = "";
      host.dataset.state = key;
      host.dataset.frames = Number(host.dataset.frames || 0) + 1;
    } catch (error) {
      message.textContent = error.message;
    }
  }

  async function drawSweep() {
    const state = store.get();
    const g = await page.runtime();
    try {
      if (g) {
        const entry = g.model(state.model, "gan");
        const psis = Array.from({ length: SWEEP_STEPS }, (_, k) => k / (SWEEP_STEPS - 1));
        const zs = psis.map((psi) => Array.from(latentsForSeeds([seed()], entry.zDim, psi)));
        const label = !entry.classes.length ? null
          : state.class === "any" ? g.classFromSeed(state.model, seed()) : state.class;
        const images = await g.generateFromLatents(state.model, zs, label === null ? null : zs.map(() => label));
        drawGrid(sweep, images, SWEEP_STEPS, factorFor(images[0].width, GALLERY_SIDE * 0.75), 2);
      } else if (hasServer()) {
        const [file] = await callServer("truncation_sweep", [state.model, seed(), state.class]);
        await drawUrl(sweep, fileUrl(file));
      }
      sweep.setAttribute("aria-label", t("gan_sweep_seed_label", { seed: seed() }));
    } catch (error) {
      message.textContent = error.message;
    }
  }

  reset.addEventListener("click", () => { inputs.forEach((input) => { input.value = "0"; }); draw(); });
  sweepButton.addEventListener("click", drawSweep);
  seedInput.addEventListener("input", () => {
    if (page.found) page.found = null; // a seed typed: the editor edits that seed again
    sweep.width = 0;
    draw();
  });
  page.on("found", () => { inputs.forEach((input) => { input.value = "0"; }); draw(); });
  page.on("offsets", (values) => { // a recipe PNG restored its sliders
    inputs.forEach((input, k) => { input.value = String(values[k] ?? 0); });
    draw();
  });
  page.on("edit-seed", (value) => { seedInput.value = String(value); draw(); });
  store.subscribe((state, changed) => {
    if (changed.includes("model")) {
      for (const picture of [canvas, sweep]) picture.width = 0; // the old model's pictures go at once
      delete host.dataset.state;
      setUp();
    } else if (changed.some((f) => FIELDS.includes(f))) {
      sweep.width = 0;
      draw();
    }
  });
  setUp();
}
