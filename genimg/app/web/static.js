// The static site's shell (genimg/app/site.py writes the page): plain HTML controls and tabs over the same page
// state (page.js) and the same views (views/*.js) as the Gradio page. Only the controls and the layout are this
// module's; every picture, chart and download is a shared view's. Controls hand their values to page.js (as the
// Gradio shell's one-line hooks do); the state shows itself in them through page.store's subscription (the Gradio
// shell uses page.connect for that). No server: page.js's server calls are never made (server.js's hasServer() is
// false here), and the views say in one line what needs the Gradio app.
//
// Reads <script type="application/json" id="genimg-static">: {strings: {en, zh} (tab names and the Markdown intros
// page.js's table leaves out), vae: {<model>: {labels, help: {en, zh}}}, galleryExamples: {<model>: rows},
// texts: {en: "text-en.json", ...} (How it works, the model cards, figures and the Lab's strings; loaded when a tab
// needs them), katex: {script, style}, version}.

import { FRAMES_RANGE, PSI_RANGE, Z_LIMIT } from "./limits.js";
import { renderMarkdown } from "./markdown.js";
import { page, store } from "./page.js";
import { slidersFromZ } from "./state.js";
import { el } from "./views/draw.js";

const shell = JSON.parse(document.getElementById("genimg-static").textContent);
const TABS = page.config.context.tabs; // gan, vae, encode, card, how, lab
const SIZES = ["small", "medium", "large"];
const LANGUAGES = [["en", "English"], ["zh", "中文"]];

/** A string of the page's language: the shell's own table, then page.js's; plain text ({fields} filled). */
function t(key, fields = {}) {
  const table = shell.strings[store.get().lang] || shell.strings.en;
  return key in table ? table[key] : page.t(key, fields);
}

// ---- Markdown and formulas ------------------------------------------------------------------------------------

let katexPromise = null;
/** KaTeX (vendored), loaded once, when a text with formulas is first shown; null when it cannot load. */
function katex() {
  if (!katexPromise) {
    katexPromise = new Promise((resolve) => {
      document.head.appendChild(el("link", { rel: "stylesheet", href: shell.katex.style }));
      const script = el("script", { src: shell.katex.script });
      script.addEventListener("load", () => resolve(window.katex));
      script.addEventListener("error", () => resolve(null)); // the formulas stay readable TeX
      document.head.appendChild(script);
    });
  }
  return katexPromise;
}

/** Markdown (with LaTeX) into `element`, formulas drawn by KaTeX. */
async function showMarkdown(element, markdown) {
  const tex = /\$/.test(markdown) ? await katex() : null;
  const math = tex ? (source, display) => tex.renderToString(source, { displayMode: display, throwOnError: false })
    : undefined;
  element.innerHTML = renderMarkdown(markdown, { math }); // markdown.js escapes all text; only its own tags remain
  element.classList.add("site-prose");
  return element;
}

const markdownBlock = (markdown, attributes = {}) => {
  const block = el("div", attributes);
  showMarkdown(block, markdown);
  return block;
};

// ---- the texts of the page's language (How it works, cards, figures, the Lab's strings) -----------------------

let textsPromise = null;
function texts() {
  if (!textsPromise) {
    const url = shell.texts[store.get().lang] || shell.texts.en;
    textsPromise = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json();
    });
    textsPromise.catch(() => { textsPromise = null; });
  }
  return textsPromise;
}

// ---- small builders -------------------------------------------------------------------------------------------

function field(label, input, info = "") {
  return el("label", { class: "site-field" }, [el("span", { class: "site-label", text: label }), input,
                                               ...(info ? [el("small", { class: "site-info", text: info })] : [])]);
}

function range(id, [min, max], step, value) {
  return el("input", { type: "range", id, min: String(min), max: String(max), step: String(step),
                       value: String(value) });
}

function button(id, text, primary = false) {
  return el("button", { type: "button", id, class: `genimg-button${primary ? " genimg-primary" : ""}`, text });
}

/** A labelled group of controls that is not one input (radios, a row of buttons): a <label> would take the first. */
function group(label, content, info = "") {
  return el("div", { class: "site-field", role: "group", "aria-label": label }, [
    el("span", { class: "site-label", text: label }), content,
    ...(info ? [el("small", { class: "site-info", text: info })] : [])]);
}

function radios(name, choices, value) {
  return el("div", { class: "site-radios", role: "radiogroup", id: name }, choices.map(([choice, label]) =>
    el("label", {}, [el("input", { type: "radio", name, value: choice, ...(choice === value ? { checked: "" } : {}) }),
                     el("span", { text: label })])));
}

function radioValue(group) {
  return group.querySelector("input:checked")?.value;
}

function setRadio(group, value) {
  group.querySelectorAll("input").forEach((input) => { input.checked = input.value === String(value); });
}

/** A view's element (the id the Gradio page gives it, so links, tests and benchmarks find it there too). */
const viewHost = (id) => el("div", { id, class: "site-view" });

/** A collapsible section that mounts its views when it is first open on screen (as Gradio builds a closed
 * accordion's content when it opens); an open one on a hidden tab waits for its tab (build's showTab). */
function section(id, title, children, mounts, open = false) {
  const details = el("details", { id: `${id}-section`, class: "site-section", ...(open ? { open: "" } : {}) },
                     [el("summary", { text: title }), ...children]);
  details.mountViews = () => {
    if (details.open && !details.closest("[hidden]")) mounts.forEach(([element, name]) => page.mount(element, name));
  };
  details.addEventListener("toggle", details.mountViews);
  return details;
}

/** Keeps an input showing the state's `field`: on a state change, and when an edit was not taken (a bad value). */
function bind(input, name, read = (node) => node.value) {
  input.addEventListener("change", () => { input.value = String(store.get()[name]); });
  watchers.push((state, changed) => {
    if (changed.includes(name) && read(input) !== String(state[name])) input.value = String(state[name]);
  });
}

const watchers = []; // (state, changed) => void: the controls following the state
const onModel = []; // (model) => void: what changes with the model (class list, sliders, cards)

// ---- the top: intro, model, language, link ----------------------------------------------------------------------

function top() {
  const models = Object.keys(page.config.context.models);
  const model = el("select", { id: "model" }, models.map((name) => el("option", { value: name, text: name })));
  model.value = store.get().model;
  model.addEventListener("change", () => page.set({ model: model.value }));
  bind(model, "model");
  const language = radios("language", LANGUAGES, store.get().lang);
  language.addEventListener("change", () => page.setLanguage(radioValue(language)));
  const copy = button("copy-link", t("page_copy_link_button"));
  copy.addEventListener("click", () => page.copyLink());
  const present = button("present", t("page_present_button"));
  present.addEventListener("click", () => page.set({ present: true }));
  const presenter = viewHost("genimg-present");
  const notice = viewHost("genimg-notice");
  page.mount(presenter, "present");
  page.mount(notice, "notice");
  return el("header", { class: "site-top" }, [
    markdownBlock(t("app_intro_md"), { id: "genimg-intro" }),
    el("div", { class: "site-choices", id: "genimg-choices" }, [
      field(t("model_label"), model),
      group(t("page_language_label"), language),
      el("div", { class: "site-buttons" }, [copy, present])]),
    presenter, notice,
    el("p", { class: "site-note", id: "site-runs-here", text: t("site_runs_here") })]);
}

// ---- GAN ------------------------------------------------------------------------------------------------------

function ganTab() {
  const state = store.get();
  const seeds = el("input", { type: "text", id: "seeds", value: state.seeds, autocomplete: "off" });
  seeds.addEventListener("keydown", (event) => { if (event.key === "Enter") page.commitSeeds(seeds.value); });
  watchers.push((now, changed) => { if (changed.includes("seeds")) seeds.value = now.seeds; });
  const random = button("random-seeds", t("gan_random_seeds_button"));
  random.addEventListener("click", () => page.randomSeeds());
  const generate = button("generate", t("gan_generate_button"), true);
  generate.addEventListener("click", () => page.commitSeeds(seeds.value));

  const psi = range("psi", PSI_RANGE, 0.05, state.psi);
  const psiValue = el("output", { for: "psi", text: String(state.psi) });
  psi.addEventListener("input", () => page.set({ psi: Number(psi.value) }));
  watchers.push((now, changed) => {
    if (!changed.includes("psi")) return;
    if (Number(psi.value) !== now.psi) psi.value = String(now.psi);
    psiValue.textContent = String(now.psi);
  });

  const label = el("select", { id: "class" });
  label.addEventListener("change", () => page.set({ class: label.value }));
  const showClasses = (model) => {
    const classes = page.config.context.models[model]?.classes || [];
    label.replaceChildren(el("option", { value: "any", text: t("class_any") }),
                          ...classes.map((name) => el("option", { value: name, text: name })));
    label.disabled = !classes.length;
    label.value = store.get().class;
  };
  onModel.push(showClasses);
  watchers.push((now, changed) => { if (changed.includes("class")) label.value = now.class; });

  const size = radios("gan-size", SIZES.map((s) => [s, t(`gan_display_${s}`)]), page.settings.size);
  size.addEventListener("change", () => page.setSetting("size", radioValue(size)));

  const examples = el("div", { class: "site-examples", id: "gan-examples" });
  onModel.push((model) => {
    examples.replaceChildren(...(shell.galleryExamples[model] || []).map(([rowSeeds, rowPsi, rowClass]) => {
      const shown = rowClass === "any" ? t("class_any") : rowClass;
      const row = el("button", { type: "button", class: "genimg-button",
                                 text: `${rowSeeds} · ${rowPsi} · ${shown}` });
      row.addEventListener("click", () => page.example(rowSeeds, rowPsi, rowClass));
      return row;
    }));
  });

  const gallery = viewHost("gan-gallery");
  const controls = el("div", { class: "site-controls", id: "gan-controls" }, [
    field(t("gan_seeds_label"), seeds, t("gan_seeds_info")), el("div", { class: "site-buttons" }, [random, generate]),
    field(t("gan_psi_label"), el("span", { class: "site-range" }, [psi, psiValue]), t("gan_psi_info")),
    field(t("gan_class_label"), label, t("gan_class_info")),
    group(t("gan_display_label"), size), group(t("gan_examples_label"), examples)]);

  const seedA = el("input", { type: "number", id: "seed-a", min: "0", step: "1", value: String(state.a) });
  const seedB = el("input", { type: "number", id: "seed-b", min: "0", step: "1", value: String(state.b) });
  seedA.addEventListener("input", () => page.set({ a: seedA.value }));
  seedB.addEventListener("input", () => page.set({ b: seedB.value }));
  bind(seedA, "a");
  bind(seedB, "b");
  const frames = range("frames", FRAMES_RANGE, 1, page.settings.frames);
  const framesValue = el("output", { for: "frames", text: String(page.settings.frames) });
  frames.addEventListener("input", () => {
    framesValue.textContent = frames.value;
    page.setSetting("frames", Number(frames.value));
  });
  const scrub = range("interp-t", [0, 1], 0.01, state.t);
  scrub.addEventListener("input", () => page.set({ t: Number(scrub.value) }));
  watchers.push((now, changed) => {
    if (changed.includes("t") && Number(scrub.value) !== now.t) scrub.value = String(now.t);
  });

  const interpolation = viewHost("interp-live");
  const nearest = viewHost("gan-nearest");
  const directions = viewHost("gan-directions");
  const invert = viewHost("gan-invert");
  const recipe = viewHost("gan-recipe");
  const interpolationControls = el("div", { class: "site-inline" }, [
    field(t("gan_seed_a_label"), seedA), field(t("gan_seed_b_label"), seedB),
    field(t("gan_frames_label"), el("span", { class: "site-range" }, [frames, framesValue])),
    field(t("gan_interp_t_label"), scrub)]);
  const nearestHelp = el("p", { class: "genimg-help", text: t("gan_nearest_help") });
  return {
    mounts: [[gallery, "gallery"]],
    children: [
      el("div", { class: "site-row", id: "gan-row" }, [controls, el("div", { class: "site-results" }, [gallery])]),
      section("interp-live", t("gan_interpolate_accordion"), [interpolationControls, interpolation],
              [[interpolation, "interpolation"]], true),
      section("gan-nearest", t("gan_nearest_accordion"), [nearestHelp, nearest], [[nearest, "copying"]]),
      section("gan-directions", t("gan_directions_accordion"), [directions], [[directions, "directions"]]),
      section("gan-invert", t("gan_invert_accordion"), [markdownBlock(t("gan_invert_help_md")), invert],
              [[invert, "invert"]]),
      section("gan-recipe", t("gan_recipe_accordion"), [recipe], [[recipe, "recipe"]]),
    ],
  };
}

// ---- VAE ------------------------------------------------------------------------------------------------------

function vaeTab() {
  const help = el("div", { id: "vae-help", class: "genimg-help" });
  const picture = viewHost("vae-image");
  const seed = el("input", { type: "number", id: "vae-seed", min: "0", step: "1", value: "0" });
  const random = button("vae-random", t("vae_random_button"));
  random.addEventListener("click", () => page.vaeRandom(seed.value, store.get().prior));
  const prior = radios("vae-prior", [["learned", t("vae_prior_learned")], ["standard", t("vae_prior_standard")]],
                       store.get().prior);
  prior.addEventListener("change", () => page.set({ prior: radioValue(prior) }));
  watchers.push((now, changed) => { if (changed.includes("prior")) setRadio(prior, now.prior); });
  const zero = button("vae-zero", t("vae_reset_button"));
  zero.addEventListener("click", () => page.vaeZero());
  const fromUpload = button("vae-from-upload", t("vae_from_upload_button"));
  fromUpload.addEventListener("click", () => page.fromEncoded());
  const sliders = el("div", { id: "vae-sliders", class: "site-sliders" });
  let inputs = [];

  const order = () => page.vaeInfo(store.get().model)?.order || [];
  const showZ = (z) => slidersFromZ(order(), z, inputs.length).forEach((value, k) => {
    if (Number(inputs[k].value) !== value) inputs[k].value = String(value);
  });
  onModel.push((model) => {
    const info = page.config.context.models[model] || {};
    const labels = shell.vae[model]?.labels || [];
    help.replaceChildren(markdownBlock(info.vae ? shell.vae[model]?.help?.[store.get().lang] || ""
      : page.t("vae_missing", { model, available: page.modelsWith("vae").join(", ") })));
    inputs = info.vae ? labels.map((_, k) => range(`z-slider-${k}`, [-Z_LIMIT, Z_LIMIT], 0.01, 0)) : [];
    const slide = () => page.slide(store.get().model, ...inputs.map((input) => input.value)); // all of z at once
    inputs.forEach((input) => input.addEventListener("input", slide));
    sliders.replaceChildren(...inputs.map((input, k) => el("label", { class: "genimg-slider" }, [
      el("span", { text: labels[k] }), input])));
    prior.querySelector("input[value=learned]").disabled = !info.prior;
    setRadio(prior, store.get().prior);
    showZ(store.get().z);
  });
  watchers.push((now, changed) => { if (changed.includes("z")) showZ(now.z); });

  const dimX = el("select", { id: "dim-x" });
  const dimY = el("select", { id: "dim-y" });
  const showDims = () => {
    const options = () => order().map((d) => el("option", { value: String(d), text: `z${d}` }));
    dimX.replaceChildren(...options());
    dimY.replaceChildren(...options());
    [dimX.value, dimY.value] = page.settings.dims.map(String);
  };
  onModel.push(showDims);
  page.on("settings", (name) => { if (name === "dims") [dimX.value, dimY.value] = page.settings.dims.map(String); });
  for (const select of [dimX, dimY]) select.addEventListener("change", () => page.setDims(dimX.value, dimY.value));

  const traversal = viewHost("vae-traversal");
  const pad = viewHost("vae-pad");
  return {
    children: [
      help,
      el("div", { class: "site-row", id: "vae-row" }, [
        el("div", { class: "site-controls", id: "vae-picture-column" }, [
          picture, el("div", { class: "site-inline" }, [field(t("vae_seed_label"), seed), random]),
          group(t("vae_prior_label"), prior, t("vae_prior_info")),
          el("div", { class: "site-buttons" }, [zero, fromUpload])]),
        sliders]),
      section("vae-traversal", t("vae_traversal_accordion"), [traversal], [[traversal, "traversal"]]),
      section("vae-pad", t("vae_map_accordion"), [
        el("div", { class: "site-inline" }, [field(t("vae_dim_x_label"), dimX), field(t("vae_dim_y_label"), dimY)]),
        pad], [[pad, "vae-pad"]]),
    ],
    mounts: [[picture, "vae-picture"]],
  };
}

// ---- model card, How it works, Lab: texts loaded when the tab opens ---------------------------------------------

function figure(src, caption) {
  return el("figure", { class: "site-figure" }, [el("img", { src, alt: caption }),
                                                 el("figcaption", { text: caption })]);
}

function svgFigure(svg) {
  const holder = el("div", { class: "site-chart-holder" });
  holder.innerHTML = svg; // built by genimg/app/site.py from card.json's numbers, every text escaped there
  return holder;
}

async function showCards(element) {
  const model = store.get().model;
  const all = await texts();
  if (store.get().model !== model) return;
  const cards = all.models[model]?.cards || {};
  element.replaceChildren(...["gan", "vae"].map((kind) => {
    const card = cards[kind] || { markdown: "" };
    return el("div", { class: "site-card", id: `card-${kind}` }, [
      markdownBlock(card.markdown, { class: "card" }),
      ...(card.samples ? [figure(card.samples, t(`card_${kind}_samples_label`))] : []),
      ...(card.curves || []).map(svgFigure)]);
  }));
  element.dataset.state = model;
}

async function showHow(element) {
  const model = store.get().model;
  const all = await texts();
  if (store.get().model !== model) return;
  const how = all.how;
  const live = all.models[model] || {};
  const built = el("p", { class: "site-note", text: all.built });
  const d = live.discriminator || {};
  const kl = live.kl || {};
  const sections = {
    gan: [how.how_gan_theory_md, how.how_gan_live_md].map((md) => markdownBlock(md)).concat([
      el("div", { class: "site-columns", id: "how-discriminator" }, [
        ...(d.real ? [figure(d.real, t("how_real_image_label")), figure(d.fake, t("how_fake_image_label"))] : []),
        markdownBlock(d.markdown || "")]),
      el("p", { class: "site-note", text: d.note || all.built }),
      ...(live.cards?.gan?.curves || []).map(svgFigure), markdownBlock(how.how_gan_curves_md)]),
    vae: [markdownBlock(how.how_vae_theory_md), markdownBlock(how.how_kl_md),
          ...(kl.chart ? [svgFigure(kl.chart)] : []), markdownBlock(kl.summary || "", { id: "how-kl-text" }), built,
          ...(live.cards?.vae?.curves || []).map(svgFigure),
          markdownBlock(kl.numbers || "", { id: "how-vae-numbers" }), markdownBlock(how.how_vae_curves_md)],
    measure: [markdownBlock(how.how_measure_md)],
    pitfalls: [markdownBlock(how.how_pitfalls_md)],
    faq: [markdownBlock(how.how_faq_md)],
  };
  const panels = Object.entries(sections).map(([name, children]) => el("div", {
    class: "site-subpanel", id: `how-${name}`, role: "tabpanel", ...(name === "gan" ? {} : { hidden: "" }),
  }, children));
  const buttons = Object.keys(sections).map((name) => {
    const tab = el("button", { type: "button", role: "tab", class: "genimg-tab", id: `how-${name}-button`,
                               "aria-selected": String(name === "gan"), text: t(`how_section_${name}`) });
    tab.addEventListener("click", () => {
      buttons.forEach((b) => b.setAttribute("aria-selected", String(b === tab)));
      panels.forEach((panel) => { panel.hidden = panel.id !== `how-${name}`; });
    });
    return tab;
  });
  element.replaceChildren(markdownBlock(how.how_intro_md),
                          el("div", { class: "genimg-tabs", role: "tablist" }, buttons), ...panels);
  element.dataset.state = model;
}

// ---- the tabs -------------------------------------------------------------------------------------------------

function build(root) {
  const panels = {};
  const shown = new Set(); // tabs opened once: their views are mounted, their texts loaded
  const gan = ganTab();
  const vae = vaeTab();
  const encode = viewHost("encode-view");
  const cards = el("div", { class: "site-cards", id: "card-view" });
  const how = el("div", { id: "how-view" });
  const lab = viewHost("lab");
  const contents = {
    gan: gan.children, vae: vae.children, encode: [encode], card: [cards], how: [how],
    lab: [markdownBlock(t("lab_intro_md")), lab],
  };
  const others = {}; // a tab this shell has no layout for (the quiz): its view, named as the tab, fills it
  for (const tab of TABS.filter((name) => !(name in contents))) {
    others[tab] = viewHost(`${tab}-view`);
    contents[tab] = [others[tab]];
  }
  const onShow = {
    gan: () => gan.mounts.forEach(([element, name]) => page.mount(element, name)),
    vae: () => vae.mounts.forEach(([element, name]) => page.mount(element, name)),
    encode: () => page.mount(encode, "encode"),
    card: () => showCards(cards),
    how: () => showHow(how),
    lab: async () => { // the page's language's table under each language: whichever the lab picks, it is this one
      const table = (await texts()).lab;
      page.mount(lab, "lab", { strings: Object.fromEntries(Object.keys(shell.texts).map((lang) => [lang, table])) });
    },
  };
  const buttons = TABS.map((tab) => {
    const tabButton = el("button", { type: "button", role: "tab", id: `tab-${tab}-button`, class: "site-tab",
                                     "aria-controls": `tab-${tab}`, text: t(`${tab}_tab`) });
    tabButton.addEventListener("click", () => page.set({ tab }));
    panels[tab] = el("section", { id: `tab-${tab}`, role: "tabpanel", class: "site-panel", hidden: "" },
                     contents[tab] || []);
    return tabButton;
  });

  function showTab(tab) {
    buttons.forEach((b) => b.setAttribute("aria-selected", String(b.id === `tab-${tab}-button`)));
    Object.entries(panels).forEach(([name, panel]) => { panel.hidden = name !== tab; });
    if (!shown.has(tab)) {
      shown.add(tab);
      if (tab in others) page.mount(others[tab], tab).catch(() => others[tab].replaceChildren());
      else onShow[tab]?.();
      panels[tab].querySelectorAll("details.site-section").forEach((details) => details.mountViews());
    }
  }

  root.replaceChildren(top(), el("nav", { class: "site-tabs", role: "tablist" }, buttons), ...Object.values(panels),
                       el("footer", { class: "site-footer" }, [
                         el("p", { id: "site-usb", text: t("site_usb") }),
                         el("p", { text: `genimg ${shell.version}` })]));
  onModel.forEach((follow) => follow(store.get().model));
  showTab(store.get().tab);
  store.subscribe((state, changed) => {
    if (changed.includes("model")) {
      onModel.forEach((follow) => follow(state.model));
      if (shown.has("card")) showCards(cards);
      if (shown.has("how")) showHow(how);
    }
    watchers.forEach((watch) => watch(state, changed));
    if (changed.includes("tab")) showTab(state.tab);
  });
}

document.documentElement.lang = store.get().lang === "zh" ? "zh-CN" : "en";
document.title = t("site_title");
build(document.getElementById("genimg-site"));
window.genimg.site = { ready: true };
