// window.genimg: the Python face of genimg (genimg.sample, genimg.decode, latent_from_seed) in the browser,
// on the models the page's config names. Reads its config from <script type="application/json"
// id="genimg-config"> (written by genimg/app/web_assets.py). Each call checks its arguments first and
// rejects with an Error that says what is accepted, as the Python API raises.

import { loadModel, run } from "./models.js";
import { checkSeed, describe, labelFromSeed, latentFromSeed } from "./seeds.js";

const BATCH = 64; // images per forward pass: bounds memory for long seed lists
const MAX_SEEDS = 10000; // as genimg.sampling.MAX_SEEDS

function readConfig() {
  const element = document.getElementById("genimg-config");
  if (!element) throw new Error("genimg: no <script id=\"genimg-config\"> on this page");
  return JSON.parse(element.textContent);
}

const config = readConfig();
const state = { runtime: null, backend: null, loaded: new Map() };

/** [{model, kind, zDim, shape, classes}]: what this page can run (no download needed to list them). */
function models() {
  return config.models.map(({ model, kind, zDim, shape, classes }) => ({
    model, kind, zDim, shape: [...shape], classes: [...classes],
  }));
}

/** The config entry for (model, kind), or an Error naming the accepted models. */
function entryFor(model, kind, what) {
  const entry = config.models.find((m) => m.model === model && m.kind === kind);
  if (!entry) {
    const names = config.models.filter((m) => m.kind === kind).map((m) => m.model);
    throw new Error(`model must be one of ${names.join(", ") || "(none)"} (the ${kind.toUpperCase()} models this ` +
                    `page can ${what}), got ${describe(model)}`);
  }
  return entry;
}

/** The loaded model for a config entry: fetched once, shared by every later call. */
async function modelFor(entry) {
  const { tf } = await runtime();
  const key = `${entry.model}/${entry.kind}`;
  if (!state.loaded.has(key)) state.loaded.set(key, loadModel(tf, entry.manifest));
  try {
    return await state.loaded.get(key);
  } catch (error) {
    state.loaded.delete(key); // a later call may retry a failed download
    throw error;
  }
}

let runtimePromise = null;
/** The tfjs runtime, loaded once. */
function runtime() {
  if (!runtimePromise) {
    runtimePromise = import("./runtime.js").then(({ loadRuntime }) => loadRuntime(config.vendor, config.backend))
      .then((loaded) => { state.runtime = loaded; state.backend = loaded.backend; return loaded; });
  }
  return runtimePromise;
}

/** z must be an array of zDim finite numbers -> Float32Array (what torch gets from genimg.decode). */
function checkLatent(z, zDim) {
  if (!(Array.isArray(z) || ArrayBuffer.isView(z)) || z.length !== zDim) {
    throw new Error(`z must be an array of ${zDim} finite numbers (one latent, dimension order), got ${describe(z)}`);
  }
  const out = new Float32Array(zDim);
  for (let i = 0; i < zDim; i++) {
    if (typeof z[i] !== "number" || !Number.isFinite(z[i])) {
      throw new Error(`z must be an array of ${zDim} finite numbers; z[${i}] is ${describe(z[i])}`);
    }
    out[i] = z[i];
  }
  return out;
}

/** VAE decode of one latent -> {width, height, channels, data: Uint8Array}, as genimg.decode(vae, z[None]). */
async function decode(model, z) {
  const entry = entryFor(model, "vae", "decode");
  const latent = checkLatent(z, entry.zDim);
  const { tf } = await runtime();
  const [image] = await run(tf, await modelFor(entry), latent, null);
  return image;
}

/** The class index for label 'any' (the seed decides, null) or a class name; an Error otherwise. */
function resolveLabel(entry, label) {
  if (label === undefined || label === null || label === "any") return null;
  if (!entry.classes.length) {
    throw new Error(`label must be 'any': the ${entry.model} GAN is not class-conditional; got ${describe(label)}`);
  }
  const index = entry.classes.indexOf(label);
  if (typeof label !== "string" || index < 0) {
    throw new Error(`label must be 'any' or a class name of ${entry.model}: ${entry.classes.join(", ")}; ` +
                    `got ${describe(label)}`);
  }
  return index;
}

/** GAN images for seeds at truncation psi -> [{width, height, channels, data}], as genimg.sample(gan, seeds, psi, label). */
async function generate(model, seeds, psi = 1.0, label = "any") {
  const entry = entryFor(model, "gan", "generate from");
  if (!Array.isArray(seeds) || seeds.length > MAX_SEEDS) {
    throw new Error(`seeds must be an array of at most ${MAX_SEEDS} integers from 0 to 4294967295, got ` +
                    `${describe(seeds)}`);
  }
  seeds.forEach(checkSeed);
  if (typeof psi !== "number" || !Number.isFinite(psi)) {
    throw new Error(`psi must be a finite number (1 = no truncation), got ${describe(psi)}`);
  }
  const fixed = resolveLabel(entry, label);
  const { tf } = await runtime();
  const loaded = await modelFor(entry);
  const { zDim } = entry;
  const scale = Math.fround(psi);
  const images = [];
  for (let start = 0; start < seeds.length; start += BATCH) {
    const batch = seeds.slice(start, start + BATCH);
    const z = new Float32Array(batch.length * zDim); // [N, zDim]: float32(z) * float32(psi), as numpy does
    batch.forEach((seed, i) => {
      const latent = latentFromSeed(seed, zDim);
      for (let d = 0; d < zDim; d++) z[i * zDim + d] = Math.fround(latent[d]) * scale;
    });
    const labels = entry.classes.length
      ? Int32Array.from(batch, (s) => fixed ?? labelFromSeed(s, zDim, entry.classPrior, entry.classes.length))
      : null;
    images.push(...(await run(tf, loaded, z, labels)));
  }
  return images;
}

const defaultEntry = config.models.find((m) => m.model === config.default?.model && m.kind === config.default?.kind)
  || config.models[0];
const ready = runtime().then(() => (defaultEntry ? modelFor(defaultEntry) : null)).then(() => true);
ready.catch((error) => console.warn(`genimg: the in-browser runtime is unavailable (${error.message}); ` +
                                    "the page works through the server"));

window.genimg = {
  ready,
  models,
  latentFromSeed, // (seed, zDim) -> Float64Array, numpy's RandomState(seed).randn(zDim)
  decode,
  generate,
  /** "wasm" or "cpu" once the runtime is loaded; null before (or when it could not load). */
  get backend() { return state.backend; },
  /** Why the preferred backend was not used (null when it was). */
  get fallbackReason() { return state.runtime ? state.runtime.fallbackReason : null; },
};
