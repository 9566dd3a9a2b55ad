// Encode / decode: a picture given in the browser (a file, dropped, pasted, drawn, or an example) -> what the VAE
// sees after preprocessing (the server's rules, preprocess.js), its reconstruction and error, the posterior's mean
// and std per latent dimension, and 8 samples from q(z|x); "Edit in sliders" takes the mean to the VAE tab. All in
// the browser (window.genimg.encode / decode); without the runtime the server's `reconstruct` does it.
// Results belong to the model and the picture they were made from: a model switch clears them.

import { RandomState } from "../seeds.js";
import { callServer, fileUrl, hasServer, uploadToServer } from "../server.js";
import { drawGrid, drawImage, drawUrl, el, factorFor } from "./draw.js";
import { pictureInput } from "./picture-input.js";

const POSTERIOR_SAMPLES = 8; // as genimg.app.tabs.encode.POSTERIOR_SAMPLES
const RESULT_SIDE = 200; // CSS pixels of the model input and the reconstruction

/** The mean squared error of two uint8 images in [0, 1] units, and its PSNR in dB. */
function errorOf(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] - b[i]) / 255) ** 2;
  const mse = sum / a.length;
  return { mse, psnr: mse > 0 ? 10 * Math.log10(1 / mse) : Infinity };
}

/** Mean ± std per dimension (slider order: most informative first) as a small chart on a canvas. */
function drawPosterior(canvas, mu, std, order, colors) {
  const width = Math.max(240, order.length * 14);
  const height = 160;
  const scale = window.devicePixelRatio || 1;
  canvas.width = width * scale;
  canvas.height = height * scale;
  canvas.style.width = `${width}px`;
  const context = canvas.getContext("2d");
  context.scale(scale, scale);
  const y = (v) => height / 2 - (v / 4) * (height / 2 - 8); // -4..4 across the height
  context.strokeStyle = colors.axis;
  context.beginPath();
  context.moveTo(0, y(0));
  context.lineTo(width, y(0));
  context.stroke();
  order.forEach((dim, k) => {
    const x = 7 + k * ((width - 14) / Math.max(1, order.length - 1));
    context.strokeStyle = colors.std;
    context.lineWidth = 3;
    context.beginPath();
    context.moveTo(x, y(mu[dim] - std[dim]));
    context.lineTo(x, y(mu[dim] + std[dim]));
    context.stroke();
    context.fillStyle = colors.mean;
    context.beginPath();
    context.arc(x, y(mu[dim]), 3, 0, 2 * Math.PI);
    context.fill();
  });
}

export function mount(element, page, host = element) {
  const { store, t } = page;
  const encodeButton = el("button", { class: "genimg-button genimg-primary", type: "button", id: "encode-button",
                                      text: t("encode_upload_button") });
  const input = pictureInput(page, { idPrefix: "encode", onPicture: () => {} });
  const seen = el("canvas", { id: "model-input", class: "genimg-picture", role: "img", "aria-label": t("encode_seen_label") });
  const recon = el("canvas", { id: "recon", class: "genimg-picture", role: "img", "aria-label": t("encode_recon_label") });
  const errorLine = el("p", { id: "encode-error-text", class: "genimg-numbers", role: "status" });
  const samples = el("canvas", { id: "posterior", role: "img", "aria-label": t("encode_posterior_label") });
  const chart = el("canvas", { id: "posterior-chart", role: "img", "aria-label": t("page_posterior_chart_label") });
  const edit = el("button", { class: "genimg-button", type: "button", id: "edit-in-sliders", text: t("encode_edit_button") });
  const numbers = el("pre", { class: "genimg-json" });
  const examples = el("div", { class: "genimg-examples" });
  const results = el("div", { class: "genimg-results", hidden: "" }, [
    el("div", { class: "genimg-columns" }, [
      el("figure", {}, [seen, el("figcaption", { text: t("encode_seen_label") })]),
      el("figure", {}, [recon, el("figcaption", { text: t("encode_recon_label") })])]),
    errorLine,
    el("figure", {}, [samples, el("figcaption", { text: t("encode_posterior_label") })]),
    el("figure", {}, [chart, el("figcaption", { text: t("page_posterior_chart_label") })]),
    edit,
    el("details", {}, [el("summary", { text: t("encode_numbers_accordion") }), numbers])]);
  element.replaceChildren(el("div", { class: "genimg-view genimg-encode" }, [
    el("div", { class: "genimg-columns" }, [
      el("div", { class: "genimg-encode-input" }, [input.element, encodeButton,
                                                   el("p", { class: "genimg-title", text: t("encode_examples_label") }),
                                                   examples]),
      results])]));
  let run = 0;
  let last = null; // {model, mu}

  function clear() {
    run += 1;
    results.hidden = true;
    for (const canvas of [seen, recon, samples, chart]) canvas.width = 0; // nothing of another model is kept
    last = null;
    delete host.dataset.state;
  }

  function showExamples() {
    const urls = page.config.examples?.[store.get().model] || [];
    examples.replaceChildren(...urls.map((url, i) => {
      const button = el("button", { type: "button", class: "genimg-example", "aria-label": `${t("encode_examples_label")} ${i + 1}` },
                        [el("img", { src: url, alt: "" })]);
      button.addEventListener("click", async () => { await input.load(url); encode(); });
      return button;
    }));
  }

  function show(model, values) {
    const { mu, std } = values;
    const order = page.vaeInfo(model)?.order || mu.map((_, i) => i);
    const style = getComputedStyle(element);
    drawPosterior(chart, mu, std, order, { mean: "#1f77b4", std: "#9ca3af", axis: style.color || "#888" });
    numbers.textContent = JSON.stringify({ mse: values.mse, psnr_db: values.psnr, mu, std });
    errorLine.textContent = t("encode_error_line", { mse: values.mse.toFixed(4), psnr: values.psnr.toFixed(1) });
    results.hidden = false;
    last = { model, mu };
    page.encoded({ mu });
    host.dataset.state = model;
  }

  async function encode() {
    await input.ready(); // a file chosen a moment ago may still be being read
    const { model } = store.get();
    const picture = input.imageData();
    clear();
    const mine = run;
    if (!picture) {
      input.message.textContent = t("error_no_image");
      return;
    }
    input.message.textContent = "";
    const g = await page.runtime();
    try {
      if (g) {
        const { mu, logvar, input: x } = await g.encode(model, picture);
        const std = Array.from(logvar, (v) => Math.exp(0.5 * v));
        const [again] = await g.decodeMany(model, [Array.from(mu)]);
        const eps = new RandomState(0).randn(POSTERIOR_SAMPLES * mu.length); // as RandomState(0).randn(8, zDim)
        const draws = await g.decodeMany(model, Array.from({ length: POSTERIOR_SAMPLES }, (_, i) =>
          Array.from(mu, (m, d) => Math.fround(m + std[d] * Math.fround(eps[i * mu.length + d])))));
        if (run !== mine || store.get().model !== model) return;
        drawImage(seen, x, RESULT_SIDE);
        drawImage(recon, again, RESULT_SIDE);
        drawGrid(samples, draws, POSTERIOR_SAMPLES, factorFor(x.width, 64), 2);
        show(model, { mu: Array.from(mu, (v) => +v.toFixed(4)), std: std.map((v) => +v.toFixed(4)),
                      ...errorOf(x.data, again.data) });
      } else if (hasServer()) {
        const file = await uploadToServer(await input.blob(), "picture.png");
        const [seenFile, reconFile, , , samplesFile, values] = await callServer("reconstruct", [model, file]);
        if (run !== mine || store.get().model !== model) return;
        await Promise.all([drawUrl(seen, fileUrl(seenFile)), drawUrl(recon, fileUrl(reconFile)),
                           drawUrl(samples, fileUrl(samplesFile))]);
        show(model, { mu: values.mu, std: values.std, mse: values.mse, psnr: values.psnr_db });
      } else {
        input.message.textContent = t("page_needs_runtime");
      }
    } catch (error) {
      if (run === mine) input.message.textContent = error.key ? t(error.key, error.fields) : error.message;
    }
  }

  encodeButton.addEventListener("click", encode);
  edit.addEventListener("click", () => { if (last && last.model === store.get().model) page.editEncoded({ mu: last.mu }); });
  store.subscribe((state, changed) => {
    if (changed.includes("model")) { clear(); showExamples(); }
  });
  showExamples();
}
