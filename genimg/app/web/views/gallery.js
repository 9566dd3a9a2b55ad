// The GAN gallery: the state's seeds at its psi and class, one picture per seed captioned "seed N", drawn in the
// browser (window.genimg.generate) the moment any of them changes, or fetched from the server's `sample` when the
// runtime cannot load. Clicking a picture picks its seed for "is it just copying?". The grid PNG and the ZIP are
// made in the browser from the pictures on screen (downloads.js), each PNG with its recipe.
//
// `data-state` on the element names the state the pictures on screen were made for (tests read it); a picture
// of another state is never left on screen: it is redrawn, or cleared while the new one is computed.

import { GALLERY_SIDE } from "../limits.js";
import { parseSeeds } from "../sampling.js";
import { callServer, fileUrl, hasServer } from "../server.js";
import { drawImage, el, latestWins } from "./draw.js";

const FIELDS = ["model", "seeds", "psi", "class"];

/** The part of the state this view shows, as text: "mnist|0-15|1|any". */
export function galleryKey(state) {
  return FIELDS.map((f) => state[f]).join("|");
}

export function mount(element, page, host = element) {
  const { store, t } = page;
  const grid = el("div", { class: "genimg-grid", role: "list" });
  const message = el("p", { class: "genimg-message", role: "status" });
  const zipButton = el("button", { class: "genimg-button", type: "button", text: t("gan_zip_button") });
  const pngButton = el("button", { class: "genimg-button", type: "button", text: t("gan_download_button") });
  const actions = el("div", { class: "genimg-actions" }, [pngButton, zipButton]);
  element.replaceChildren(el("div", { class: "genimg-view genimg-gallery" }, [message, grid, actions]));
  let shown = { key: null, images: null, files: null }; // what is on screen: browser images or server files

  const browserImages = latestWins(async (g, state) => g.generate(state.model, parseSeeds(state.seeds),
                                                                   state.psi, state.class));
  const serverImages = latestWins(async (state) => callServer("sample", [state.model, state.seeds, state.psi,
                                                                           state.class]));

  /** One figure per seed, reused between draws (a drag redraws 16 canvases, it does not rebuild them). */
  function figures(seeds, tag) {
    while (grid.children.length > seeds.length) grid.lastChild.remove();
    seeds.forEach((seed, i) => {
      let figure = grid.children[i];
      if (!figure || figure.firstChild.tagName.toLowerCase() !== tag) {
        const picture = el(tag, { role: "img" });
        figure = el("figure", { role: "listitem", tabindex: "0" }, [picture, el("figcaption")]);
        if (i < grid.children.length) grid.replaceChild(figure, grid.children[i]);
        else grid.appendChild(figure);
      }
      const caption = t("gan_caption", { seed });
      figure.dataset.seed = seed;
      figure.firstChild.setAttribute("aria-label", caption);
      figure.lastChild.textContent = caption;
    });
    return Array.from(grid.children, (figure) => figure.firstChild);
  }

  function clear(text = "") {
    grid.replaceChildren();
    shown = { key: null, images: null, files: null };
    host.dataset.state = "";
    message.textContent = text;
  }

  async function update() {
    const state = store.get();
    const key = galleryKey(state);
    if (shown.key !== null && shown.key.split("|")[0] !== state.model) clear(); // never another model's pictures
    host.dataset.pending = key;
    // The page's first pictures may come with the page (made on the server): drawn before the runtime is in.
    const sent = shown.key === null
      ? await window.genimg.pictures(state.model, parseSeeds(state.seeds), state.psi, state.class) : null;
    const g = sent ? null : await page.runtime();
    const live = g && g.model(state.model, "gan");
    try {
      if (sent || live) {
        const images = sent || (await browserImages(g, state));
        if (!images || galleryKey(store.get()) !== key) return; // a newer state is being drawn
        figures(parseSeeds(state.seeds), "canvas").forEach((canvas, i) => drawImage(canvas, images[i], GALLERY_SIDE));
        shown = { key, images, files: null };
      } else if (hasServer() && !g) {
        const result = await serverImages(state);
        if (!result || galleryKey(store.get()) !== key) return;
        const [gallery, grid] = result;
        figures(gallery.map((item) => Number(/(\d+)\s*$/.exec(item.caption || "")?.[1])), "img")
          .forEach((img, i) => { img.src = fileUrl(gallery[i].image); });
        shown = { key, images: null, files: { grid } };
      } else {
        const missing = page.t("gan_missing", { model: state.model, available: page.modelsWith("gan").join(", ") });
        clear(g || hasServer() ? missing : page.t("page_needs_runtime")); // the static site without its runtime
        return;
      }
      message.textContent = "";
      host.dataset.state = key;
      host.dataset.frames = Number(host.dataset.frames || 0) + 1;
    } catch (error) {
      if (galleryKey(store.get()) === key) clear(error.message);
    }
  }

  grid.addEventListener("click", (event) => {
    const figure = event.target.closest("figure");
    if (figure) page.emit("seed", Number(figure.dataset.seed));
  });
  grid.addEventListener("keydown", (event) => {
    const figure = event.target.closest("figure");
    if (figure && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      page.emit("seed", Number(figure.dataset.seed));
    }
  });
  pngButton.addEventListener("click", () => download("grid"));
  zipButton.addEventListener("click", () => download("zip"));

  /** The grid PNG or the ZIP of what is on screen (made here from the browser's images, else the server's). */
  async function download(kind) {
    const state = store.get();
    if (shown.key !== galleryKey(state)) return;
    try {
      if (shown.images) {
        const { galleryZip, gridPng, saveBytes } = await import("../downloads.js");
        const made = { ...page.recipeBase(state.model, "gan"), seeds: parseSeeds(state.seeds), psi: state.psi,
                       label: state.class };
        const file = kind === "zip" ? galleryZip(shown.images, made) : gridPng(shown.images, made);
        saveBytes(file.bytes, file.name, file.mime);
      } else if (kind === "grid" && shown.files) {
        window.open(fileUrl(shown.files.grid), "_blank");
      } else {
        const [zip] = await callServer("download_all", [state.model, state.seeds, state.psi, state.class]);
        window.open(fileUrl(zip), "_blank");
      }
    } catch (error) {
      message.textContent = error.message;
    }
  }

  const showSize = () => { host.dataset.size = page.settings.size; };
  page.on("settings", (name) => { if (name === "size") showSize(); });
  showSize();
  store.subscribe((state, changed) => {
    if (changed.some((f) => FIELDS.includes(f))) update();
  });
  update();
}
