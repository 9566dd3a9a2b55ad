// The Lab: the training lab's page (lab/ui.js over window.genimg.lab) mounted in this element, with its strings in
// both languages (props.strings, from the locale files' lab_ keys); the page's language picks one. If the lab's
// modules cannot load, it says so here, in that language.

import { el } from "./draw.js";

export async function mount(element, page, host, props = {}) {
  const strings = props.strings || {};
  const table = strings[page.store.get().lang] || strings.en || {};
  const target = el("div", { class: "lab-mount", text: table.lab_loading || "" });
  element.replaceChildren(target);
  try {
    await import("../lab/index.js");
    await window.genimg.lab.mount(target, strings);
  } catch (error) {
    target.textContent = (table.lab_unavailable || "") + error.message;
  }
}
