// "Find an image in the GAN": a picture given (picture-input.js) -> the latent and class whose generated image is
// nearest, found in the browser (window.genimg.invert: the best of the seed pool, then Adam on z through the
// generator), with progress drawn as it descends; then sent on: to the interpolation (from it to seed B) and to the
// direction editor (page.found). Without the runtime, the server's `invert` finds it.

import { PICTURE_SIDE } from "../limits.js";
import { callServer, fileUrl, hasServer, uploadToServer } from "../server.js";
import { drawImage, drawUrl, el } from "./draw.js";
import { pictureInput } from "./picture-input.js";

const STEPS = 100; // as genimg.inversion.STEPS

export function mount(element, page, host = element) {
  const { store, t } = page;
  const find = el("button", { class: "genimg-button genimg-primary", type: "button", text: t("gan_invert_button"),
                              id: "invert" });
  const input = pictureInput(page, { idPrefix: "invert", onPicture: () => {} });
  const target = el("canvas", { class: "genimg-picture", role: "img", "aria-label": t("gan_invert_target_label") });
  const result = el("canvas", { class: "genimg-picture", role: "img", "aria-label": t("gan_invert_found_label"),
                                id: "invert-found" });
  const numbers = el("p", { class: "genimg-numbers", role: "status" });
  const toInterpolation = el("button", { class: "genimg-button", type: "button",
                                         text: t("gan_invert_to_interpolation_button") });
  const toDirections = el("button", { class: "genimg-button", type: "button",
                                      text: t("gan_invert_to_directions_button") });
  const sends = el("div", { class: "genimg-actions", hidden: "" }, [toInterpolation, toDirections]);
  element.replaceChildren(el("div", { class: "genimg-view genimg-invert" }, [
    el("div", { class: "genimg-columns" }, [
      el("div", {}, [input.element, find]),
      el("figure", {}, [target, el("figcaption", { text: t("gan_invert_target_label") })]),
      el("figure", {}, [result, el("figcaption", { text: t("gan_invert_found_label") })])]),
    numbers, sends]));
  let last = null; // {model, z, label} of the latest result
  let run = 0;

  function clear() {
    run += 1; // a search still running draws nothing more
    for (const canvas of [target, result]) canvas.width = 0;
    numbers.textContent = "";
    sends.hidden = true;
    last = null;
    delete host.dataset.state;
  }

  function show(found, model) {
    drawImage(result, found, PICTURE_SIDE);
    numbers.textContent = t("page_invert_numbers", {
      label: found.label ?? "—", mse: found.mse.toFixed(4), step: found.step ?? STEPS, steps: STEPS });
  }

  async function search() {
    await input.ready(); // a file chosen a moment ago may still be being read
    const { model } = store.get();
    const picture = input.imageData();
    clear();
    const mine = run;
    if (!picture) {
      input.message.textContent = t("gan_invert_no_image");
      return;
    }
    input.message.textContent = "";
    numbers.textContent = t("page_working");
    const g = await page.runtime();
    try {
      if (g) {
        const found = await g.invert(model, picture, {
          steps: STEPS,
          onStep: (progress) => {
            if (run !== mine || store.get().model !== model) return;
            if (progress.target && !target.width) drawImage(target, progress.target, PICTURE_SIDE);
            if (progress.image) show({ ...progress.image, label: progress.label, mse: progress.mse,
                                       step: progress.step }, model);
          },
        });
        if (run !== mine || store.get().model !== model) return;
        if (found.target) drawImage(target, found.target, PICTURE_SIDE);
        show(found, model);
        last = { model, z: Array.from(found.z), label: found.label };
      } else if (hasServer()) {
        const file = await uploadToServer(await input.blob(), "picture.png");
        const [image, values] = await callServer("invert", [model, file]);
        if (run !== mine || store.get().model !== model) return;
        await drawUrl(result, fileUrl(image));
        numbers.textContent = t("page_invert_numbers", { label: values.label ?? "—", mse: values.mse.toFixed(4),
                                                          step: values.step, steps: values.steps });
        last = { model, z: values.z, label: values.label };
      } else {
        numbers.textContent = t("page_needs_runtime");
        return;
      }
      sends.hidden = false;
      host.dataset.state = model;
    } catch (error) {
      if (run === mine) numbers.textContent = error.key ? t(error.key, error.fields) : error.message;
    }
  }

  /** The found latent stands in for seed A / the editor's seed; its section opens and comes into view. */
  function send(sectionId) {
    if (!last || last.model !== store.get().model) return;
    page.found = { ...last };
    page.emit("found", page.found);
    page.reveal(sectionId);
  }

  find.addEventListener("click", search);
  toInterpolation.addEventListener("click", () => send("interp-live"));
  toDirections.addEventListener("click", () => send("gan-directions"));
  store.subscribe((state, changed) => {
    if (changed.includes("model")) {
      clear();
      if (page.found && page.found.model !== state.model) page.found = null;
    }
  });
}
