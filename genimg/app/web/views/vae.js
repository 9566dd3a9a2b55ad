// The VAE picture: the state's z decoded (window.genimg.decode) into a canvas the moment z or the model changes,
// or by the server's `slide` when the runtime cannot load. `data-state` names the z on screen; `data-frames`
// counts the pictures drawn (tests and benchmarks wait on it).

import { PICTURE_SIDE } from "../limits.js";
import { callServer, fileUrl, hasServer } from "../server.js";
import { drawImage, drawUrl, el, latestWins } from "./draw.js";

/** The part of the state this view shows: "mnist|0,0.5,...". */
export function pictureKey(state) {
  return `${state.model}|${state.z.join(",")}`;
}

export function mount(element, page, host = element) {
  const { store, t } = page;
  const canvas = el("canvas", { class: "genimg-picture", width: String(PICTURE_SIDE), height: String(PICTURE_SIDE),
                                role: "img", "aria-label": t("vae_image_label") });
  const message = el("p", { class: "genimg-message", role: "status" });
  element.replaceChildren(el("div", { class: "genimg-view genimg-vae" }, [
    el("p", { class: "genimg-title", text: t("vae_image_label") }), canvas, message]));

  const decode = latestWins(async (g, state) => g.decode(state.model, state.z));
  const fetchPicture = latestWins(async (state) => callServer("slide", [state.model, state.z]));

  async function update() {
    const state = store.get();
    const key = pictureKey(state);
    const g = await page.runtime();
    try {
      if (g && g.model(state.model, "vae")) {
        const image = await decode(g, state);
        if (!image || pictureKey(store.get()) !== key) return;
        drawImage(canvas, image, PICTURE_SIDE);
      } else if (!g && hasServer() && page.modelsWith("vae").includes(state.model)) {
        const result = await fetchPicture(state);
        if (!result || pictureKey(store.get()) !== key) return;
        await drawUrl(canvas, fileUrl(result[0]));
        if (pictureKey(store.get()) !== key) return;
      } else {
        canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
        const missing = t("vae_missing", { model: state.model, available: page.modelsWith("vae").join(", ") });
        message.textContent = g || hasServer() ? missing : t("page_needs_runtime"); // the static site, no runtime
        host.dataset.state = "";
        return;
      }
      message.textContent = "";
      canvas.setAttribute("aria-label", t("page_vae_picture_z_label", { model: state.model,
                                                                       z: state.z.map((v) => v.toFixed(2)).join(", ") }));
      host.dataset.state = key;
      host.dataset.frames = Number(host.dataset.frames || 0) + 1;
    } catch (error) {
      if (pictureKey(store.get()) === key) message.textContent = error.message;
    }
  }

  store.subscribe((state, changed) => {
    if (changed.includes("model")) { // the old model's picture goes at once, not when the new one is drawn
      canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
      delete host.dataset.state;
    }
    if (changed.includes("model") || changed.includes("z")) update();
  });
  update();
}
