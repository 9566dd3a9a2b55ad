// Runs one exported part of a genimg model (genimg/browser_weights.py: a generator, decoder, encoder or
// classifier) with TensorFlow.js: fetch its manifest and weights once, rebuild the op list as tfjs ops on NHWC
// tensors. Also reads what rides along: a VAE's learned prior (prior.bin). No DOM beyond fetch and the page's base
// URL; no page state.

/** float16 bits -> float32 value (IEEE 754 half: 1 sign, 5 exponent, 10 fraction bits). */
function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The blob's slice for one tensor spec as a Float32Array. */
function readTensor(buffer, spec, dtype) {
  if (dtype === "float32") return new Float32Array(buffer, spec.offset, spec.bytes / 4);
  const half = new Uint16Array(buffer, spec.offset, spec.bytes / 2);
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = halfToFloat(half[i]);
  return out;
}

// Output row 2m + a takes kernel row ky from input row m + r - 1 (browser_weights.SUBPIXEL_TAPS).
const SUBPIXEL_TAPS = [[0, 0, 3], [0, 1, 1], [1, 1, 2], [1, 2, 0]]; // [a, r, ky]
// From this many output channels tfjs-wasm (XNNPACK) runs a transposed conv faster as four 2x2 convs, one per output
// phase (2.3x for 128 -> 64 channels at 7x7, batch 256), than as one 3x3 conv whose kernel is 5/9 zeros; below it
// (the last layer's 1 or 3 channels) the one 3x3 conv is faster (3x for 64 -> 1 at 14x14).
const PHASE_MIN_CHANNELS = 8;

/** A k4 s2 p1 conv_transpose filter [4, 4, out, in] + bias [out] -> conv2d filter [3, 3, in, 4 out] + bias [4 out]. */
function subpixelKernel(filter, bias, shape) {
  const [, , cOut, cIn] = shape;
  const kernel = new Float32Array(9 * cIn * 4 * cOut);
  for (const [a, r, ky] of SUBPIXEL_TAPS) {
    for (const [b, s, kx] of SUBPIXEL_TAPS) {
      const phase = 2 * a + b; // channel block of output pixel (2m + a, 2n + b) for depthToSpace
      for (let o = 0; o < cOut; o++) {
        for (let i = 0; i < cIn; i++) {
          kernel[((r * 3 + s) * cIn + i) * 4 * cOut + phase * cOut + o] = filter[((ky * 4 + kx) * cOut + o) * cIn + i];
        }
      }
    }
  }
  const tiled = new Float32Array(4 * cOut);
  for (let p = 0; p < 4; p++) tiled.set(bias, p * cOut);
  return { kernel, tiled };
}

/** A k4 s2 p1 conv_transpose filter [4, 4, out, in] -> the 2x2 conv2d kernel [2, 2, in, out] and padding of each
 * output phase (a, b) in the order 2a + b: phase a reads input rows m - 1, m (a = 0: padded on top) or m, m + 1. */
function phaseKernels(filter, shape) {
  const [, , cOut, cIn] = shape;
  const phases = [];
  for (const a of [0, 1]) {
    for (const b of [0, 1]) {
      const kernel = new Float32Array(4 * cIn * cOut);
      for (const [ta, r, ky] of SUBPIXEL_TAPS) {
        for (const [tb, s, kx] of SUBPIXEL_TAPS) {
          if (ta !== a || tb !== b) continue;
          for (let i = 0; i < cIn; i++) {
            for (let o = 0; o < cOut; o++) {
              kernel[(((r - a) * 2 + (s - b)) * cIn + i) * cOut + o] = filter[((ky * 4 + kx) * cOut + o) * cIn + i];
            }
          }
        }
      }
      phases.push({ kernel, pad: [[0, 0], [1 - a, a], [1 - b, b], [0, 0]] });
    }
  }
  return phases;
}

/** A stride-1 conv2d filter [k, k, in, out] -> the filter [k, k, out, in] whose conv2d of dy is dL/dx: the kernel
 * turned 180 degrees with in and out swapped (padded k - 1 - p where the forward conv was padded p). */
function backwardKernel(filter, shape) {
  const [k, , cIn, cOut] = shape;
  const back = new Float32Array(filter.length);
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      for (let i = 0; i < cIn; i++) {
        for (let o = 0; o < cOut; o++) {
          back[(((k - 1 - ky) * k + (k - 1 - kx)) * cOut + o) * cIn + i] = filter[((ky * k + kx) * cIn + i) * cOut + o];
        }
      }
    }
  }
  return back;
}

/** A stride-1 conv2d as tensors for the forward and the input gradient: {filter, backward, pad}. */
function convWithBackward(tf, kernel, shape, pad) {
  const [k, , cIn, cOut] = shape;
  const backward = tf.tensor4d(backwardKernel(kernel, shape), [k, k, cOut, cIn]);
  return { filter: tf.tensor4d(kernel, shape), backward, pad };
}

/** A parsed manifest and its weights blob -> {manifest, tensors, subpixel, backward} (tensors kept, not tidied;
 * dispose with disposeModel). subpixel: how wasm runs each transposed conv (phases, or one 3x3 conv); backward:
 * the input-gradient filters of the 'same' conv2d ops. */
export function modelFromBuffer(tf, manifest, buffer) {
  if (buffer.byteLength !== manifest.weights.bytes) {
    throw new Error(`${manifest.key}: ${buffer.byteLength} bytes of weights, the manifest says ` +
                    `${manifest.weights.bytes}`);
  }
  const values = {};
  const tensors = {};
  for (const spec of manifest.tensors) {
    values[spec.name] = readTensor(buffer, spec, manifest.dtype);
    tensors[spec.name] = tf.tensor(values[spec.name], spec.shape, "float32");
  }
  const subpixel = {}; // conv_transpose filter name -> {phases: [{filter, backward, pad}] x 4, bias} or {conv, bias}
  const backward = {}; // conv2d filter name -> the filter of its input gradient (stride 1, 'same', odd k)
  for (const op of manifest.ops) {
    const shape = tensors[op.filter]?.shape;
    if (op.op === "conv2d" && op.stride === 1 && 2 * op.pad + 1 === shape[0]) {
      const [k, , cIn, cOut] = shape;
      backward[op.filter] = tf.tensor4d(backwardKernel(values[op.filter], shape), [k, k, cOut, cIn]);
    }
    if (op.op !== "conv_transpose" || op.stride !== 2 || op.pad !== "same" || shape[0] !== 4) continue;
    const [, , cOut, cIn] = shape;
    if (cOut >= PHASE_MIN_CHANNELS) {
      const phases = phaseKernels(values[op.filter], shape).map(({ kernel, pad }) =>
        convWithBackward(tf, kernel, [2, 2, cIn, cOut], pad));
      subpixel[op.filter] = { bias: tensors[op.bias], phases };
    } else {
      const { kernel, tiled } = subpixelKernel(values[op.filter], values[op.bias], shape);
      subpixel[op.filter] = { bias: tf.tensor1d(tiled), conv: convWithBackward(tf, kernel, [3, 3, cIn, 4 * cOut],
                                                                               [[0, 0], [1, 1], [1, 1], [0, 0]]) };
    }
  }
  return { manifest, tensors, subpixel, backward };
}

/** Frees a model's tensors. */
export function disposeModel(model) {
  Object.values(model.tensors).forEach((t) => t.dispose());
  Object.values(model.backward).forEach((t) => t.dispose());
  for (const { bias, phases, conv } of Object.values(model.subpixel)) {
    for (const { filter, backward } of phases ?? [conv]) { filter.dispose(); backward.dispose(); }
    if (conv) bias.dispose(); // a phase form's bias is the op's own tensor
  }
}

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  return response;
}

/** Fetches manifest.json and weights.bin; returns {manifest, url, tensors, subpixel, backward}. */
export async function loadModel(tf, manifestUrl) {
  const manifest = await (await fetchOk(manifestUrl)).json();
  const url = new URL(manifestUrl, document.baseURI).href;
  const buffer = await (await fetchOk(new URL(manifest.weights.file, url).href)).arrayBuffer();
  return { ...modelFromBuffer(tf, manifest, buffer), url };
}

/** prior.bin (spec: the manifest's `prior`) -> {probabilities [K], means [K][D], cholesky [K][D][D]} as numbers,
 * what sampling.js's latentFromSeedUnderPrior takes. */
export function priorFromBuffer(spec, buffer) {
  const { components: k, zDim: d } = spec;
  const triangle = (d * (d + 1)) / 2;
  const values = new Float64Array(buffer, 0, k + k * d + k * triangle);
  if (buffer.byteLength !== spec.bytes || values.length * 8 !== spec.bytes) {
    throw new Error(`prior.bin: ${buffer.byteLength} bytes, expected ${spec.bytes} for ${k} components of ${d} dims`);
  }
  const probabilities = Array.from(values.subarray(0, k));
  const means = Array.from({ length: k }, (_, c) => Array.from(values.subarray(k + c * d, k + (c + 1) * d)));
  const cholesky = Array.from({ length: k }, (_, c) => {
    const packed = values.subarray(k + k * d + c * triangle, k + k * d + (c + 1) * triangle);
    const rows = [];
    for (let i = 0, at = 0; i < d; i++) {
      const row = new Array(d).fill(0); // upper triangle: zeros, as numpy's cholesky leaves it
      for (let j = 0; j <= i; j++) row[j] = packed[at++];
      rows.push(row);
    }
    return rows;
  });
  return { probabilities, means, cholesky };
}

/** A decoder's learned prior, fetched (prior.bin beside its manifest); null when the VAE has none. */
export async function loadPrior(model) {
  const spec = model.manifest.prior;
  if (!spec) return null;
  const buffer = await (await fetchOk(new URL(spec.file, model.url).href)).arrayBuffer();
  return priorFromBuffer(spec, buffer);
}

/** tf.depthToSpace(x, block) from reshape and transpose: [N, H, W, b b C] -> [N H, W, b, b C] -> [N H, b, W, b C]
 * -> [N, b H, b W, C]. The same numbers; these have gradients (tfjs has none for depthToSpace), and tfjs-wasm's
 * transpose is ~10x faster than its depthToSpace (a 256 x 7 x 7 x 256 batch: ~25 ms against ~250-400 ms). */
function depthToSpace(tf, x, block) {
  const [n, h, w, c] = x.shape;
  const rows = tf.transpose(tf.reshape(x, [n * h, w, block, c / block]), [0, 2, 1, 3]);
  return tf.reshape(rows, [n, h * block, w * block, c / (block * block)]);
}

/** tf.conv2d(x, filter, 1, pad) whose input gradient is again a conv2d, of dy with `backward` (the turned kernel)
 * padded k - 1 - p: the same numbers as tfjs's Conv2DBackpropInput, which tfjs-wasm runs as a plain loop, ~8x
 * slower. pad: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
function conv2dWithGradient(tf, x, { filter, backward, pad }) {
  const k = filter.shape[0];
  const mirrored = pad.map(([before, after], axis) => (axis === 0 || axis === 3 ? [0, 0]
    : [k - 1 - before, k - 1 - after]));
  const conv = tf.customGrad((input) => ({
    value: tf.conv2d(input, filter, 1, pad),
    gradFunc: (dy) => [tf.conv2d(dy, backward, 1, mirrored)],
  }));
  return conv(x);
}

/** A k4 s2 p1 transposed conv as wasm runs it: [N, H, W, in] -> [N, H, W, 4 out] (each output phase's channels)
 * -> depthToSpace -> [N, 2H, 2W, out]. */
function transposedConvBySubpixels(tf, x, sub, differentiable) {
  if (sub.phases) {
    const phases = sub.phases.map((phase) => (differentiable ? conv2dWithGradient(tf, x, phase)
      : tf.conv2d(x, phase.filter, 1, phase.pad))); // 4 x [N, H, W, out]
    return tf.add(depthToSpace(tf, tf.concat(phases, 3), 2), sub.bias);
  }
  const conv = differentiable ? tf.add(conv2dWithGradient(tf, x, sub.conv), sub.bias)
    : tf.fused.conv2d({ x, filter: sub.conv.filter, strides: 1, pad: "same", bias: sub.bias });
  return depthToSpace(tf, conv, 2);
}

/** The ops before to_uint8: a generator's or decoder's float image ([-1, 1] or [0, 1]), an encoder's or
 * classifier's whole list. */
export function floatOps(model) {
  const ops = model.manifest.ops;
  return ops[ops.length - 1].op === "to_uint8" ? ops.slice(0, -1) : ops;
}

/** The op list (or `ops`, a slice of it) on x [N, zDim] (+ labels [N] int32) or x [N, H, W, C]; not tidied, so it
 * composes inside tf.tidy and tf.grad. differentiable: every op has a tfjs gradient (for inversion). */
export function applyOps(tf, model, x, labels, { ops = model.manifest.ops, differentiable = false } = {}) {
  const t = model.tensors;
  for (const op of ops) {
    switch (op.op) {
      case "embed_concat": // [N, 2 zDim]: the class embedding beside z
        x = tf.concat([x, tf.gather(t[op.table], labels)], 1);
        break;
      case "linear": // [N, out]
        x = tf.add(tf.matMul(x, t[op.weight]), t[op.bias]);
        break;
      case "reshape": // [N, s0, s0, C], NHWC: the exporter ordered the linear's outputs so
        x = tf.reshape(x, [x.shape[0], ...op.shape]);
        break;
      case "flatten": // [N, H W C], NHWC order: the exporter ordered the next linear's rows so
        x = tf.reshape(x, [x.shape[0], -1]);
        break;
      case "conv2d": { // [N, H, W, in] -> [N, (H + 2 pad - k) / stride + 1, ..., out], PyTorch's zero padding
        const backward = differentiable && model.backward[op.filter];
        const pad = [[0, 0], [op.pad, op.pad], [op.pad, op.pad], [0, 0]];
        x = backward ? conv2dWithGradient(tf, x, { filter: t[op.filter], backward, pad })
          : tf.conv2d(x, t[op.filter], op.stride, op.pad);
        x = tf.add(x, t[op.bias]);
        break;
      }
      case "maxpool": // [N, H / 2, W / 2, C]
        x = tf.maxPool(x, op.size, op.size, "valid");
        break;
      case "conv_transpose": { // [N, H, W, in] -> [N, 2H, 2W, out]; PyTorch k4 s2 p1 == tf 'same'
        // wasm: conv2d(s) -> [N, H, W, 4 out] then depthToSpace, the same numbers 2-8x faster (XNNPACK);
        // tfjs's cpu backend is the other way round, so it keeps conv2dTranspose.
        const sub = tf.getBackend() === "wasm" && model.subpixel[op.filter];
        if (sub) {
          x = transposedConvBySubpixels(tf, x, sub, differentiable);
        } else {
          const [n, h, w] = x.shape;
          const filter = t[op.filter]; // [4, 4, out, in]
          const shape = [n, h * op.stride, w * op.stride, filter.shape[2]];
          x = tf.add(tf.conv2dTranspose(x, filter, shape, op.stride, op.pad), t[op.bias]);
        }
        break;
      }
      case "relu": x = tf.relu(x); break;
      case "silu": x = tf.mul(x, tf.sigmoid(x)); break;
      case "tanh": x = tf.tanh(x); break;
      case "sigmoid": x = tf.sigmoid(x); break;
      case "clamp": x = tf.clipByValue(x, op.min, op.max); break;
      case "to_uint8": // [N, H, W, C] in 0..255, as genimg.sampling.to_uint8 (round half to even)
        x = tf.round(tf.mul(tf.clipByValue(tf.div(tf.sub(x, op.low), 1 - op.low), 0, 1), 255));
        x = tf.cast(x, "int32");
        break;
      default:
        throw new Error(`unknown op ${op.op} in ${model.manifest.key}`);
    }
  }
  return x;
}

/** The whole op list on z [N, zDim] (+ labels [N] int32) -> uint8 images [N, H, W, C] as a tf.Tensor (int32);
 * for an encoder or classifier, images [N, H, W, C] in [0, 1] -> its outputs. */
export function forward(tf, model, z, labels) {
  return tf.tidy(() => applyOps(tf, model, z, labels));
}

/** A VAE encoder on one model input {width, height, channels, data: uint8} -> {mu, logvar} Float32Arrays [zDim],
 * as genimg.encode: pixels / 255, logvar clamped to the manifest's logvarRange (VAE.encode). */
export async function posterior(tf, encoder, input) {
  const { zDim, shape: [height, width, channels], logvarRange: [low, high] } = encoder.manifest;
  const stats = tf.tidy(() => {
    const x = tf.div(tf.tensor4d(Float32Array.from(input.data), [1, height, width, channels]), 255); // [1, H, W, C]
    return applyOps(tf, encoder, x, null); // [1, 2 zDim]: mu, then logvar
  });
  const values = await stats.data();
  stats.dispose();
  const logvar = values.slice(zDim, 2 * zDim).map((v) => Math.min(high, Math.max(low, v)));
  return { mu: values.slice(0, zDim), logvar };
}

/** Runs a batch: z Float32Array [N * zDim], labels Int32Array [N] or null -> [{width, height, channels, data}]. */
export async function run(tf, model, z, labels) {
  const { zDim, shape } = model.manifest;
  const n = z.length / zDim;
  const [height, width, channels] = shape;
  const zTensor = tf.tensor2d(z, [n, zDim]);
  const labelTensor = labels ? tf.tensor1d(labels, "int32") : null;
  const pixels = forward(tf, model, zTensor, labelTensor); // [N, H, W, C]
  zTensor.dispose();
  if (labelTensor) labelTensor.dispose();
  const values = await pixels.data();
  pixels.dispose();
  const size = height * width * channels;
  const images = [];
  for (let i = 0; i < n; i++) {
    images.push({ width, height, channels, data: Uint8Array.from(values.subarray(i * size, (i + 1) * size)) });
  }
  return images;
}
