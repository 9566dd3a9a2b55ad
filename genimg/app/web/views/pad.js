// The latent pad: a MAP_STEPS x MAP_STEPS grid decoded over two chosen dimensions (the others from the state's z),
// the test split's posterior means drawn on it by label, and a cross at z. A click or drag sets the two dimensions
// of z (so the sliders and the picture follow); arrow keys move the cross a tenth of a unit. Browser only.

import { MAP_STEPS, Z_LIMIT } from "../limits.js";
import { drawGrid, el, factorFor, latestWins } from "./draw.js";

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                "#17becf"]; // matplotlib's tab10, as the server's charts
const SIDE = 440; // CSS pixels at most; the canvas is square

export function mount(element, page, host = element) {
  const { store, t } = page;
  const canvas = el("canvas", { class: "genimg-pad", tabindex: "0", role: "img", width: "400", height: "400",
                                 "aria-label": t("live_pad_title") }); // then what it shows, as it is drawn
  const message = el("p", { class: "genimg-message", role: "status" });
  element.replaceChildren(el("div", { class: "genimg-view genimg-pad-view" }, [
    el("p", { class: "genimg-title", text: t("live_pad_title") }), canvas, message]));
  let drawn = null; // {model, dims, rest, map, points}
  const pointsByModel = new Map();

  async function testPoints(model) {
    const url = page.vaeInfo(model)?.points;
    if (!url) return null;
    if (!pointsByModel.has(model)) {
      pointsByModel.set(model, fetch(url).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    return pointsByModel.get(model); // {mu: [N][zDim], labels: [N]}
  }

  const dims = () => page.settings.dims;
  /** z with the pad's two dimensions left out: the map changes only when this does. */
  const restKey = (state) => state.z.map((v, d) => (dims().includes(d) ? "*" : v)).join(",");

  const decodeMap = latestWins(async (g, state, [dimX, dimY]) => {
    const steps = Array.from({ length: MAP_STEPS }, (_, k) => -Z_LIMIT + (2 * Z_LIMIT * k) / (MAP_STEPS - 1));
    const zs = [];
    for (const y of steps) for (const x of steps) { const z = [...state.z]; z[dimX] = x; z[dimY] = y; zs.push(z); }
    return g.decodeMany(state.model, zs); // [MAP_STEPS^2], row-major: y down, x across
  });

  function drawCross() {
    if (!drawn) return;
    const state = store.get();
    const [dimX, dimY] = drawn.dims;
    drawGrid(canvas, drawn.map, MAP_STEPS, factorFor(drawn.map[0].width * MAP_STEPS, SIDE), 0);
    const context = canvas.getContext("2d");
    const toPixel = (value, size) => ((value + Z_LIMIT) / (2 * Z_LIMIT)) * size;
    if (drawn.points) {
      drawn.points.mu.forEach((mu, i) => {
        context.fillStyle = COLORS[drawn.points.labels[i] % COLORS.length];
        context.fillRect(toPixel(mu[dimX], canvas.width) - 1.5, toPixel(mu[dimY], canvas.height) - 1.5, 3, 3);
      });
    }
    const [x, y] = [toPixel(state.z[dimX], canvas.width), toPixel(state.z[dimY], canvas.height)];
    context.strokeStyle = "#e0218a";
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(x - 9, y); context.lineTo(x + 9, y); context.moveTo(x, y - 9); context.lineTo(x, y + 9);
    context.stroke();
    canvas.setAttribute("aria-label", t("page_pad_label", { x: dimX, y: dimY, vx: state.z[dimX].toFixed(2),
                                                           vy: state.z[dimY].toFixed(2) }));
    host.dataset.state = `${state.model}|${state.z.join(",")}|${dimX},${dimY}`;
  }

  function clear(text = "") {
    drawn = null;
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    delete host.dataset.state;
    message.textContent = text;
  }

  async function update() {
    const state = store.get();
    if (drawn && drawn.model !== state.model) clear(); // never another model's map
    const g = await page.runtime();
    const [dimX, dimY] = dims();
    if (!g || !g.model(state.model, "vae") || dimX === dimY ||
        dimX >= state.z.length || dimY >= state.z.length) {
      clear(g ? "" : t("page_needs_runtime"));
      return;
    }
    const key = `${state.model}|${dimX},${dimY}|${restKey(state)}`;
    try {
      if (!drawn || drawn.key !== key) {
        const map = await decodeMap(g, state, [dimX, dimY]);
        const points = await testPoints(state.model);
        const now = store.get();
        if (!map || `${now.model}|${dims().join(",")}|${restKey(now)}` !== key) return;
        drawn = { key, model: state.model, dims: [dimX, dimY], map, points };
      }
      message.textContent = "";
      drawCross();
    } catch (error) {
      if (store.get().model === state.model) clear(error.message);
    }
  }

  /** A point on the pad (fractions of its size) -> the two dimensions of z, rounded to hundredths. */
  function pointTo(fx, fy) {
    if (!drawn) return;
    const clip = (v) => Math.round(Math.max(-Z_LIMIT, Math.min(Z_LIMIT, v)) * 100) / 100;
    const z = store.get().z;
    z[drawn.dims[0]] = clip(-Z_LIMIT + 2 * Z_LIMIT * Math.max(0, Math.min(1, fx)));
    z[drawn.dims[1]] = clip(-Z_LIMIT + 2 * Z_LIMIT * Math.max(0, Math.min(1, fy)));
    page.set({ z });
    page.sync();
  }

  const pointer = (event) => {
    const box = canvas.getBoundingClientRect();
    pointTo((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  };
  canvas.addEventListener("pointerdown", (event) => { canvas.setPointerCapture(event.pointerId); pointer(event); });
  canvas.addEventListener("pointermove", (event) => { if (event.buttons) pointer(event); });
  canvas.addEventListener("keydown", (event) => {
    const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
    if (!move || !drawn) return;
    event.preventDefault();
    const step = event.shiftKey ? 0.01 : 0.1;
    const z = store.get().z;
    const f = (v) => (v + Z_LIMIT) / (2 * Z_LIMIT);
    pointTo(f(z[drawn.dims[0]] + move[0] * step), f(z[drawn.dims[1]] + move[1] * step));
  });
  page.on("settings", update);
  store.subscribe((state, changed) => {
    if (changed.includes("model") || changed.includes("z")) update();
  });
  update();
}
