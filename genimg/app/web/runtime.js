// Loads the vendored TensorFlow.js (served by the app itself, never a CDN) and picks its backend:
// wasm (SIMD when the browser has it), else tfjs's own cpu backend. One job: a ready `tf`.

/** Adds a classic <script src> once and resolves when it has run. */
function loadScript(src) {
  const known = Array.from(document.scripts).find((s) => s.src === new URL(src, document.baseURI).href);
  if (known && known.dataset.loaded) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = known || document.createElement("script");
    script.addEventListener("load", () => { script.dataset.loaded = "1"; resolve(); });
    script.addEventListener("error", () => reject(new Error(`could not load ${src}`)));
    if (!known) {
      script.src = src;
      document.head.appendChild(script);
    }
  });
}

// tfjs-backend-wasm's own test for WebAssembly SIMD (a module with one SIMD instruction): it picks its wasm file so.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0,
  253, 15, 26, 11]);

/** Starts fetching `url` now (<link rel="preload">): a script or fetch() that asks for it later finds it on its way
 * or in the HTTP cache. On a slow link the three runtime files then come in one go, not one round trip after another. */
function preload(url, as) {
  const link = document.createElement("link");
  link.rel = "preload";
  link.as = as;
  if (as === "fetch") link.crossOrigin = "anonymous"; // as the backend's fetch(url, {credentials: "same-origin"})
  link.href = url;
  document.head.appendChild(link);
}

/**
 * Loads tf.min.js, then the wasm backend; falls back to "cpu" when wasm cannot start.
 * vendor: {tfjs, wasmBackend, wasmFiles: {"tfjs-backend-wasm.wasm": url, ...}} (URLs).
 * prefer: "wasm" (default), "cpu" or "webgl" (for measurements).
 * Returns {tf, backend, fallbackReason}.
 */
export async function loadRuntime(vendor, prefer = "wasm") {
  if (prefer === "wasm" && !window.tf?.wasm && typeof WebAssembly === "object") {
    preload(vendor.wasmBackend, "script"); // it runs after tf.min.js (it needs window.tf), but can travel with it
    const simd = WebAssembly.validate(SIMD_PROBE);
    preload(vendor.wasmFiles[simd ? "tfjs-backend-wasm-simd.wasm" : "tfjs-backend-wasm.wasm"], "fetch");
  }
  if (!window.tf) await loadScript(vendor.tfjs);
  const tf = window.tf;
  let fallbackReason = null;
  if (prefer === "wasm") {
    try {
      if (!tf.wasm) await loadScript(vendor.wasmBackend);
      // The threaded build needs cross-origin isolation, which a Gradio page lacks, so it is not vendored
      // and threads are off; setWasmPaths still wants a URL for it, and that entry is never fetched.
      tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      const simd = vendor.wasmFiles["tfjs-backend-wasm-simd.wasm"];
      tf.wasm.setWasmPaths({ ...vendor.wasmFiles, "tfjs-backend-wasm-threaded-simd.wasm": simd });
      if (!(await tf.setBackend("wasm"))) fallbackReason = "the wasm backend did not start";
    } catch (error) {
      fallbackReason = String(error && error.message ? error.message : error);
    }
  } else if (!(await tf.setBackend(prefer))) {
    fallbackReason = `the ${prefer} backend did not start`;
  }
  if (tf.getBackend() !== prefer) await tf.setBackend("cpu");
  await tf.ready();
  return { tf, backend: tf.getBackend(), fallbackReason };
}
