// Seed A -> seed B: the scrubber's frame t (slerp, genimg.sampling.interpolate's rule via sampling.js), a looping GIF
// made in the browser (downloads.js), and the MP4, which only the server makes. With class 'any' every frame keeps
// seed A's class. A latent found by inversion can stand in for seed A (page.found) until seed A is typed again.
// Outputs of another state are cleared: the GIF and MP4 belong to (model, a, b, psi, class, frames).

import { GIF_SIDE, GALLERY_SIDE } from "../limits.js";
import { interpolationLatent, linearPath, slerp } from "../sampling.js";
import { callServer, fileUrl, hasServer } from "../server.js";
import { drawImage, el, latestWins } from "./draw.js";

const FIELDS = ["model", "a", "b", "psi", "class"];

export function mount(element, page, host = element) {
  const { store, t } = page;
  const canvas = el("canvas", { role: "img" });
  const caption = el("p", { class: "genimg-caption" });
  const gifButton = el("button", { class: "genimg-button", type: "button", text: t("gan_interpolate_button") });
  const mp4Button = el("button", { class: "genimg-button", type: "button", text: t("gan_video_button") });
  const message = el("p", { class: "genimg-message", role: "status" });
  const outputs = el("div", { class: "genimg-outputs" });
  element.replaceChildren(el("div", { class: "genimg-view genimg-interpolation" }, [
    el("div", { class: "genimg-frame" }, [canvas, caption]),
    el("div", { class: "genimg-actions" }, [gifButton, mp4Button]), message, outputs]));
  if (!hasServer()) { // the static site: one line says what the MP4 needs
    mp4Button.disabled = true;
    mp4Button.title = t("page_needs_server");
    message.before(el("p", { class: "genimg-help", "data-needs": "server", text: t("page_mp4_needs_server") }));
  }

  /** z and class of one frame: a slerp of seed A's (or the found) latent and seed B's, times psi. */
  function frameLatent(g, state, at) {
    const entry = g.model(state.model, "gan");
    const found = page.found && page.found.model === state.model ? page.found : null;
    let z;
    if (found) z = slerp(Float32Array.from(found.z), Float32Array.from(g.latentFromSeed(state.b, entry.zDim)), at);
    else z = interpolationLatent(state.a, state.b, entry.zDim, at, state.psi);
    const label = entry.classes.length
      ? (found ? found.label : state.class === "any" ? g.classFromSeed(state.model, state.a) : state.class) : null;
    return { z: Array.from(z), label };
  }

  const drawFrame = latestWins(async (g, state) => {
    const { z, label } = frameLatent(g, state, state.t);
    return g.generateFromLatents(state.model, [z], label === null ? null : [label]);
  });

  async function redraw() {
    const state = store.get();
    const g = await page.runtime();
    if (!g || !g.model(state.model, "gan")) {
      host.classList.add("genimg-no-frame");
      return;
    }
    host.classList.remove("genimg-no-frame");
    const images = await drawFrame(g, state);
    if (!images) return;
    drawImage(canvas, images[0], GALLERY_SIDE * 2);
    const label = page.found && page.found.model === state.model ? t("gan_found_short") : state.a;
    caption.textContent = t("page_frame_caption", { a: label, b: state.b, t: state.t.toFixed(2) });
    canvas.setAttribute("aria-label", caption.textContent);
    host.dataset.frames = Number(host.dataset.frames || 0) + 1;
  }

  function clearOutputs() {
    outputs.replaceChildren();
    message.textContent = "";
    delete host.dataset.outputs;
  }

  /** Which outputs belong to the state now: a GIF or MP4 of another state is removed. */
  function outputKey(state) {
    return [...FIELDS.map((f) => state[f]), page.settings.frames, page.found ? "found" : ""].join("|");
  }

  async function makeGif() {
    const state = store.get();
    const key = outputKey(state);
    clearOutputs();
    const g = await page.runtime();
    try {
      let url;
      const { gifOfFrames, interpolationName } = await import("../downloads.js");
      const name = `${interpolationName(state.model, page.found ? "found" : state.a, state.b)}.gif`;
      if (g) {
        const latents = linearPath(page.settings.frames).map((at) => frameLatent(g, state, at));
        const labels = latents[0].label === null ? null : latents.map((f) => f.label);
        const images = await g.generateFromLatents(state.model, latents.map((f) => f.z), labels);
        url = URL.createObjectURL(new Blob([gifOfFrames(images, { side: GIF_SIDE })], { type: "image/gif" }));
      } else {
        const [file] = await callServer("interpolate", [state.model, state.a, state.b, page.settings.frames,
                                                        state.psi, state.class]);
        url = fileUrl(file);
      }
      if (outputKey(store.get()) !== key) return;
      const link = el("a", { href: url, download: name, text: t("page_download_gif") });
      outputs.replaceChildren(el("img", { src: url, alt: t("gan_gif_label"), class: "genimg-gif" }), link);
      host.dataset.outputs = key;
    } catch (error) {
      message.textContent = error.message;
    }
  }

  async function makeVideo() {
    const state = store.get();
    const key = outputKey(state);
    clearOutputs();
    message.textContent = t("page_working");
    try {
      const [video] = await callServer("video", [state.model, state.a, state.b, page.settings.frames, state.psi,
                                                 state.class]);
      if (outputKey(store.get()) !== key) return;
      const url = fileUrl(video.video || video);
      const { interpolationName } = await import("../downloads.js");
      message.textContent = "";
      outputs.replaceChildren(el("video", { src: url, controls: "", loop: "", autoplay: "", muted: "",
                                            playsinline: "", class: "genimg-video" }),
                              el("a", { href: url, download: `${interpolationName(state.model, state.a, state.b)}.mp4`,
                                        text: t("page_download_mp4") }));
      host.dataset.outputs = key;
    } catch (error) {
      message.textContent = error.message;
    }
  }

  gifButton.addEventListener("click", makeGif);
  mp4Button.addEventListener("click", makeVideo);
  page.on("found", () => { clearOutputs(); redraw(); });
  page.on("settings", () => { if (host.dataset.outputs !== outputKey(store.get())) clearOutputs(); });
  store.subscribe((state, changed) => {
    if (changed.includes("model")) canvas.width = 0; // the old model's frame goes at once
    if (changed.includes("a") && page.found) page.found = null; // seed A typed: it stands for itself again
    if (changed.some((f) => FIELDS.includes(f)) && host.dataset.outputs !== outputKey(state)) clearOutputs();
    if (changed.some((f) => [...FIELDS, "t"].includes(f))) redraw();
  });
  redraw();
}
