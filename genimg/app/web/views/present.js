// Presenter mode, for a projector: the current tab's picture as large as the screen allows (the GAN's gallery, the
// VAE's picture, the Lab), a few controls made large, and keyboard shortcuts. It is a view of the same state
// (`present` in the link), so a presenter's link reopens it; Esc (or the button) leaves it.
//
//   GAN  <- / ->  previous / next seeds   Up / Down  psi +- 0.05   R  random seeds
//   VAE  <- / ->  the first slider -+ 0.1  Up / Down  the second   R  a random latent   0  reset
//   any  F  full screen                   Esc  leave

import { PSI_RANGE, Z_LIMIT } from "../limits.js";
import { parseSeeds, seedText } from "../sampling.js";
import { drawGrid, el, factorFor, latestWins } from "./draw.js";

const SHOWS = ["gan", "vae", "lab"]; // the tabs with a picture worth a projector

export function mount(element, page, host = element) {
  const { store, t } = page;
  const title = el("h2", { class: "genimg-present-title" });
  const canvas = el("canvas", { class: "genimg-present-picture", role: "img" });
  const controls = el("div", { class: "genimg-present-controls" });
  const keys = el("p", { class: "genimg-present-keys" });
  const exit = el("button", { class: "genimg-button", type: "button", text: t("page_present_exit") });
  const full = el("button", { class: "genimg-button", type: "button", text: t("page_present_fullscreen") });
  const overlay = el("div", { class: "genimg-present", role: "dialog", "aria-modal": "true", hidden: "",
                              "aria-label": t("page_present_button") }, [
    el("div", { class: "genimg-present-bar" }, [title, full, exit]), canvas, controls, keys]);
  element.replaceChildren(overlay);

  const big = (label, input) => el("label", { class: "genimg-present-control" }, [el("span", { text: label }), input]);
  const range = (min, max, step, value) => el("input", { type: "range", min: String(min), max: String(max),
                                                          step: String(step), value: String(value) });

  const draw = latestWins(async (g, state) => {
    if (state.tab === "gan") return g.generate(state.model, parseSeeds(state.seeds), state.psi, state.class);
    if (state.tab === "vae") return [await g.decode(state.model, state.z)];
    return null;
  });

  /** Shifts the seed list by its own length: 0-15 -> 16-31 (next) or back (previous). */
  function shiftSeeds(direction) {
    const seeds = parseSeeds(store.get().seeds);
    const step = seeds.length * direction;
    if (seeds.some((s) => s + step < 0)) return;
    page.set({ seeds: seedText(seeds.map((s) => s + step)) });
    page.sync();
  }

  function nudge(dim, delta) {
    const z = store.get().z;
    if (dim >= z.length) return;
    z[dim] = Math.round(Math.max(-Z_LIMIT, Math.min(Z_LIMIT, z[dim] + delta)) * 100) / 100;
    page.set({ z });
    page.sync();
  }

  let showValues = () => {}; // puts the state's values on the large controls (not the one being dragged)

  function buildControls(state) {
    controls.replaceChildren();
    showValues = () => {};
    if (state.tab === "gan") {
      const psi = range(PSI_RANGE[0], PSI_RANGE[1], 0.05, state.psi);
      psi.addEventListener("input", () => page.set({ psi: Number(psi.value) }));
      const previous = el("button", { class: "genimg-button", type: "button", text: t("page_present_previous") });
      const next = el("button", { class: "genimg-button", type: "button", text: t("page_present_next") });
      const random = el("button", { class: "genimg-button", type: "button", text: t("gan_random_seeds_button") });
      previous.addEventListener("click", () => shiftSeeds(-1));
      next.addEventListener("click", () => shiftSeeds(1));
      random.addEventListener("click", () => { page.randomSeeds(); page.sync(); });
      controls.append(big(t("page_field_psi"), psi), previous, next, random);
      showValues = (now) => { if (document.activeElement !== psi) psi.value = String(now.psi); };
      keys.textContent = t("page_present_keys_gan");
    } else if (state.tab === "vae") {
      const order = page.vaeInfo(state.model)?.order || [];
      const sliders = [];
      order.slice(0, 3).forEach((dim) => {
        const slider = range(-Z_LIMIT, Z_LIMIT, 0.1, state.z[dim]);
        slider.addEventListener("input", () => {
          const z = store.get().z;
          z[dim] = Number(slider.value);
          page.set({ z });
          page.sync();
        });
        controls.appendChild(big(`z${dim}`, slider));
        sliders.push([dim, slider]);
      });
      showValues = (now) => sliders.forEach(([dim, slider]) => {
        if (document.activeElement !== slider) slider.value = String(now.z[dim]);
      });
      keys.textContent = t("page_present_keys_vae");
    } else {
      keys.textContent = t("page_present_keys");
    }
  }

  async function render() {
    const state = store.get();
    overlay.hidden = !state.present;
    document.documentElement.classList.toggle("genimg-presenting", state.present && state.tab === "lab");
    if (!state.present) return;
    title.textContent = `${state.model} · ${t(`page_field_tab_${SHOWS.includes(state.tab) ? state.tab : "gan"}`)}`;
    if (!SHOWS.includes(state.tab)) page.selectTab("gan");
    canvas.hidden = state.tab === "lab"; // the Lab presents itself, enlarged under this bar (style.css)
    overlay.classList.toggle("genimg-present-bar-only", state.tab === "lab");
    const g = await page.runtime();
    if (!g || state.tab === "lab") return;
    const images = await draw(g, state);
    if (!images) return;
    const side = Math.min(window.innerWidth, window.innerHeight * 1.2);
    const columns = state.tab === "gan" ? Math.min(8, Math.ceil(Math.sqrt(images.length * 1.6))) : 1;
    drawGrid(canvas, images, columns, factorFor(images[0].width * columns, side), state.tab === "gan" ? 4 : 0);
    canvas.setAttribute("aria-label", state.tab === "gan" ? t("page_present_gallery_label", { seeds: state.seeds })
      : t("page_vae_picture_label", { model: state.model }));
    host.dataset.state = state.tab === "gan" ? `${state.model}|${state.seeds}|${state.psi}|${state.class}`
      : `${state.model}|${state.z.join(",")}`;
  }

  document.addEventListener("keydown", (event) => {
    const state = store.get();
    if (!state.present || event.target.closest?.("input[type=text], input[type=number], textarea")) return;
    const action = {
      Escape: () => page.set({ present: false }),
      f: () => (document.fullscreenElement ? document.exitFullscreen() : overlay.requestFullscreen?.()),
      ArrowRight: () => (state.tab === "gan" ? shiftSeeds(1) : nudge(page.vaeInfo(state.model)?.order[0], 0.1)),
      ArrowLeft: () => (state.tab === "gan" ? shiftSeeds(-1) : nudge(page.vaeInfo(state.model)?.order[0], -0.1)),
      ArrowUp: () => (state.tab === "gan" ? page.set({ psi: Math.min(PSI_RANGE[1], +(state.psi + 0.05).toFixed(2)) })
        : nudge(page.vaeInfo(state.model)?.order[1], 0.1)),
      ArrowDown: () => (state.tab === "gan" ? page.set({ psi: Math.max(PSI_RANGE[0], +(state.psi - 0.05).toFixed(2)) })
        : nudge(page.vaeInfo(state.model)?.order[1], -0.1)),
      r: () => (state.tab === "gan" ? page.randomSeeds() : page.vaeRandom(Math.floor(Math.random() * 1e6), state.prior)),
      0: () => state.tab === "vae" && page.vaeZero(),
    }[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    action();
    page.sync();
  });
  exit.addEventListener("click", () => { page.set({ present: false }); page.sync(); });
  full.addEventListener("click", () => overlay.requestFullscreen?.());
  store.subscribe((state, changed) => {
    if (changed.includes("present") || changed.includes("tab") || changed.includes("model")) buildControls(state);
    if (state.present) showValues(state);
    if (state.present || changed.includes("present")) render();
  });
  buildControls(store.get());
  render();
}
