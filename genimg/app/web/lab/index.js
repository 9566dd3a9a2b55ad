// window.genimg.lab: train a GAN on 2-D points or a VAE on digits in this browser, with the vendored
// TensorFlow.js. Zero server requests while a run trains (the digits are fetched once, with the page).
//
//   const run = await genimg.lab.create({kind: "gan", data: "ring", seed: 0});
//   await run.step(100);            // -> {step, dLoss, gLoss} (VAE: {step, epoch, loss, recon, kl})
//   run.quality();                  // GAN: {klGrid}; VAE: {heldOutLoss, recon, kl, negElbo}
//   const saved = await run.state(); // plain JSON
//   const again = await genimg.lab.create({from: saved});  // continues exactly where `run` was
//   run.dispose();
//
// Same seed and options -> the same trajectory in the same browser. Bad options reject with an Error
// that names what is accepted.

import { DATASETS } from "./datasets.js";
import { GAN_OPTIONS, GanRun } from "./gan.js";
import { PRESETS } from "./presets.js";
import { VAE_OPTIONS, VaeRun } from "./vae.js";
import { loadDigits } from "./digits.js";

const KINDS = ["gan", "vae"];
let tfPromise = null;

/** The vendored runtime's URLs: the page's genimg config when it has one (the same URLs genimg.js loads, so
 *  nothing loads twice), else the files beside this module. */
function vendorUrls() {
  const config = document.getElementById("genimg-config");
  if (config) return JSON.parse(config.textContent).vendor;
  const vendor = (name) => new URL(`../vendor/${name}`, import.meta.url).href;
  return {
    tfjs: vendor("tfjs/tf.min.js"),
    wasmBackend: vendor("tfjs-backend-wasm/tf-backend-wasm.min.js"),
    wasmFiles: {
      "tfjs-backend-wasm.wasm": vendor("tfjs-backend-wasm/tfjs-backend-wasm.wasm"),
      "tfjs-backend-wasm-simd.wasm": vendor("tfjs-backend-wasm/tfjs-backend-wasm-simd.wasm"),
    },
  };
}

/** The page's tfjs: window.tf when the page has loaded it already, else the shared runtime loader. */
function runtime() {
  if (!tfPromise) {
    tfPromise = (async () => {
      // genimg.js loads the same runtime: wait for it rather than touch a tfjs it is still setting up (asking
      // tf.getBackend() mid-setup would start a second backend initialisation)
      if (window.genimg?.ready) await window.genimg.ready.catch(() => null);
      if (window.tf && window.tf.getBackend()) return window.tf;
      const { loadRuntime } = await import("../runtime.js");
      const { tf } = await loadRuntime(vendorUrls());
      return tf;
    })();
    tfPromise.catch(() => { tfPromise = null; }); // a later call may retry
  }
  return tfPromise;
}

/** A run wrapped in the public, promise-returning shape (the model classes are synchronous). */
function publicRun(model) {
  return {
    kind: model.kind,
    get options() { return { ...model.options }; },
    get steps() { return model.steps; },
    get history() { return model.history; },
    step: async (n = 1) => {
      if (!Number.isInteger(n) || n < 1 || n > 100000) {
        throw new Error(`step(n): n must be an integer from 1 to 100000, got ${JSON.stringify(n)}`);
      }
      return model.step(n);
    },
    quality: () => model.quality(),
    view: (...args) => model.view(...args),
    configure: (changes) => model.configure(changes),
    state: async () => model.state(),
    dispose: () => model.dispose(),
    model, // the GanRun / VaeRun itself, for readers and the lab's views
  };
}

/** create({kind, data, seed, ...options}) or create({from: state, ...changes}) -> a run. */
async function create(options) {
  if (!options || typeof options !== "object") {
    throw new Error(`create(options): options must be an object such as {kind: 'gan', data: 'ring', seed: 0}, ` +
                    `got ${JSON.stringify(options)}`);
  }
  const { from = null, kind: givenKind, ...rest } = options;
  if (from !== null && (typeof from !== "object" || !KINDS.includes(from.kind) || from.version !== 1)) {
    throw new Error("create({from}): from must be what run.state() returned (an object with kind 'gan' or " +
                    "'vae' and version 1)");
  }
  const kind = givenKind ?? from?.kind ?? "gan";
  if (!KINDS.includes(kind)) {
    throw new Error(`create(options): kind must be 'gan' or 'vae', got ${JSON.stringify(kind)}`);
  }
  if (from && from.kind !== kind) throw new Error(`create({from}): the state is a ${from.kind} run, not ${kind}`);
  const merged = from ? { ...from.options, ...rest } : rest;
  const tf = await runtime();
  if (kind === "gan") return publicRun(new GanRun(tf, merged, from));
  return publicRun(new VaeRun(tf, merged, await loadDigits(), from));
}

window.genimg = window.genimg || {};
window.genimg.lab = {
  create,
  kinds: KINDS,
  datasets: { gan: [...DATASETS], vae: ["digits"] },
  options: { gan: GAN_OPTIONS, vae: VAE_OPTIONS },
  presets: PRESETS,
  runtime,
  /** Builds the Lab's page inside `element` (the Lab tab calls it; see ui.js). */
  mount: async (element, strings) => (await import("./ui.js")).mount(element, strings),
};
