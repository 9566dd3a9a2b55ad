// The page's live interactions, on window.genimg: what the tabs' `js=` event hooks call (genimg/app/tabs/live.py)
// while a hand moves a slider, so nothing goes to the server. One job: turn slider values into pictures on the
// page. Every function here answers "not live" (null) when the runtime is not ready; the hooks then let the
// server do it, as before. Reads its config from <script type="application/json" id="genimg-live-config">.

const config = JSON.parse(document.getElementById("genimg-live-config").textContent);

/** window.genimg once it is ready (runtime + default model), else null: the caller uses the server. */
function live(kind, model) {
  const g = window.genimg;
  if (!g || g.status !== "ready") return null;
  return g.models().some((m) => m.model === model && m.kind === kind) ? g : null;
}

/** "loading" | "ready" | "failed", for the page's one notice. */
function status() {
  if (window.genimgLoadError) return "failed";
  return window.genimg ? window.genimg.status : "loading";
}

/** Latest-wins: while one call runs, later calls only leave their arguments; the running one picks up the newest.
 * Dragging fires more input events than a slow machine can draw, and a stale picture is worth nothing. */
function latestWins(work) {
  let running = false;
  let next = null;
  return async (...args) => {
    next = args;
    if (running) return null; // the running call will draw these arguments (or newer ones)
    running = true;
    let result = null;
    try {
      while (next) {
        const current = next;
        next = null;
        result = await work(...current);
      }
    } finally {
      running = false;
    }
    return result;
  };
}

/** {width, height, channels, data} -> ImageData (RGBA) at the image's own size. */
function toImageData(image) {
  const { width, height, channels, data } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = data[p * channels];
    rgba[4 * p + 1] = data[p * channels + (channels === 3 ? 1 : 0)];
    rgba[4 * p + 2] = data[p * channels + (channels === 3 ? 2 : 0)];
    rgba[4 * p + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}

const scratch = document.createElement("canvas"); // native-size staging canvas for drawImage's upscaling

/** Draws images into a canvas as a grid, each upscaled by an integer factor with crisp pixels. */
function drawGrid(canvas, images, columns, factor, gap = 2) {
  const { width, height } = images[0];
  const rows = Math.ceil(images.length / columns);
  const cell = [width * factor + gap, height * factor + gap];
  canvas.width = Math.min(images.length, columns) * cell[0] - gap;
  canvas.height = rows * cell[1] - gap;
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = false;
  scratch.width = width;
  scratch.height = height;
  const staging = scratch.getContext("2d");
  images.forEach((image, i) => {
    staging.putImageData(toImageData(image), 0, 0);
    context.drawImage(scratch, (i % columns) * cell[0], Math.floor(i / columns) * cell[1], width * factor,
                      height * factor);
  });
}

/** The factor genimg.images.upscale uses: the largest integer with size * factor <= side. */
function factorFor(size, side) {
  return Math.max(1, Math.floor(side / size));
}

// ---- VAE tab: sliders -> picture ------------------------------------------------------------------------

/** Slider values (slider order) -> z in dimension order, as VaeTab.z_from_sliders. */
function zFromSliders(model, zDim, values) {
  const order = config.vae[model].order;
  const z = new Array(zDim).fill(0);
  for (let k = 0; k < zDim; k++) z[order[k]] = Math.fround(Number(values[k]) || 0);
  return z;
}

/** One decoded image into #vae-image's canvas, upscaled as the server does; takes a drawing ticket, so a server
 * picture still loading (live.py's SHOW_SERVER_PICTURE_JS) does not overwrite it. */
function drawPicture(image) {
  const box = document.getElementById("vae-image");
  if (!box) return;
  box.genimgTicket = (box.genimgTicket || 0) + 1;
  drawGrid(box.querySelector("canvas"), [image], 1, factorFor(Math.max(image.width, image.height), config.vaeSide), 0);
  box.dataset.frames = Number(box.dataset.frames || 0) + 1; // how many pictures drawn (tests and benchmarks wait on it)
}

const decodeLatest = latestWins(async (g, model, z) => g.decode(model, z));

/** The sliders' input hook: draws the picture, returns [null, z] for (the server's hidden picture, the z JSON) -
 * null, so the server's next picture is a change even when it equals its last one - [] to leave them (a newer
 * event draws), or null when the runtime is not live (the hook then asks the server). */
async function vaeSlide(model, values) {
  const g = live("vae", model);
  if (!g || !config.vae[model]) return null;
  const zDim = g.models().find((m) => m.model === model && m.kind === "vae").zDim;
  const z = zFromSliders(model, zDim, values);
  const image = await decodeLatest(g, model, z);
  if (!image) return [];
  drawPicture(image);
  return [null, z.map((v) => Math.round(v * 1e4) / 1e4)];
}

// ---- VAE tab: the latent pad (decoded map + test-split means; click or drag sets two dimensions) ----------

const pad = { model: null, dimX: 0, dimY: 1, z: null, map: null, points: null };
const MAP_STEPS = 10; // as VaeTab.latent_map
const Z_LIMIT = 3;
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                "#17becf"]; // matplotlib's tab10, as the server's scatter

async function testPoints(model) {
  const url = config.vae[model].points;
  if (!url) return null;
  const response = await fetch(url);
  return response.ok ? response.json() : null; // {mu: [[...], ...] (N, zDim), labels: [...]}
}

/** Draws the pad: the 10x10 decoded map over (dimX, dimY), the test split's means on it, and a cross at z. */
function drawPad() {
  const canvas = document.querySelector("#vae-pad canvas");
  if (!canvas || !pad.map) return;
  drawGrid(canvas, pad.map, MAP_STEPS, factorFor(pad.map[0].width * MAP_STEPS, 440) , 0);
  const context = canvas.getContext("2d");
  const toPixel = (value, size) => ((value + Z_LIMIT) / (2 * Z_LIMIT)) * size;
  if (pad.points) {
    pad.points.mu.forEach((mu, i) => {
      context.fillStyle = COLORS[pad.points.labels[i] % COLORS.length];
      context.fillRect(toPixel(mu[pad.dimX], canvas.width) - 1.5, toPixel(mu[pad.dimY], canvas.height) - 1.5, 3, 3);
    });
  }
  const [x, y] = [toPixel(pad.z[pad.dimX], canvas.width), toPixel(pad.z[pad.dimY], canvas.height)];
  context.strokeStyle = "#e0218a";
  context.lineWidth = 2;
  context.beginPath();
  context.moveTo(x - 9, y); context.lineTo(x + 9, y); context.moveTo(x, y - 9); context.lineTo(x, y + 9);
  context.stroke();
}

/** "Draw map" and the dimension pickers: decode the map in the browser (the server draws its own too). */
async function padMap(model, dimX, dimY, z) {
  const g = live("vae", model);
  if (!g || !config.vae[model] || dimX === dimY || !Array.isArray(z)) return null;
  const steps = Array.from({ length: MAP_STEPS }, (_, k) => -Z_LIMIT + (2 * Z_LIMIT * k) / (MAP_STEPS - 1));
  const zs = [];
  for (const y of steps) for (const x of steps) { const c = [...z]; c[dimX] = x; c[dimY] = y; zs.push(c); }
  const map = await g.decodeMany(model, zs); // [100], row-major: y down, x across
  const points = pad.model === model && pad.points ? pad.points : await testPoints(model);
  Object.assign(pad, { model, dimX, dimY, z: [...z], map, points });
  drawPad();
  return true;
}

/** A point on the pad (fractions of its width and height) -> the two dimensions' values, and the sliders follow:
 * [...slider values, image, z] for the pad's input hook, or null when not live. */
async function padSlide(model, values, point) {
  const g = live("vae", model);
  if (!g || pad.model !== model || !point) return null;
  const order = config.vae[model].order;
  const clip = (v) => Math.round(Math.max(-Z_LIMIT, Math.min(Z_LIMIT, v)) * 100) / 100;
  const sliders = values.map(Number);
  sliders[order.indexOf(pad.dimX)] = clip(-Z_LIMIT + 2 * Z_LIMIT * point.x);
  sliders[order.indexOf(pad.dimY)] = clip(-Z_LIMIT + 2 * Z_LIMIT * point.y);
  const drawn = await vaeSlide(model, sliders);
  if (!drawn || !drawn.length) return drawn;
  pad.z = drawn[1];
  drawPad();
  return [...sliders, ...drawn];
}

// ---- GAN tab: psi / class on the current seeds, and the interpolation scrubber ---------------------------

/** '0-3,42' -> [0, 1, 2, 3, 42] as genimg.sampling.parse_seeds, or null when the text is not a seed list. */
function parseSeeds(text, limit) {
  if (typeof text !== "string" || !text.trim()) return null;
  const seeds = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!match) return null;
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    if (end < start || end > 4294967295 || seeds.length + end - start + 1 > limit) return null;
    for (let s = start; s <= end; s++) seeds.push(s);
  }
  return seeds;
}

const generateLatest = latestWins(async (g, model, seeds, psi, label) => g.generate(model, seeds, psi, label));

/** psi or class changed: the current seeds re-rendered into #gan-live's canvas (the gallery stays the server's). */
async function ganRender(model, seedsText, psi, label) {
  const g = live("gan", model);
  const box = document.getElementById("gan-live");
  if (!g || !box) return null;
  const seeds = parseSeeds(seedsText, config.maxImages);
  if (!seeds) return null; // the server's Generate says what is wrong with the text
  const images = await generateLatest(g, model, seeds, psi, label);
  if (!images) return [];
  const columns = Math.min(8, images.length);
  drawGrid(box.querySelector("canvas"), images, columns, factorFor(images[0].width, config.gallerySide / 2));
  box.querySelector(".genimg-live-caption").textContent = `psi ${Number(psi).toFixed(2)} · ${label} · ` +
    `${seeds.length} seed${seeds.length === 1 ? "" : "s"}`;
  box.classList.add("genimg-live-on");
  box.dataset.frames = Number(box.dataset.frames || 0) + 1; // how many grids drawn (tests and benchmarks wait on it)
  return [];
}

/** Spherical interpolation, as genimg.sampling.slerp (float64, lerp when the two are parallel). */
function slerp(a, b, t) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  const omega = Math.acos(Math.max(-1, Math.min(1, dot / (Math.sqrt(na) * Math.sqrt(nb) + 1e-12))));
  if (omega < 1e-6) return Array.from(a, (v, i) => (1 - t) * v + t * b[i]);
  const s = Math.sin(omega);
  return Array.from(a, (v, i) => (Math.sin((1 - t) * omega) * v + Math.sin(t * omega) * b[i]) / s);
}

const frameLatest = latestWins(async (g, model, z, labels) => g.generateFromLatents(model, [z], labels));

/** The scrubber: frame t of seed A -> seed B (with class 'any', seed A's class, as the GIF) into #interp-live. */
async function interpolate(model, seedA, seedB, t, psi, label) {
  const g = live("gan", model);
  const box = document.getElementById("interp-live");
  if (!g || !box) return null;
  const entry = g.models().find((m) => m.model === model && m.kind === "gan");
  // float32 latents, as genimg.sampling.latent_from_seed returns them; slerp itself runs in float64
  const [a, b] = [seedA, seedB].map((s) => Array.from(g.latentFromSeed(s, entry.zDim), Math.fround));
  const scale = Math.fround(psi);
  const z = slerp(a, b, t).map((v) => Math.fround(Math.fround(v) * scale)); // float32, as the server's z * psi
  const labels = entry.classes.length ? [label === "any" ? g.classFromSeed(model, seedA) : label] : null;
  const images = await frameLatest(g, model, z, labels);
  if (!images) return [];
  drawGrid(box.querySelector("canvas"), images, 1, factorFor(images[0].width, config.gallerySide * 2));
  box.querySelector(".genimg-live-caption").textContent = `t = ${Number(t).toFixed(2)}`;
  box.classList.add("genimg-live-on");
  return [];
}

/** The pad's pointer (fractions of its size), kept for the pad's input hook (padSlide). */
function padPointer(x, y) {
  pad.point = { x: Math.max(0, Math.min(1, x)), y: Math.max(0, Math.min(1, y)) };
}

/** Load a dataset's networks and run each once: fetches their weights and compiles the backend's kernels when
 * the model is picked (the page's first model: at page load), not at the first drag. Resolves when done. */
async function warm(model) {
  await new Promise((resolve) => {
    if (window.genimg) resolve();
    else window.addEventListener("genimg-loaded", resolve, { once: true });
  });
  const g = window.genimg;
  await g.ready;
  for (const { kind, zDim } of g.models().filter((m) => m.model === model)) {
    if (kind === "gan") await g.generate(model, [0], 1.0, "any");
    else await g.decode(model, new Array(zDim).fill(0));
  }
  return true;
}

const warmed = warm(config.first);
warmed.catch(() => {}); // not live: the page's notice says so

window.genimgLive = {
  warmed, warm,
  status, vaeSlide, padMap, padPointer, padSlide: (model, values) => padSlide(model, values, pad.point), ganRender,
  interpolate, parseSeeds, slerp,
};
window.dispatchEvent(new Event("genimg-live-loaded"));
