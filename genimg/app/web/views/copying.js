// "Is it just copying?": one seed's sample beside its three nearest training images, which only the server can
// find (it holds the training set). A click on a gallery picture, or a seed typed here, asks the server's
// `nearest_training`; the answer is shown only while the model, psi and class it was made for are the state's.

import { callServer, fileUrl, hasServer } from "../server.js";
import { el } from "./draw.js";

const FIELDS = ["model", "psi", "class"];

/** The server's Markdown note (bold, line breaks) as safe DOM nodes. */
function markdownLine(text) {
  const paragraph = el("p");
  String(text).split(/(\*\*[^*]+\*\*)/).forEach((part) => {
    if (part.startsWith("**") && part.endsWith("**")) paragraph.appendChild(el("strong", { text: part.slice(2, -2) }));
    else paragraph.appendChild(document.createTextNode(part));
  });
  return paragraph;
}

export function mount(element, page, host = element) {
  const { store, t } = page;
  const seedInput = el("input", { type: "number", min: "0", max: "4294967295", step: "1", value: "0",
                                  "aria-label": t("gan_nearest_seed_label") });
  const find = el("button", { class: "genimg-button", type: "button", text: t("gan_nearest_button") });
  const message = el("p", { class: "genimg-message", role: "status" });
  const results = el("div", { class: "genimg-grid genimg-nearest", role: "list" });
  const note = el("div", { class: "genimg-note" });
  element.replaceChildren(el("div", { class: "genimg-view genimg-copying" }, [
    el("div", { class: "genimg-actions" }, [el("label", {}, [el("span", { text: t("gan_nearest_seed_label") }),
                                                               seedInput]), find]),
    message, results, note]));
  if (!hasServer()) { // the static site: one line says what this needs (kept when the state changes)
    find.disabled = true;
    message.before(el("p", { class: "genimg-help", "data-needs": "server", text: t("page_needs_server") }));
  }

  const keyOf = (state, seed) => [...FIELDS.map((f) => state[f]), seed].join("|");

  function clear() {
    results.replaceChildren();
    note.replaceChildren();
    delete host.dataset.state;
  }

  async function ask(seed) {
    if (!hasServer()) return;
    if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
      message.textContent = t("error_whole_number", { what: t("what_seed"), low: 0, high: 4294967295, value: seed });
      return;
    }
    seedInput.value = String(seed);
    const state = store.get();
    const key = keyOf(state, seed);
    clear();
    message.textContent = t("page_working");
    try {
      const [gallery, markdown] = await callServer("nearest_training", [state.model, seed, state.psi, state.class]);
      if (keyOf(store.get(), seed) !== key) return;
      message.textContent = "";
      gallery.forEach((item) => {
        results.appendChild(el("figure", { role: "listitem" }, [
          el("img", { src: fileUrl(item.image), alt: item.caption || "" }), el("figcaption", { text: item.caption || "" })]));
      });
      note.replaceChildren(...String(markdown).split(/\n+/).map(markdownLine));
      host.dataset.state = key;
    } catch (error) {
      message.textContent = error.message;
    }
  }

  find.addEventListener("click", () => ask(Number(seedInput.value)));
  seedInput.addEventListener("keydown", (event) => { if (event.key === "Enter") ask(Number(seedInput.value)); });
  page.on("seed", (seed) => ask(seed));
  store.subscribe((state, changed) => {
    if (changed.some((f) => FIELDS.includes(f))) { clear(); message.textContent = ""; }
  });
}
