// The Lab tab's page: controls, canvases and the animation loop over window.genimg.lab. mount(element,
// strings) builds it inside `element` (a gr.HTML); strings = {en: {...}, zh: {...}} from the locale files,
// picked by the browser's language as the rest of the app is. Training happens between frames: each
// frame spends at most TRAIN_MS on steps, then draws, so the picture stays above 20 frames per second.
// Nothing here talks to the server.

import { COLORS, drawCodes, drawCurves, drawDecoded, drawGan } from "./draw.js";

const TRAIN_MS = { gan: 24, vae: 30 }; // training time per animation frame
const QUALITY_EVERY_MS = 1000; // klGrid / held-out loss: recomputed once a second while playing
const CURVE_POINTS = 400; // loss curves keep at most this many points (averaged)

function pickStrings(strings) {
  // the page's language (its switch and link), else the browser's
  const language = window.genimg?.page?.store.get().lang
    ?? ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en");
  const table = strings[language] || strings.en || {};
  return (key, values = {}) => (table[key] ?? strings.en?.[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => values[k]);
}

/** A tiny element helper: el("button", {id, class, text, title}, children). */
function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  children.forEach((child) => node.appendChild(child));
  return node;
}

function field(label, input) {
  return el("label", { class: "lab-field" }, [el("span", { text: label }), input]);
}

function select(id, options, value) {
  const node = el("select", { id });
  options.forEach(([v, text]) => node.appendChild(el("option", { value: v, text })));
  node.value = value;
  return node;
}

function number(id, value, step, min, max) {
  return el("input", { id, type: "number", value: String(value), step: String(step), min: String(min),
                       max: String(max) });
}

/** Averages a long series down to at most `n` points, so a curve draws in constant time. */
function thin(values, n = CURVE_POINTS) {
  if (values.length <= n) return values;
  const out = [];
  const per = values.length / n;
  for (let i = 0; i < n; i++) {
    const part = values.slice(Math.floor(i * per), Math.floor((i + 1) * per));
    out.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  return out;
}

export function mount(root, strings) {
  const lab = window.genimg.lab;
  const t = pickStrings(strings);
  const state = {
    kind: "gan", run: null, playing: false, drawn: [], drawing: false, preset: null,
    stats: { fps: 0, stepsPerSecond: 0, frames: 0, lastQuality: 0, quality: null, trainMs: 0 },
  };
  lab.ui = state; // for tests and benchmarks: the run on screen and its frame / step rates

  // ---- layout ----
  const presetBar = el("div", { class: "lab-presets" });
  lab.presets.forEach((p) => presetBar.appendChild(el("button", { class: "lab-preset", "data-preset": p.id,
                                                                  text: t(`lab_preset_${p.id}_title`) })));
  const lesson = el("div", { class: "lab-lesson", id: "lab-lesson" });
  const kindGan = el("button", { id: "lab-kind-gan", class: "lab-kind", text: t("lab_kind_gan") });
  const kindVae = el("button", { id: "lab-kind-vae", class: "lab-kind", text: t("lab_kind_vae") });
  const play = el("button", { id: "lab-play", class: "lab-primary", text: t("lab_play") });
  const stepButton = el("button", { id: "lab-step", text: t("lab_step") });
  const reset = el("button", { id: "lab-reset", text: t("lab_reset") });
  const seed = number("lab-seed", 0, 1, 0, 4294967295);
  const stats = el("div", { id: "lab-stats", class: "lab-stats" });
  const message = el("div", { id: "lab-message", class: "lab-message" });

  const data = select("lab-data", [...lab.datasets.gan.map((d) => [d, t(`lab_data_${d}`)]),
                                   ["drawn", t("lab_data_drawn")]], "ring");
  const lrG = number("lab-lrG", lab.options.gan.lrG.default, 0.01, 0.0001, 10);
  const lrD = number("lab-lrD", lab.options.gan.lrD.default, 0.01, 0.0001, 10);
  const dSteps = number("lab-dsteps", 1, 1, 1, 10);
  const loss = select("lab-loss", [["nonsaturating", t("lab_loss_nonsaturating")], ["minimax", t("lab_loss_minimax")]],
                      "nonsaturating");
  const clearDrawn = el("button", { id: "lab-clear", text: t("lab_clear_points") });
  const show = {};
  const toggles = el("div", { class: "lab-toggles" });
  for (const name of ["heat", "grid", "real", "fake", "arrows"]) {
    const box = el("input", { type: "checkbox", id: `lab-show-${name}` });
    box.checked = true;
    show[name] = box;
    toggles.appendChild(el("label", {}, [box, el("span", { text: t(`lab_show_${name}`) })]));
  }
  const beta = el("input", { id: "lab-beta", type: "range", min: "0", max: "50", step: "0.5", value: "1" });
  const betaValue = el("span", { id: "lab-beta-value", text: "1.0" });
  const lrVae = number("lab-lr", lab.options.vae.lr.default, 0.0005, 0.0001, 1);

  const ganControls = el("div", { class: "lab-controls", id: "lab-gan-controls" }, [
    field(t("lab_data"), data), field(t("lab_lr_g"), lrG), field(t("lab_lr_d"), lrD), field(t("lab_d_steps"), dSteps),
    field(t("lab_loss"), loss), clearDrawn, toggles]);
  const vaeControls = el("div", { class: "lab-controls", id: "lab-vae-controls" }, [
    field(t("lab_beta"), el("span", {}, [beta, betaValue])), field(t("lab_lr"), lrVae)]);
  // pictures for the eye; for a screen reader each says what it shows and at which step (set as it is drawn)
  const main = el("canvas", { id: "lab-canvas", class: "lab-canvas", role: "img" });
  const decoded = el("canvas", { id: "lab-decoded", class: "lab-canvas", role: "img" });
  const curves = el("canvas", { id: "lab-curves", class: "lab-curves", role: "img" });
  const caption = el("div", { class: "lab-caption", id: "lab-caption" });
  const pictures = el("div", { class: "lab-pictures" }, [main, decoded]);
  root.replaceChildren(el("div", { class: "genimg-lab" }, [
    el("div", { class: "lab-row" }, [kindGan, kindVae, el("span", { class: "lab-spacer" }), play, stepButton, reset,
                                     field(t("lab_seed"), seed)]),
    el("div", { class: "lab-presets-row" }, [el("span", { class: "lab-presets-label", text: t("lab_lessons") }),
                                             presetBar]),
    lesson,
    el("div", { class: "lab-body" }, [el("div", { class: "lab-left" }, [pictures, caption]),
                                      el("div", { class: "lab-right" }, [ganControls, vaeControls, stats, message,
                                                                         curves])]),
  ]));

  // ---- runs ----
  function options() {
    const common = { kind: state.kind, seed: Number(seed.value) };
    if (state.kind === "vae") return { ...common, beta: Number(beta.value), lr: Number(lrVae.value) };
    const chosen = data.value === "drawn" ? { points: state.drawn } : data.value;
    return { ...common, data: chosen, lrG: Number(lrG.value), lrD: Number(lrD.value), dSteps: Number(dSteps.value),
             loss: loss.value };
  }

  async function restart() {
    const wasPlaying = state.playing;
    setPlaying(false);
    message.textContent = "";
    if (state.run) state.run.dispose();
    state.run = null;
    if (state.kind === "gan" && data.value === "drawn" && state.drawn.length < 3) {
      message.textContent = t("lab_draw_hint");
      draw();
      return;
    }
    try {
      state.run = await lab.create(options());
    } catch (error) {
      message.textContent = error.key ? t(error.key, error.fields) : error.message;
      return;
    }
    state.stats.quality = state.run.quality();
    draw();
    if (wasPlaying) setPlaying(true);
  }

  function setKind(kind) {
    state.kind = kind;
    kindGan.classList.toggle("lab-on", kind === "gan");
    kindVae.classList.toggle("lab-on", kind === "vae");
    ganControls.style.display = kind === "gan" ? "" : "none";
    vaeControls.style.display = kind === "vae" ? "" : "none";
    decoded.style.display = kind === "vae" ? "" : "none";
    caption.textContent = t(kind === "gan" ? "lab_caption_gan" : "lab_caption_vae");
    label([]);
  }

  function setPlaying(on) {
    state.playing = on && Boolean(state.run);
    play.textContent = t(state.playing ? "lab_pause" : "lab_play");
    play.classList.toggle("lab-on", state.playing);
  }

  /** Loads a preset: its kind, the defaults plus its options (seed 0), a fresh run, playing. */
  async function loadPreset(id) {
    const preset = lab.presets.find((p) => p.id === id);
    const defaults = Object.fromEntries(Object.entries(lab.options[preset.kind]).map(([k, v]) => [k, v.default]));
    const settings = { ...defaults, ...preset.options };
    setKind(preset.kind);
    seed.value = "0";
    if (preset.kind === "gan") {
      data.value = settings.data;
      lrG.value = settings.lrG; lrD.value = settings.lrD; dSteps.value = settings.dSteps; loss.value = settings.loss;
    } else {
      beta.value = settings.beta; betaValue.textContent = Number(settings.beta).toFixed(1); lrVae.value = settings.lr;
    }
    state.preset = id;
    window.genimg.page?.set({ lesson: id }); // the lesson is in the page's link
    presetBar.querySelectorAll("button").forEach((b) => b.classList.toggle("lab-on", b.dataset.preset === id));
    lesson.innerHTML = "";
    lesson.appendChild(el("strong", { text: t(`lab_preset_${id}_title`) }));
    lesson.appendChild(el("p", { text: t(`lab_preset_${id}_md`) }));
    await restart();
    setPlaying(true);
  }

  // ---- drawing ----
  function sizes() {
    const width = root.clientWidth || 800;
    const narrow = width < 700;
    const pictures = state.kind === "vae" ? 2 : 1; // the VAE shows codes and decoded grid side by side
    const picture = narrow ? Math.min(width - 8, 420)
      : Math.min(440, Math.floor(width / (pictures + 1)) - 16);
    return { picture, curvesWidth: narrow ? width - 8 : Math.max(240, width - pictures * (picture + 8) - 40) };
  }

  /** The canvases' labels: what each shows, at this step or epoch, with the curves' last values. */
  function label(series) {
    const run = state.run && state.run.kind === state.kind ? state.run : null;
    const when = state.kind === "gan" ? { step: run ? run.steps : 0 } : { epoch: run ? run.model.epoch.toFixed(1) : 0 };
    main.setAttribute("aria-label", t(state.kind === "gan" ? "lab_points_label" : "lab_codes_label", when));
    decoded.setAttribute("aria-label", t("lab_decoded_label", when));
    const last = series.filter((s) => s.values.length)
      .map((s) => `${s.label} ${s.values[s.values.length - 1].toFixed(3)}`).join(", ");
    curves.setAttribute("aria-label", t("lab_curves_label", { series: last || "-" }));
  }

  function draw(withCurves = true) {
    const { picture, curvesWidth } = sizes();
    const run = state.run;
    const history = run ? run.history : [];
    let series = null;
    if (state.kind === "gan") {
      const view = run ? run.view() : { real: new Float32Array(state.drawn.flat()), fake: new Float32Array(0),
                                        push: new Float32Array(0), heat: null, grid: null };
      drawGan(main, view, picture, { heat: show.heat.checked && !!view.heat, grid: show.grid.checked && !!view.grid,
                                     real: show.real.checked, fake: show.fake.checked,
                                     arrows: show.arrows.checked });
      series = () => [
        { values: thin(history.map((h) => h.dLoss)), color: COLORS.dLoss, label: t("lab_curve_d") },
        { values: thin(history.map((h) => h.gLoss)), color: COLORS.gLoss, label: t("lab_curve_g") },
      ];
    } else if (run) {
      const view = run.view();
      drawCodes(main, view, picture);
      drawDecoded(decoded, view, picture);
      series = () => [
        { values: thin(history.map((h) => h.loss)), color: COLORS.loss, label: t("lab_curve_loss") },
        { values: thin(history.map((h) => h.recon)), color: COLORS.recon, label: t("lab_curve_recon") },
        { values: thin(history.map((h) => h.kl)), color: COLORS.kl, label: t("lab_curve_kl") },
      ];
    }
    if (withCurves && series) { // the curves change slowly: not every frame
      const lines = series();
      drawCurves(curves, lines, curvesWidth, 150, t("lab_curves_title"));
      label(lines);
    }
    showStats();
  }

  function showStats() {
    const run = state.run;
    if (!run) { stats.textContent = ""; return; }
    const q = state.stats.quality;
    const last = run.history[run.history.length - 1];
    const rate = t("lab_stat_rate", { steps: state.stats.stepsPerSecond.toFixed(0), fps: state.stats.fps.toFixed(0) });
    if (run.kind === "gan") {
      stats.textContent = `${t("lab_stat_step", { step: run.steps })} · klGrid ${q ? q.klGrid.toFixed(3) : "-"} · ` +
        `D ${last ? last.dLoss.toFixed(3) : "-"} · G ${last ? last.gLoss.toFixed(3) : "-"} · ${rate}`;
      if (run.model.diverged) message.textContent = t("lab_diverged");
    } else {
      stats.textContent = `${t("lab_stat_epoch", { epoch: run.model.epoch.toFixed(1) })} · ` +
        `${t("lab_stat_heldout", { loss: q ? q.heldOutLoss.toFixed(1) : "-" })} · ` +
        `${t("lab_curve_recon")} ${q ? q.recon.toFixed(1) : "-"} · ${t("lab_curve_kl")} ${q ? q.kl.toFixed(2) : "-"} · ` +
        rate;
    }
  }

  // ---- the loop: train for a slice of each frame, then draw ----
  let lastFrame = performance.now();
  let windowStart = lastFrame;
  let windowFrames = 0;
  let windowSteps = 0;
  function frame(now) {
    if (!root.isConnected) return; // the tab was removed: stop
    if (state.playing && state.run && root.offsetParent !== null) {
      const model = state.run.model;
      const start = performance.now();
      let steps = 0;
      while (performance.now() - start < TRAIN_MS[state.kind] && !(model.diverged)) {
        model.step(1);
        steps += 1;
      }
      if (model.diverged) setPlaying(false);
      windowSteps += steps;
      if (now - state.stats.lastQuality > QUALITY_EVERY_MS) {
        state.stats.quality = state.run.quality();
        state.stats.lastQuality = now;
      }
      const drawStart = performance.now();
      draw(state.stats.frames % 4 === 0); // the curves change slowly: every 4th frame
      state.stats.drawMs = performance.now() - drawStart;
      state.stats.trainMs = drawStart - start;
      windowFrames += 1;
      state.stats.frames += 1;
    }
    if (now - windowStart > 1000) {
      state.stats.fps = windowFrames * 1000 / (now - windowStart);
      state.stats.stepsPerSecond = windowSteps * 1000 / (now - windowStart);
      [windowStart, windowFrames, windowSteps] = [now, 0, 0];
    }
    lastFrame = now;
    requestAnimationFrame(frame);
  }

  // ---- events ----
  kindGan.addEventListener("click", () => { setKind("gan"); restart(); });
  kindVae.addEventListener("click", () => { setKind("vae"); restart(); });
  play.addEventListener("click", () => setPlaying(!state.playing));
  stepButton.addEventListener("click", async () => {
    if (!state.run) return;
    setPlaying(false);
    await state.run.step(1);
    state.stats.quality = state.run.quality();
    draw();
  });
  reset.addEventListener("click", () => restart());
  seed.addEventListener("change", () => restart());
  data.addEventListener("change", () => restart());
  for (const [input, name] of [[lrG, "lrG"], [lrD, "lrD"], [dSteps, "dSteps"], [loss, "loss"], [lrVae, "lr"]]) {
    input.addEventListener("change", () => {
      if (!state.run) return;
      try {
        state.run.configure({ [name]: input.type === "number" ? Number(input.value) : input.value });
        message.textContent = "";
      } catch (error) { // said in the page's language; the field shows again the value training goes on with
        message.textContent = error.key ? t(error.key, error.fields) : error.message;
        input.value = String(state.run.options[name]);
      }
    });
  }
  beta.addEventListener("input", () => {
    betaValue.textContent = Number(beta.value).toFixed(1);
    if (state.run && state.kind === "vae") state.run.configure({ beta: Number(beta.value) });
  });
  Object.values(show).forEach((box) => box.addEventListener("change", draw));
  presetBar.addEventListener("click", (event) => {
    const id = event.target.dataset?.preset;
    if (id) loadPreset(id);
  });
  clearDrawn.addEventListener("click", () => { state.drawn = []; data.value = "drawn"; restart(); });
  // Drawing your own data: with "drawn points" chosen, click or drag on the picture to add points.
  const pointAt = (event) => {
    const box = main.getBoundingClientRect();
    const x = (event.clientX - box.left) / box.width * 2 - 1;
    const y = 1 - (event.clientY - box.top) / box.height * 2;
    if (Math.abs(x) <= 1 && Math.abs(y) <= 1) state.drawn.push([x, y]);
  };
  main.addEventListener("pointerdown", (event) => {
    if (state.kind !== "gan" || data.value !== "drawn") return;
    state.drawing = true;
    setPlaying(false);
    pointAt(event);
    draw();
  });
  main.addEventListener("pointermove", (event) => {
    if (state.drawing) { pointAt(event); draw(); }
  });
  window.addEventListener("pointerup", () => {
    if (state.drawing) { state.drawing = false; restart(); }
  });
  window.addEventListener("resize", () => draw());

  setKind("gan");
  lesson.textContent = t("lab_intro");
  const ready = restart();
  requestAnimationFrame(frame);
  // A link that names a lesson opens it when the Lab is on screen.
  const store = window.genimg.page?.store;
  const openLinked = (page) => {
    if (page.tab === "lab" && page.lesson && page.lesson !== state.preset) ready.then(() => loadPreset(page.lesson));
  };
  if (store) {
    openLinked(store.get());
    store.subscribe((page, changed) => { if (changed.includes("tab") || changed.includes("lesson")) openLinked(page); });
  }
  return { state, loadPreset, restart, ready };
}
