// The page: one state (state.js) that every view renders from, kept in the page's link, in the page's language.
// Shell-agnostic: the Gradio app (genimg/app/page.py) and the static site both load this module and mount views
// into elements; the Gradio shell's one-line `js=` hooks call `window.genimg.page.*` (below), and the
// sync element (`connect`) lets the state set Gradio's controls (a link, "random", the pad, a recipe PNG).
//
// Reads <script type="application/json" id="genimg-page">: {context, strings: {en, zh}, vae: {<model>: {order,
// points}}}. Adds `state()` and `page` to window.genimg (genimg.js makes it).

import "./genimg.js";
import "./access.js"; // sliders under a finger and on keys, regions that scroll sideways
import { MAX_IMAGES } from "./limits.js";
import { parseSeeds, seedText } from "./sampling.js";
import { callServer, hasServer } from "./server.js";
import { createStore, defaults, parseQuery, slidersFromZ, toQuery, zFromSliders } from "./state.js";

const VIEWS = { // view name -> its module, imported when an element first shows it
  gallery: () => import("./views/gallery.js"),
  interpolation: () => import("./views/interpolation.js"),
  copying: () => import("./views/copying.js"),
  directions: () => import("./views/directions.js"),
  invert: () => import("./views/invert.js"),
  recipe: () => import("./views/recipe.js"),
  encode: () => import("./views/encode.js"),
  "vae-picture": () => import("./views/vae.js"),
  "vae-pad": () => import("./views/pad.js"),
  traversal: () => import("./views/traversal.js"),
  notice: () => import("./views/notice.js"),
  quiz: () => import("./views/quiz.js"),
  present: () => import("./views/present.js"),
  lab: () => import("./views/lab.js"),
};

const config = JSON.parse(document.getElementById("genimg-page").textContent);
const languages = Object.keys(config.strings);

/** The browser's language among the page's ("zh-CN", "zh-TW" ... -> "zh"), else the first (English). */
function browserLanguage() {
  const wanted = (navigator.language || "en").toLowerCase().split("-")[0];
  return languages.includes(wanted) ? wanted : languages[0];
}

const context = { ...config.context, languages, language: browserLanguage() };
const parsed = parseQuery(location.search, context);
export const store = createStore(context, parsed.state);

/** The string `key` in the page's language with {fields} filled, as plain text (Markdown's ** dropped); English,
 * then the key itself, if missing. */
export function t(key, fields = {}) {
  const table = config.strings[store.get().lang] || {};
  const template = table[key] ?? config.strings[languages[0]][key] ?? key;
  return template.replace(/\{(\w+)(?::[^}]*)?\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole))
    .replace(/\*\*/g, "");
}

// ---- the link ------------------------------------------------------------------------------------------------

/** The page's link for the current state (what "Copy link" copies). */
export function link() {
  return `${location.origin}${location.pathname}?${toQuery(store.get())}`;
}

store.subscribe(() => history.replaceState(history.state, "", `?${toQuery(store.get())}`));
history.replaceState(history.state, "", `?${toQuery(store.get())}`);

// ---- notices: one line each, in the page's language ----------------------------------------------------------

const notices = [];
const noticeListeners = new Set();

/** Shows one line to the person (`kind`: "info" | "error"); replaces an earlier line with the same `id`. */
export function notify(text, kind = "info", id = null) {
  const index = id ? notices.findIndex((n) => n.id === id) : -1;
  if (!text && (index < 0 || !notices[index].text)) return; // nothing to clear
  const notice = { text, kind, id };
  if (index >= 0) notices[index] = notice;
  else notices.push(notice);
  noticeListeners.forEach((listener) => listener([...notices]));
}

/** Calls `listener(notices)` now and whenever they change; returns the unsubscribe function. */
export function onNotices(listener) {
  noticeListeners.add(listener);
  listener([...notices]);
  return () => noticeListeners.delete(listener);
}

if (parsed.notices.length) {
  const ignored = parsed.notices.map((n) => t("link_ignored_one", { param: n.param, value: n.value,
                                                                     reason: t(n.key, n.fields) }));
  notify(`${t("link_ignored")} ${ignored.join(" ")}`, "error", "link");
}

// ---- the in-browser runtime ----------------------------------------------------------------------------------

/** window.genimg when its runtime is live, else null (still loading counts as live once it is ready). */
export async function runtime() {
  try {
    await window.genimg.ready;
    return window.genimg;
  } catch {
    return null;
  }
}

// without the runtime the Gradio page falls back to its server; the static site has none to fall back to
window.genimg.ready.catch(() => notify(t(hasServer() ? "live_unavailable" : "page_needs_runtime"), "error", "runtime"));

/** {order, points} for a model's VAE sliders and its test split's means (points: a URL or null). */
export function vaeInfo(model) {
  return config.vae[model] || null;
}

// ---- views ---------------------------------------------------------------------------------------------------

/** Builds view `name` inside `element` (a Gradio gr.HTML's content, or the static site's element). The view keeps
 * its state on the host, the element that carries the id (Gradio's block around the gr.HTML): data-state names the
 * state its output was made for, data-frames counts the pictures drawn (tests and benchmarks read both). */
export async function mount(element, name, props = {}) {
  if (!(name in VIEWS)) throw new Error(`no view ${JSON.stringify(name)}; views: ${Object.keys(VIEWS).join(", ")}`);
  if (element.genimgView === name) return;
  element.genimgView = name;
  const view = await VIEWS[name]();
  view.mount(element, page, element.closest(".block") || element, props);
}

// ---- the Gradio shell: controls <-> state ----------------------------------------------------------------------

let syncTrigger = null;
let syncNames = [];

/** The sync element: `trigger()` makes Gradio read `controlValues()` into its controls, named by `names`. */
export function connect(trigger, names) {
  syncTrigger = trigger;
  syncNames = names;
  sync();
  const linked = parsed.state.tab;
  if (linked && linked !== defaults(context).tab) openLinkTab(linked); // a link names a tab Gradio does not open on
}

/** Ask the shell to show the state in its controls (a no-op on a page without the sync element). */
export function sync() {
  if (syncTrigger) syncTrigger("change");
}

/** The state as the shell's controls show it, in the order of the sync element's names. */
export function controlValues() {
  const state = store.get();
  const sliders = slidersFromZ(vaeInfo(state.model)?.order || [], state.z, syncNames.length);
  return syncNames.map((name) => {
    const slider = /^z(\d+)$/.exec(name); // VAE slider k
    return slider ? sliders[Number(slider[1])] : state[name];
  });
}

/** Gradio's dropdowns keep their list open (and aria-expanded "true") when Tab moves the focus on, the model's list
 * over the tab bar: leaving one closes it, as Escape does. */
document.addEventListener("focusout", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.getAttribute("role") !== "combobox") return;
  if (input.closest(".block")?.contains(event.relatedTarget)) return; // the focus stays in the dropdown
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
}, true);

/** A control moved: the state follows. Bad values are shown as one notice and leave the state as it was. */
function set(patch) {
  try {
    store.set(patch);
    notify("", "info", "input");
  } catch (error) {
    notify(error.reason ? t("page_bad_value", { field: t(`page_field_${error.field}`), value: error.value,
                                                reason: t(error.reason.key, error.reason.fields) })
      : error.message, "error", "input");
    sync(); // the control shows the state's value again
  }
  return [];
}

/** Seeds typed and committed (Enter or Generate): the state's seeds, or one notice saying what is wrong. */
function commitSeeds(text) {
  try {
    const seeds = parseSeeds(String(text ?? ""), MAX_IMAGES);
    notify("", "info", "seeds");
    store.set({ seeds: seedText(seeds) });
  } catch (error) {
    notify(error.key ? t(error.key, error.fields) : error.message, "error", "seeds");
  }
  return [];
}

/** An examples row filled seeds, psi and class: the state takes all three. */
function example(seeds, psi, cls) {
  notify("", "info", "seeds");
  return set({ seeds, psi, class: cls });
}

/** "random seeds": 16 consecutive seeds from a random start; the textbox shows them (returned for its output). */
function randomSeeds() {
  const start = Math.floor(Math.random() * 1_000_000);
  store.set({ seeds: `${start}-${start + 15}` });
  notify("", "info", "seeds");
  return [store.get().seeds];
}

// ---- the VAE tab's buttons -------------------------------------------------------------------------------------

const clipZ = (values) => values.map((v) => Math.round(Math.max(-3, Math.min(3, Number(v))) * 1e4) / 1e4);

/** Puts z (dimension order) on the sliders, clipped to their range. */
function showLatent(z) {
  set({ z: clipZ(z) });
  sync();
  return [];
}

/** "random": the latent `seed` names under the chosen prior (genimg.sampling's rule), in the browser or, without
 * the runtime, from the server. */
async function vaeRandom(seed, prior) {
  const { model } = store.get();
  if (!Number.isInteger(Number(seed)) || Number(seed) < 0 || Number(seed) > 4294967295) {
    notify(t("error_whole_number", { what: t("what_seed"), low: 0, high: 4294967295, value: seed }), "error", "input");
    return [];
  }
  notify("", "info", "input");
  try {
    const g = await runtime();
    const z = g && g.vaeLatentFromSeed ? Array.from(await g.vaeLatentFromSeed(model, Number(seed), 1.0, prior))
      : (await callServer("latent_from_seed", [model, Number(seed), prior]))[0];
    return showLatent(z);
  } catch (error) {
    notify(error.message, "error", "input");
    return [];
  }
}

/** "reset to 0": every slider to the prior's mean. */
function vaeZero() {
  return showLatent(store.get().z.map(() => 0));
}

/** The encode tab encoded an image: its numbers ({mu, std, ...}) are what "from upload" and "Edit in sliders" use. */
function encoded(numbers) {
  page.encodedLatent = numbers && Array.isArray(numbers.mu) ? { model: store.get().model, mu: numbers.mu } : null;
  return [];
}

/** "from upload": the last encoded image's posterior mean onto the sliders, or a notice that there is none. */
function fromEncoded() {
  const latent = page.encodedLatent;
  if (!latent || latent.model !== store.get().model) {
    notify(t("error_nothing_encoded"), "error", "input");
    return [];
  }
  notify("", "info", "input");
  return showLatent(latent.mu);
}

/** "Edit in sliders" on the encode tab: the encoded latent onto the sliders, and the VAE tab opened. */
function editEncoded(numbers) {
  encoded(numbers);
  fromEncoded();
  if (page.encodedLatent) selectTab("vae");
  return [];
}

/** The map's two dimensions (the pad's too). */
function setDims(x, y) {
  return setSetting("dims", [Number(x), Number(y)]);
}

/** "Draw map" asks the server for the chart of the state's z: its inputs with z filled in. */
function mapInputs(model, dimX, dimY) {
  return [model, dimX, dimY, store.get().z];
}

/** Opens a tab of the Gradio page (and the state follows through the tab's select event). */
function selectTab(tab) {
  const button = document.getElementById(`tab-${tab}-button`);
  if (button && button.getAttribute("aria-selected") !== "true") button.click();
  set({ tab });
}

/** The link's tab, at the start. This module is preloaded, so it may run while Gradio still sets up its tab bar
 * (whose first tab's select event then says "gan"): for the first seconds, until the person touches or types
 * anything, the link's tab is chosen again whenever it is not the one shown. */
function openLinkTab(tab, seconds = 10) {
  const until = performance.now() + seconds * 1000;
  let touched = false;
  for (const type of ["pointerdown", "keydown"]) {
    window.addEventListener(type, () => { touched = true; }, { capture: true, once: true });
  }
  const keep = () => {
    if (touched || performance.now() > until) return;
    if (document.getElementById(`tab-${tab}-button`)?.getAttribute("aria-selected") !== "true") selectTab(tab);
    requestAnimationFrame(keep);
  };
  keep();
}

/** What the server's model-switch event is asked for: the state's model and class, whatever the controls said. */
function stateModel() {
  return [store.get().model, store.get().class];
}

/** Brings a view into sight: opens the closed Gradio accordions (or the static site's <details>) around it (a view in
 * a closed accordion is not built yet, so its accordion, `<id>-section`, is opened first), then scrolls to it. */
async function reveal(elementId) {
  const section = document.getElementById(`${elementId}-section`);
  for (let node = section || document.getElementById(elementId); node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
    const toggle = node.querySelector(":scope > button.label-wrap");
    if (toggle && !toggle.classList.contains("open")) toggle.click();
  }
  for (let tries = 0; tries < 50 && !document.getElementById(elementId); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  document.getElementById(elementId)?.scrollIntoView({ behavior: "smooth", block: "center" });
}

/** The language switch: the page reloads in the chosen language (Gradio picks its labels' language at start). */
function setLanguage(lang) {
  if (lang === store.get().lang) return [];
  store.set({ lang });
  location.reload();
  return [];
}

/** "Copy link": the link of this view to the clipboard, and a notice that says so. */
async function copyLink() {
  const url = link();
  try {
    await navigator.clipboard.writeText(url);
    notify(t("page_link_copied", { url }), "info", "link-copied");
  } catch {
    notify(t("page_link_here", { url }), "info", "link-copied");
  }
  return [];
}

// ---- what views share besides the state: actions, settings that are not in the link, a found latent -------------

const events = new EventTarget();

/** Tells the views `name` happened (a gallery picture picked, the settings changed, a latent found). */
export function emit(name, detail = null) {
  events.dispatchEvent(new CustomEvent(name, { detail }));
  return [];
}

/** Calls `listener(detail)` on each `name`. */
export function on(name, listener) {
  events.addEventListener(name, (event) => listener(event.detail));
}

/** Choices a person makes that a link does not carry: frames of a GIF, the pad's two dimensions, gallery size. */
const settings = { frames: 24, dims: [0, 1], size: "medium" };

/** The pad's and the map's first two dimensions for a model: its most informative ones, as the server's dropdowns. */
function defaultDims(model) {
  const order = config.vae[model]?.order || [0, 1];
  return [order[0] ?? 0, order[Math.min(1, order.length - 1)] ?? 0];
}
settings.dims = defaultDims(store.get().model);
store.subscribe((state, changed) => {
  if (changed.includes("model")) setSetting("dims", defaultDims(state.model));
});

/** A setting changed (a Gradio hook or the static site's control): the views that use it follow. */
function setSetting(name, value) {
  if (!(name in settings)) throw new Error(`no setting ${JSON.stringify(name)}; settings: ${Object.keys(settings)}`);
  settings[name] = value;
  emit("settings", name);
  return [];
}

/** What every recipe of `model`'s network names: {version, model, checkpoint} (recipes.js makeRecipe's fields). */
function recipeBase(model, kind) {
  return { version: config.version, model, checkpoint: config.context.models[model]?.checkpoints?.[kind] };
}

/** The models that have a network of `kind` ("gan" or "vae"). */
export function modelsWith(kind) {
  return Object.entries(config.context.models).filter(([, info]) => info[kind]).map(([name]) => name);
}

export const page = {
  store, t, link, notify, onNotices, runtime, vaeInfo, mount, connect, sync, controlValues,
  recipeBase, set, commitSeeds, example, randomSeeds, vaeRandom, vaeZero, encoded, fromEncoded, editEncoded, setDims,
  mapInputs, stateModel, selectTab, reveal, setLanguage, copyLink, config, emit, on, settings, setSetting, modelsWith,
  found: null, // {model, z, label}: a latent found by inversion, standing in for seed A and the editor's seed
  encodedLatent: null, // {model, mu}: the last image encoded on the encode tab
  /** One-line Gradio hook for a VAE slider move: the state's z from all sliders' values. */
  slide: (model, ...values) => set({ z: zFromSliders(vaeInfo(model)?.order || [], values) }),
};

window.genimg.state = () => store.get();
window.genimg.page = page;
window.dispatchEvent(new Event("genimg-page"));
