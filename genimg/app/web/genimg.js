// window.genimg: the Python face of genimg (genimg.sample, genimg.decode, genimg.encode, genimg.invert,
// latent_from_seed, latents_for_seeds, direction edits) in the browser, on the models the page's config names.
// Reads its config from <script type="application/json" id="genimg-config"> (written by
// genimg/app/web_assets.py). Each call checks its arguments first and rejects with an Error that says what is
// accepted, as the Python API raises.

import { MAX_SEEDS, checkSeed, classForSeed, describe, editedLatent, latentFromSeed, latentFromSeedUnderPrior,
  latentsForSeeds } from "./sampling.js";

const BATCH = 64; // images per forward pass: bounds memory for long seed lists

function readConfig() {
  const element = document.getElementById("genimg-config");
  if (!element) throw new Error("genimg: no <script id=\"genimg-config\"> on this page");
  return JSON.parse(element.textContent);
}

const config = readConfig();
const state = { runtime: null, backend: null, loaded: new Map(), status: "loading", model: null, prefetch: null };

// ---- loading: the runtime once, when first needed; a model's weights when first used ----------------------------
// On a slow link (300 ms, 1.5 Mbit/s) the runtime is ~0.5 MB and each network's weights 1.5-3.5 MB, so nothing is
// fetched before it is needed but an idle prefetch after the first picture: the shown model's GAN and VAE decoder.
// The page's first pictures may come with the page (config.pictures, made on the server): on a plain link (a first
// visit) the runtime then waits until they are on screen, so that it does not share the link with the page's own
// code; asking for anything else starts it at once.

const defaultEntry = config.default ? findEntry(config.default.model, config.default.kind) : null;
const START_LATEST_MS = 5000; // the runtime starts by then even if nothing asked for it
let runtimePromise = null;
let settle = null;
/** Resolves (true) once the runtime is in, and config.default's model when the config names one. */
const ready = new Promise((resolve, reject) => { settle = { resolve, reject }; });
ready.then(() => { state.status = "ready"; }, () => { state.status = "failed"; });
ready.catch((error) => console.warn(`genimg: the in-browser runtime is unavailable (${error.message}); ` +
                                    "the page works through the server"));

let networksPromise = null;
/** What runs the networks (models.js), finds a picture in a GAN (invert.js) and reads pictures (preprocess.js):
 * {loadModel, run, invertTarget, modelInput, ...}, imported once, with the runtime or when an argument check needs
 * it. The page's first pictures need none of it, so it is not on their way. */
function networks() {
  networksPromise ??= Promise.all([import("./models.js"), import("./invert.js"), import("./preprocess.js")])
    .then((modules) => Object.assign({}, ...modules));
  return networksPromise;
}

/** The tfjs runtime, loaded once (the first call starts it) -> {tf, backend, fallbackReason, net: networks()}. */
function runtime() {
  if (!runtimePromise) {
    const loading = import("./runtime.js").then(({ loadRuntime }) => loadRuntime(config.vendor, config.backend));
    runtimePromise = Promise.all([loading, networks()])
      .then(([loaded, net]) => { state.runtime = loaded; state.backend = loaded.backend; return { ...loaded, net }; });
    runtimePromise.then(() => (defaultEntry ? modelFor(defaultEntry) : null)).then(() => settle.resolve(true),
                                                                                    settle.reject);
  }
  return runtimePromise;
}

/** The loaded model for a config entry: fetched once, shared by every later call. */
async function modelFor(entry) {
  const { tf, net } = await runtime();
  const key = `${entry.model}/${entry.kind}`;
  if (!state.loaded.has(key)) state.loaded.set(key, net.loadModel(tf, entry.manifest));
  try {
    return await state.loaded.get(key);
  } catch (error) {
    state.loaded.delete(key); // a later call may retry a failed download
    throw error;
  }
}

/** When the main thread is idle (or after a second where requestIdleCallback is missing). */
function whenIdle(callback) {
  if (window.requestIdleCallback) window.requestIdleCallback(callback, { timeout: 2000 });
  else setTimeout(callback, 1000);
}

/** A picture of `model` is on screen: the page uses that model now. The first time, prefetch its GAN and then its
 * VAE decoder, each when the main thread is idle and only while the page still shows that model (the other tab then
 * opens live); never another model's. */
function shown(model) {
  state.model = model;
  if (state.prefetch) return;
  state.prefetch = (async () => {
    for (const kind of ["gan", "vae"]) {
      const entry = findEntry(model, kind);
      await new Promise((resolve) => whenIdle(resolve));
      if (entry && state.model === model) await modelFor(entry).catch(() => null);
    }
  })();
}

const pictureFields = (model, seeds, psi, label) => JSON.stringify([model, seeds, psi, label ?? "any"]);

/** Base64 PNG -> {width, height, channels, data} with `channels` channels (the bytes the PNG holds, unchanged). */
async function pictureFromPng(base64, channels) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }),
                                         { premultiplyAlpha: "none", colorSpaceConversion: "none" });
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data; // [H, W, 4]
  const data = new Uint8Array(bitmap.width * bitmap.height * channels);
  for (let i = 0, j = 0; j < data.length; i += 4) for (let c = 0; c < channels; c++) data[j++] = rgba[i + c];
  return { width: bitmap.width, height: bitmap.height, channels, data };
}

/** The page's first pictures (config.pictures: made on the server with genimg.sample, sent with the page) when they
 * are what generate(model, seeds, psi, label) draws, for exactly these arguments -> [{width, height, channels,
 * data}] (the server's pixels: within 2/255 of the browser's), else null. No runtime needed: a gallery shows them
 * while the runtime and the weights are on their way. Either answer starts the runtime (after the pictures are
 * drawn). */
async function pictures(model, seeds, psi = 1.0, label = "any") {
  const sent = config.pictures;
  const entry = findEntry(model, "gan");
  if (!sent || !entry || pictureFields(model, seeds, psi, label) !== pictureFields(sent.model, sent.seeds, sent.psi,
                                                                                   sent.label)) {
    runtime();
    return null;
  }
  try {
    const images = await Promise.all(sent.png.map((png) => pictureFromPng(png, entry.shape[2])));
    setTimeout(() => { shown(model); runtime(); }, 0); // after the gallery has drawn them
    return images;
  } catch {
    runtime();
    return null;
  }
}

const plainLink = [...new URLSearchParams(location.search).keys()].every((key) => key === "lang");
if (config.pictures && plainLink) setTimeout(runtime, START_LATEST_MS);
else runtime();

/** The config entry of (model, kind), or undefined when this page cannot run it. */
function findEntry(model, kind) {
  return config.models.find((m) => m.model === model && m.kind === kind);
}

/** What models() and model() say of an entry (copies: a caller cannot change the config). */
function described({ model, kind, zDim, shape, classes }) {
  return { model, kind, zDim, shape: [...shape], classes: [...classes] };
}

/** [{model, kind, zDim, shape, classes}]: what this page can run (no download needed to list them). */
function models() {
  return config.models.map(described);
}

/** {model, kind, zDim, shape, classes} of (model, kind) when this page can run it, else null. */
function modelInfo(model, kind) {
  const entry = findEntry(model, kind);
  return entry ? described(entry) : null;
}

/** The config entry for (model, kind), or an Error naming the accepted models. */
function entryFor(model, kind, what) {
  const entry = findEntry(model, kind);
  if (!entry) {
    const names = config.models.filter((m) => m.kind === kind).map((m) => m.model);
    throw new Error(`model must be one of ${names.join(", ") || "(none)"} (the ${kind.toUpperCase()} models this ` +
                    `page can ${what}), got ${describe(model)}`);
  }
  return entry;
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
  const { tf, net } = await runtime();
  const [image] = await net.run(tf, await modelFor(entry), latent, null);
  shown(model);
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
  const { tf, net } = await runtime();
  const loaded = await modelFor(entry);
  const { zDim } = entry;
  const images = [];
  for (let start = 0; start < seeds.length; start += BATCH) {
    const batch = seeds.slice(start, start + BATCH);
    const z = latentsForSeeds(batch, zDim, psi); // [N, zDim]
    const labels = entry.classes.length
      ? Int32Array.from(batch, (s) => fixed ?? classForSeed(s, zDim, entry.classPrior, entry.classes.length))
      : null;
    images.push(...(await net.run(tf, loaded, z, labels)));
  }
  shown(model);
  return images;
}

/** Several VAE latents at once (one forward pass) -> [{width, height, channels, data}], as genimg.decode(vae, z). */
async function decodeMany(model, zs) {
  const entry = entryFor(model, "vae", "decode");
  if (!Array.isArray(zs) || zs.length > MAX_SEEDS) {
    throw new Error(`zs must be an array of at most ${MAX_SEEDS} latents of ${entry.zDim} numbers, got ${describe(zs)}`);
  }
  const z = new Float32Array(zs.length * entry.zDim); // [N, zDim]
  zs.forEach((latent, i) => z.set(checkLatent(latent, entry.zDim), i * entry.zDim));
  const { tf, net } = await runtime();
  const loaded = await modelFor(entry);
  const images = [];
  for (let start = 0; start < zs.length; start += BATCH) {
    const end = Math.min(zs.length, start + BATCH);
    images.push(...(await net.run(tf, loaded, z.subarray(start * entry.zDim, end * entry.zDim), null)));
  }
  shown(model);
  return images;
}

/** GAN images from latents already scaled by psi (e.g. an interpolation path) and one class name each
 * (conditional GANs; 'any' is not a class here: classFromSeed gives a seed's) -> [{width, height, channels, data}],
 * as genimg.sampling.generate(gan, z, labels). */
async function generateFromLatents(model, zs, labels = null) {
  const entry = entryFor(model, "gan", "generate from");
  if (!Array.isArray(zs) || zs.length > MAX_SEEDS) {
    throw new Error(`zs must be an array of at most ${MAX_SEEDS} latents of ${entry.zDim} numbers, got ${describe(zs)}`);
  }
  const z = new Float32Array(zs.length * entry.zDim); // [N, zDim]
  zs.forEach((latent, i) => z.set(checkLatent(latent, entry.zDim), i * entry.zDim));
  let classes = null;
  if (entry.classes.length) {
    if (!Array.isArray(labels) || labels.length !== zs.length) {
      throw new Error(`labels must be an array of ${zs.length} class names of ${entry.model} (one per latent): ` +
                      `${entry.classes.join(", ")}; got ${describe(labels)}`);
    }
    classes = Int32Array.from(labels, (label) => {
      const index = resolveLabel(entry, label);
      if (index === null) throw new Error(`labels must be class names of ${entry.model}, not 'any'`);
      return index;
    });
  }
  const { tf, net } = await runtime();
  const images = await net.run(tf, await modelFor(entry), z, classes);
  shown(model);
  return images;
}

/** The class name a seed draws on a conditional GAN (the server's rule for label 'any'); null if unconditional. */
function classFromSeed(model, seed) {
  const entry = entryFor(model, "gan", "generate from");
  checkSeed(seed);
  if (!entry.classes.length) return null;
  return entry.classes[classForSeed(seed, entry.zDim, entry.classPrior, entry.classes.length)];
}

/** A part that rides with an entry (a VAE's encoder, a GAN's classifier) by its manifest URL: fetched once. */
async function partFor(url) {
  const { tf, net } = await runtime();
  if (!state.loaded.has(url)) state.loaded.set(url, net.loadModel(tf, url));
  try {
    return await state.loaded.get(url);
  } catch (error) {
    state.loaded.delete(url);
    throw error;
  }
}

/** What a model takes from a picture: a model input {width, height, channels, data} of the model's shape is taken as
 * it is (as genimg.inversion.target_array takes such an array); RGBA {width, height, data} (an ImageData) is
 * preprocessed as the server's encode tab does (preprocess.js's modelInput; digits for 28x28 grey models). */
function modelInputFor(entry, image, modelInput) {
  const [size, , channels] = entry.shape;
  if (image && typeof image === "object" && "channels" in image) {
    const { width, height, data } = image;
    const fits = width === size && height === size && image.channels === channels;
    if (!fits || !data || data.length !== size * size * channels) {
      throw new Error(`a model input must be {width: ${size}, height: ${size}, channels: ${channels}, data: ` +
                      `${size * size * channels} bytes}; for any other picture pass RGBA {width, height, data} ` +
                      "(an ImageData)");
    }
    return { width, height, channels, data: Uint8Array.from(data) };
  }
  return modelInput(image, size, channels, size === 28 && channels === 1);
}

/** A VAE's posterior of a picture -> {mu, logvar (Float32Array [zDim]), input (the preprocessed model input)},
 * as genimg.encode(vae, model_input(picture)). Rejects with PreprocessError (key: a locale key) for a picture
 * that cannot become a model input. */
async function encode(model, imageData) {
  const entry = entryFor(model, "vae", "encode");
  if (!entry.encoder) throw new Error(`the ${entry.model} VAE has no encoder on this page (no browser weights for it)`);
  const input = modelInputFor(entry, imageData, (await networks()).modelInput);
  const { tf, net } = await runtime();
  const { mu, logvar } = await net.posterior(tf, await partFor(entry.encoder), input);
  return { mu, logvar, input };
}

/** Finds a picture in a GAN, as genimg.invert(gan, picture, steps, classifier): the latent z and class whose image
 * is nearest it. options: steps (0-2000, default 100), label ('any' or a class name to keep), seeds (starting points
 * tried, 1-100000), onStep (called with {step, steps, mse, image, z, label} after the start and every 10 steps).
 * -> {width, height, channels, data, z, label, mse, psnr, step, steps, startSeed, target}. */
async function invert(model, imageData, options = {}) {
  const entry = entryFor(model, "gan", "invert into");
  const { EVERY, MAX_STEPS, START_SEEDS, STEPS, invertTarget, modelInput } = await networks();
  if (options === null || typeof options !== "object") {
    throw new Error(`options must be an object {steps, label, seeds, onStep}, got ${describe(options)}`);
  }
  const { steps = STEPS, label = "any", seeds = START_SEEDS, onStep = null } = options;
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_STEPS) {
    throw new Error(`steps must be a whole number from 0 to ${MAX_STEPS}, got ${describe(steps)}`);
  }
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100000) {
    throw new Error(`seeds (starting points tried) must be a whole number from 1 to 100000, got ${describe(seeds)}`);
  }
  if (onStep !== null && typeof onStep !== "function") {
    throw new Error("onStep must be a function (called with {step, steps, mse, image, z, label}), got " +
                    describe(onStep));
  }
  const fixed = resolveLabel(entry, label);
  const target = modelInputFor(entry, imageData, modelInput);
  const { tf } = await runtime();
  const [generator, classifier] = await Promise.all([modelFor(entry),
                                                     entry.classifier ? partFor(entry.classifier) : null]);
  const named = (found) => ({ ...found, label: found.labelIndex === null ? null : entry.classes[found.labelIndex] });
  const report = onStep && ((found) => onStep({ step: found.step, steps: found.steps, mse: found.mse,
    image: { width: found.width, height: found.height, channels: found.channels, data: found.data },
    z: found.z, label: named(found).label }));
  const found = await invertTarget(tf, { generator, classifier }, target,
                                   { steps, seeds, label: fixed, every: EVERY, onStep: report });
  const { labelIndex, ...result } = named(found);
  return { ...result, target };
}

/** A GAN's discovered directions (genimg.directions) -> {vectors [K][zDim] Float32Array rows, varianceShare [K],
 * labels [K] ('d0 · 8.1%')}, or null when it has none. Move a latent with editedLatent(z, offsets, vectors). */
async function directions(model) {
  const entry = entryFor(model, "gan", "edit");
  if (!entry.directions) return null;
  const found = (await modelFor(entry)).manifest.directions;
  return { vectors: found.vectors.map((row) => Float32Array.from(row)), varianceShare: [...found.varianceShare],
           labels: [...found.labels] };
}

/** The latent a seed names for a VAE, as genimg.sampling.latents_for_seeds(vae, [seed], psi, prior)[0]: prior
 * 'learned' (its Gaussian mixture), 'standard' (N(0, I)) or null (learned when the VAE has one). */
async function vaeLatentFromSeed(model, seed, psi = 1.0, prior = null) {
  const entry = entryFor(model, "vae", "sample from");
  checkSeed(seed);
  if (typeof psi !== "number" || !Number.isFinite(psi)) {
    throw new Error(`psi must be a finite number (1 = no truncation), got ${describe(psi)}`);
  }
  if (prior !== null && prior !== "learned" && prior !== "standard") {
    throw new Error(`prior must be one of learned, standard (or null for the default), got ${describe(prior)}`);
  }
  if (prior === "learned" && !entry.hasPrior) {
    throw new Error("this VAE has no learned prior (no prior.safetensors beside its weights); fit one with " +
                    "`python -m genimg.train prior DIR`, or use prior='standard'");
  }
  if (prior === "standard" || !entry.hasPrior) return latentsForSeeds([seed], entry.zDim, psi);
  const key = `${entry.model}/prior`;
  if (!state.loaded.has(key)) {
    state.loaded.set(key, Promise.all([modelFor(entry), networks()]).then(([loaded, net]) => net.loadPrior(loaded)));
  }
  try {
    return latentFromSeedUnderPrior(await state.loaded.get(key), seed, psi);
  } catch (error) {
    state.loaded.delete(key);
    throw error;
  }
}

window.genimg = {
  lab: window.genimg?.lab, // the training lab (lab/index.js), if it loaded first
  ready,
  models,
  model: modelInfo, // (model, kind) -> {model, kind, zDim, shape, classes} when this page runs it, else null
  latentFromSeed, // (seed, zDim) -> Float64Array, numpy's RandomState(seed).randn(zDim)
  decode,
  generate,
  pictures, // (model, seeds, psi, label) -> the page's first pictures when they are generate()'s, else null
  decodeMany, // (model, [z, ...]) -> images: one forward pass
  generateFromLatents, // (model, [z * psi, ...], [className, ...]) -> images
  classFromSeed, // (model, seed) -> the class label 'any' draws for that seed, or null
  encode, // (model, imageData) -> {mu, logvar, input}: a VAE's posterior of a picture
  invert, // (model, imageData, {steps, label, seeds, onStep}) -> the GAN's nearest image, its z and class
  directions, // (model) -> a GAN's discovered directions {vectors, varianceShare, labels}, or null
  editedLatent, // (z, offsets, vectors) -> z + offsets @ vectors[:K], as genimg.sampling.latents
  vaeLatentFromSeed, // (model, seed, psi, prior) -> a VAE's z for a seed under its learned or standard prior
  /** "loading", then "ready" (the runtime is in: weights come per model when first used) or "failed" (the page
   * uses the server). */
  get status() { return state.status; },
  /** "wasm" or "cpu" once the runtime is loaded; null before (or when it could not load). */
  get backend() { return state.backend; },
  /** Why the preferred backend was not used (null when it was). */
  get fallbackReason() { return state.runtime ? state.runtime.fallbackReason : null; },
};
window.dispatchEvent(new Event("genimg-loaded")); // for scripts that started before this module
