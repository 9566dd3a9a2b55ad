// The page's notices: one line each (the runtime could not load, a link parameter was ignored, seed text that is
// not a seed list, a link copied), in the page's language, announced to screen readers. Empty lines are hidden.

import { el } from "./draw.js";

export function mount(element, page, host = element) {
  const list = el("div", { class: "genimg-notices", role: "status", "aria-live": "polite" });
  element.replaceChildren(list);
  page.onNotices((notices) => {
    list.replaceChildren(...notices.filter((n) => n.text).map((n) => el("p", {
      class: `genimg-notice genimg-notice-${n.kind}`, text: n.text, "data-notice": n.id || "" })));
  });
}
