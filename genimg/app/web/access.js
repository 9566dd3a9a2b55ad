// What the page adds so that a finger, a keyboard and a screen reader can use it: three things the browser does not
// do by itself. Installed for the whole document when page.js imports this module (both shells); it draws nothing.
//
// Touch: a vertical swipe that starts on a slider scrolls the page and leaves the slider where it was. Chromium moves
// a range input to the finger the moment it lands, before it knows which way the finger goes (CSS touch-action
// only lets the page scroll afterwards), so the value that landing sets is held back here until the finger moves:
// sideways, it goes through and the drag goes on; up or down (the browser scrolls and cancels the pointer), the
// slider goes back to where it was and nobody hears of it; a tap, it goes through when the finger lifts.
//
// Keys: the VAE's latent sliders (ids z-slider-K; step 0.01, so a drag or the pad can set any hundredth) move 0.1
// per arrow key and 0.01 with Shift: 60 presses from end to end, not 600.
//
// Scrolling: a region that scrolls sideways (a formula or a table wider than a phone, the VAE traversal) takes the
// focus, so arrow keys can scroll it; one that fits takes none (no needless tab stops).

const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
const isSlider = (node) => node instanceof HTMLInputElement && node.type === "range";

/** A slider's value set as a hand sets it: the native setter, then an input event (Gradio and the state follow). */
function slideTo(input, value) {
  setValue.call(input, String(value));
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

let held = null; // the slider a finger landed on: {input, value (before it landed), x, y, way: null|"slide"|"scroll"}

function decide(way) {
  held.way = way;
  if (way === "slide") held.input.dispatchEvent(new Event("input", { bubbles: true })); // the held value goes through
  else setValue.call(held.input, held.value); // back where it was, without an event: nothing moved
}

window.addEventListener("touchstart", (event) => {
  if (held && !held.way) decide("scroll"); // a second finger: a pinch or a scroll, not a slide
  held = null;
  if (event.touches.length !== 1 || !isSlider(event.target)) return;
  const touch = event.touches[0];
  held = { input: event.target, value: event.target.value, x: touch.clientX, y: touch.clientY, way: null };
}, { capture: true, passive: true });

// Capturing on window runs before the slider's own listeners (Gradio's), so a held value reaches none of them.
window.addEventListener("input", (event) => {
  if (held && event.target === held.input && held.way !== "slide") event.stopImmediatePropagation();
}, true);

window.addEventListener("touchmove", (event) => {
  if (!held || held.way) return;
  const touch = event.touches[0];
  const [dx, dy] = [touch.clientX - held.x, touch.clientY - held.y];
  if (dx || dy) decide(Math.abs(dx) >= Math.abs(dy) ? "slide" : "scroll"); // Chromium's own test of the direction
}, { capture: true, passive: true });

window.addEventListener("pointercancel", (event) => {
  if (held && !held.way && event.target === held.input) decide("scroll"); // the browser took the gesture to scroll
}, true);

for (const type of ["touchend", "touchcancel"]) {
  window.addEventListener(type, () => {
    if (held && !held.way) decide(type === "touchend" ? "slide" : "scroll"); // a tap sets the slider
    held = null;
  }, { capture: true, passive: true });
}

document.addEventListener("keydown", (event) => {
  const input = event.target;
  const direction = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[event.key];
  if (!direction || event.altKey || event.ctrlKey || event.metaKey || !isSlider(input) ||
      !input.closest("[id^='z-slider-']")) return;
  event.preventDefault();
  const value = Math.round((Number(input.value) + direction * (event.shiftKey ? 0.01 : 0.1)) * 100) / 100;
  slideTo(input, Math.max(Number(input.min), Math.min(Number(input.max), value)));
});

const SCROLLERS = ".katex-display, .prose table, .genimg-traversal-body";
let lookSoon = null;

function focusScrollers() {
  lookSoon = null;
  for (const region of document.querySelectorAll(SCROLLERS)) {
    const scrolls = region.scrollWidth > region.clientWidth + 1;
    if (scrolls && !region.hasAttribute("tabindex")) region.tabIndex = 0;
    else if (!scrolls && region.getAttribute("tabindex") === "0") region.removeAttribute("tabindex");
  }
}

// Gradio draws Markdown whenever a value comes and a tab's contents when it opens: look again after the page
// changes or its width does (at most every 300 ms).
const lookAgain = () => { lookSoon ??= setTimeout(focusScrollers, 300); };
new MutationObserver(lookAgain).observe(document.documentElement, {
  childList: true, subtree: true, attributes: true, attributeFilter: ["class", "style", "hidden"] });
window.addEventListener("resize", lookAgain);
