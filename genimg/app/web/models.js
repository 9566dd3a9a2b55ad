// Runs one exported genimg model (genimg/browser_weights.py) with TensorFlow.js: fetch its manifest and
// weights once, rebuild the op list as tfjs ops on NHWC tensors, return uint8 pixels.

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

/** Fetches manifest.json and weights.bin; returns {manifest, tensors, subpixel} (tensors kept, not tidied). */
export async function loadModel(tf, manifestUrl) {
  const response = await fetch(manifestUrl);
  if (!response.ok) throw new Error(`could not fetch ${manifestUrl}: HTTP ${response.status}`);
  const manifest = await response.json();
  const weightsUrl = new URL(manifest.weights.file, new URL(manifestUrl, document.baseURI)).href;
  const blob = await fetch(weightsUrl);
  if (!blob.ok) throw new Error(`could not fetch ${weightsUrl}: HTTP ${blob.status}`);
  const buffer = await blob.arrayBuffer();
  if (buffer.byteLength !== manifest.weights.bytes) {
    throw new Error(`${weightsUrl}: ${buffer.byteLength} bytes, the manifest says ${manifest.weights.bytes}`);
  }
  const values = {};
  const tensors = {};
  for (const spec of manifest.tensors) {
    values[spec.name] = readTensor(buffer, spec, manifest.dtype);
    tensors[spec.name] = tf.tensor(values[spec.name], spec.shape, "float32");
  }
  const subpixel = {}; // filter name -> {filter, bias} for the sub-pixel form of each k4 s2 transposed conv
  for (const op of manifest.ops) {
    if (op.op !== "conv_transpose" || op.stride !== 2 || op.pad !== "same" || tensors[op.filter].shape[0] !== 4) {
      continue;
    }
    const { kernel, tiled } = subpixelKernel(values[op.filter], values[op.bias], tensors[op.filter].shape);
    const [, , cOut, cIn] = tensors[op.filter].shape;
    subpixel[op.filter] = { filter: tf.tensor4d(kernel, [3, 3, cIn, 4 * cOut]), bias: tf.tensor1d(tiled) };
  }
  return { manifest, tensors, subpixel };
}

/** The op list on z [N, zDim] (+ labels [N] int32) -> uint8 images [N, H, W, C] as a tf.Tensor (int32). */
export function forward(tf, model, z, labels) {
  const t = model.tensors;
  return tf.tidy(() => {
    let x = z; // [N, zDim]
    for (const op of model.manifest.ops) {
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
        case "conv_transpose": { // [N, H, W, in] -> [N, 2H, 2W, out]; PyTorch k4 s2 p1 == tf 'same'
          // wasm: conv2d -> [N, H, W, 4 out] then depthToSpace, the same numbers 2-4x faster (XNNPACK);
          // tfjs's cpu backend is the other way round, so it keeps conv2dTranspose.
          const sub = tf.getBackend() === "wasm" && model.subpixel[op.filter];
          if (sub) {
            const conv = tf.fused.conv2d({ x, filter: sub.filter, strides: 1, pad: "same", bias: sub.bias });
            x = tf.depthToSpace(conv, op.stride);
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
  });
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
