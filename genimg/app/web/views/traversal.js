// The VAE traversal: each latent dimension (a row, most informative first, labelled z3 ...) swept from -Z_LIMIT to
// +Z_LIMIT in TRAVERSE_STEPS steps (columns), the other dimensions from the state's z; decoded in the browser and
// redrawn whenever z changes while the grid is on screen (genimg.app.tabs.vae.traverse is the server's copy).

import { TRAVERSE_STEPS, Z_LIMIT } from "../limits.js";
import { drawGrid, el, factorFor, latestWins } from "./draw.js";

const CELL = 56; // about this many pixels per image, as the server's grid

export function mount(element, page, host = element) {
  const { store, t } = page;
  const canvas = el("canvas", { role: "img", class: "genimg-traversal", "aria-label": t("vae_traversal_label") });
  const rowLabels = el("div", { class: "genimg-row-labels" });
  const columnLabels = el("div", { class: "genimg-column-labels" });
  const message = el("p", { class: "genimg-message", role: "status" });
  element.replaceChildren(el("div", { class: "genimg-view genimg-traversal-view" }, [
    columnLabels, el("div", { class: "genimg-traversal-body" }, [rowLabels, canvas]), message]));
  const steps = Array.from({ length: TRAVERSE_STEPS }, (_, k) => -Z_LIMIT + (2 * Z_LIMIT * k) / (TRAVERSE_STEPS - 1));

  const decode = latestWins(async (g, state, order) => {
    const zs = [];
    for (const dim of order) for (const value of steps) { const z = [...state.z]; z[dim] = value; zs.push(z); }
    return g.decodeMany(state.model, zs); // [zDim * TRAVERSE_STEPS], row d, column step
  });

  async function update() {
    if (!element.offsetParent) return; // not on screen (a closed accordion, another tab): drawn when it opens
    const state = store.get();
    const g = await page.runtime();
    const order = page.vaeInfo(state.model)?.order;
    if (!g || !order || !g.model(state.model, "vae")) {
      canvas.width = 0;
      delete host.dataset.state;
      message.textContent = g ? t("vae_missing", { model: state.model, available: page.modelsWith("vae").join(", ") })
        : t("page_needs_runtime");
      return;
    }
    const images = await decode(g, state, order);
    const now = store.get();
    if (!images || now.model !== state.model || now.z.join() !== state.z.join()) return;
    const factor = factorFor(images[0].width, CELL);
    drawGrid(canvas, images, TRAVERSE_STEPS, factor, 2);
    const cell = images[0].width * factor + 2;
    rowLabels.replaceChildren(...order.map((d) => el("span", { text: `z${d}`, style: `height: ${cell}px` })));
    columnLabels.replaceChildren(...steps.map((v) => el("span", { text: v ? v.toFixed(0).replace(/^(\d)/, "+$1") : "0",
                                                                  style: `width: ${cell}px` })));
    canvas.setAttribute("aria-label", t("vae_traversal_z_label", { model: state.model,
                                                                   z: state.z.map((v) => v.toFixed(2)).join(", ") }));
    message.textContent = "";
    host.dataset.state = `${state.model}|${state.z.join(",")}`;
  }

  new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) update(); }).observe(element);
  store.subscribe((state, changed) => {
    if (!changed.includes("model") && !changed.includes("z")) return;
    if (changed.includes("model") || !element.offsetParent) { // another model, or hidden: forget the old grid
      canvas.width = 0;
      delete host.dataset.state;
    }
    update();
  });
}
