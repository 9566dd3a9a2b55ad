// The browser's model runner (genimg/app/web/models.js) and inversion (invert.js) in Node, on tiny models built here,
// with the vendored TensorFlow.js's cpu backend: float16 weights and prior.bin read right; wasm's faster forms of the
// transposed conv (four 2x2 convs, or one 3x3 conv, + depthToSpace by transpose) and the hand-made input gradients
// equal tfjs's own ops and gradients; inversion improves on its start and leaves no tensor behind; editedLatent.
// Parity with the Python side is checked in tests/test_browser_parity.py (in Chromium, with wasm).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

import { EVERY, invertTarget } from "../../genimg/app/web/invert.js";
import { applyOps, disposeModel, floatOps, forward, modelFromBuffer, posterior, priorFromBuffer }
  from "../../genimg/app/web/models.js";
import { editedLatent, latentsForSeeds } from "../../genimg/app/web/sampling.js";

const tf = createRequire(import.meta.url)("../../genimg/app/web/vendor/tfjs/tf.min.js");
await tf.setBackend("cpu");
// The same tf, reporting "wasm": models.js then takes the paths it takes in the browser (on cpu kernels here).
const asWasm = Object.assign(Object.create(tf), { getBackend: () => "wasm" });

/** Deterministic weights in [-scale, scale) (a linear congruential generator). */
function weights(count, seed, scale = 0.5) {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  });
}

/** {name: [shape, values]} + op list + info -> a loaded model, its blob float32 as browser_weights writes it. */
function build(info, ops, named) {
  const specs = [];
  let offset = 0;
  for (const [name, [shape]] of Object.entries(named)) {
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, offset, bytes });
    offset += bytes;
  }
  const buffer = new ArrayBuffer(offset);
  specs.forEach((spec) => new Float32Array(buffer, spec.offset, spec.bytes / 4).set(named[spec.name][1]));
  const manifest = { key: "tiny", dtype: "float32", weights: { file: "weights.bin", bytes: offset }, tensors: specs,
                     ops, ...info };
  return modelFromBuffer(tf, manifest, buffer);
}

const Z = 4;
const CLASSES = 3;
/** A conditional generator: [z, embed(y)] -> linear -> [2, 2, 16] -> conv_transpose 16 -> 8 (four 2x2 convs on wasm)
 * -> [4, 4, 8] -> conv_transpose 8 -> 1 (one 3x3 conv on wasm) -> [8, 8, 1], tanh. */
function tinyGenerator() {
  const named = {
    "0.table": [[CLASSES, Z], weights(CLASSES * Z, 1)],
    "1.weight": [[2 * Z, 64], weights(2 * Z * 64, 2)], "1.bias": [[64], weights(64, 3, 0.1)],
    "4.filter": [[4, 4, 8, 16], weights(16 * 16 * 8, 4, 0.3)], "4.bias": [[8], weights(8, 5, 0.1)],
    "6.filter": [[4, 4, 1, 8], weights(16 * 8, 6, 0.3)], "6.bias": [[1], weights(1, 7, 0.1)],
  };
  const ops = [{ op: "embed_concat", table: "0.table" }, { op: "linear", weight: "1.weight", bias: "1.bias" },
    { op: "relu" }, { op: "reshape", shape: [2, 2, 16] },
    { op: "conv_transpose", filter: "4.filter", bias: "4.bias", stride: 2, pad: "same" }, { op: "relu" },
    { op: "conv_transpose", filter: "6.filter", bias: "6.bias", stride: 2, pad: "same" }, { op: "tanh" },
    { op: "to_uint8", low: -1 }];
  return build({ kind: "gan", part: "generator", zDim: Z, shape: [8, 8, 1], classes: ["a", "b", "c"] }, ops, named);
}

/** A classifier: conv2d 3x3 1 -> 4, relu, maxpool -> [4, 4, 4], flatten, linear -> 6 features, relu | linear -> 2. */
function tinyClassifier() {
  const named = {
    "0.filter": [[3, 3, 1, 4], weights(36, 11)], "0.bias": [[4], weights(4, 12, 0.1)],
    "4.weight": [[64, 6], weights(384, 13, 0.3)], "4.bias": [[6], weights(6, 14, 0.1)],
    "6.weight": [[6, 2], weights(12, 15)], "6.bias": [[2], weights(2, 16, 0.1)],
  };
  const ops = [{ op: "conv2d", filter: "0.filter", bias: "0.bias", stride: 1, pad: 1 }, { op: "relu" },
    { op: "maxpool", size: 2 }, { op: "flatten" }, { op: "linear", weight: "4.weight", bias: "4.bias" },
    { op: "relu" }, { op: "linear", weight: "6.weight", bias: "6.bias" }];
  return build({ kind: "classifier", part: "classifier", shape: [8, 8, 1], classes: ["x", "y"], features: 6 }, ops,
               named);
}

function maxAbsDiff(a, b) {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test("float16 weights decode as IEEE 754 halves", () => {
  const half = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555]);
  const manifest = { key: "f16", dtype: "float16", weights: { bytes: 10 }, ops: [],
                     tensors: [{ name: "w", shape: [5], offset: 0, bytes: 10 }] };
  const model = modelFromBuffer(tf, manifest, half.buffer);
  assert.deepEqual(Array.from(model.tensors.w.dataSync()), [1, -2, 65504, 2 ** -24, Math.fround(0.333251953125)]);
  disposeModel(model);
  assert.throws(() => modelFromBuffer(tf, manifest, new ArrayBuffer(8)), /8 bytes of weights, the manifest says 10/);
});

test("prior.bin reads as probabilities, means and lower-triangular Cholesky factors", () => {
  const values = Float64Array.from([0.25, 0.75, 1, 2, 3, 4, 1.5, 0.5, 2.5, 0.1, 0.2, 0.3]); // K = 2, D = 2
  const spec = { components: 2, zDim: 2, bytes: values.byteLength };
  assert.deepEqual(priorFromBuffer(spec, values.buffer), {
    probabilities: [0.25, 0.75], means: [[1, 2], [3, 4]], cholesky: [[[1.5, 0], [0.5, 2.5]], [[0.1, 0], [0.2, 0.3]]],
  });
  assert.throws(() => priorFromBuffer({ ...spec, bytes: 104 }, new ArrayBuffer(104)), /expected 104 for 2 components/);
});

test("wasm's forms of the transposed conv give tfjs's conv2dTranspose numbers, and the same input gradient", () => {
  const model = tinyGenerator();
  assert.ok(model.subpixel["4.filter"].phases && model.subpixel["6.filter"].conv); // both forms are exercised
  const before = tf.memory().numTensors;
  const z = tf.tensor2d(latentsForSeeds([0, 1, 2], Z), [3, Z]);
  const y = tf.tensor1d([0, 2, 1], "int32");
  const ops = floatOps(model);
  for (const differentiable of [false, true]) {
    const ours = tf.tidy(() => applyOps(asWasm, model, z, y, { ops, differentiable }));
    const theirs = tf.tidy(() => applyOps(tf, model, z, y, { ops }));
    assert.ok(maxAbsDiff(ours, theirs) < 1e-5 && tf.tidy(() => tf.moments(theirs).variance.dataSync()[0]) > 1e-3);
    ours.dispose();
    theirs.dispose();
  }
  const loss = (backend) => (latent) => tf.sum(tf.square(applyOps(backend, model, latent, y,
                                                                  { ops, differentiable: true })));
  const ours = tf.grad(loss(asWasm))(z);
  const theirs = tf.grad(loss(tf))(z);
  const scale = tf.tidy(() => tf.max(tf.abs(theirs)).dataSync()[0]);
  assert.ok(scale > 1e-3 && maxAbsDiff(ours, theirs) < 1e-4 * Math.max(1, scale));
  [ours, theirs, z, y].forEach((t) => t.dispose());
  assert.equal(tf.memory().numTensors, before);
  disposeModel(model);
});

test("forward is the float ops then to_uint8 (round half to even of the [0, 255] value)", () => {
  const model = tinyGenerator();
  const z = tf.tensor2d(latentsForSeeds([3, 4], Z), [2, Z]);
  const y = tf.tensor1d([1, 1], "int32");
  const pixels = forward(tf, model, z, y);
  const float = tf.tidy(() => applyOps(tf, model, z, y, { ops: floatOps(model) }));
  const expected = float.dataSync().map((v) => Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255));
  assert.equal(pixels.dtype, "int32");
  assert.deepEqual(pixels.shape, [2, 8, 8, 1]);
  pixels.dataSync().forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1));
  [z, y, pixels, float].forEach((t) => t.dispose());
  disposeModel(model);
});

test("the conv2d input gradient by the turned kernel equals tfjs's own", () => {
  const model = tinyClassifier();
  assert.ok(model.backward["0.filter"]);
  const x = tf.tensor4d(weights(2 * 64, 21, 1).map(Math.abs), [2, 8, 8, 1]);
  const ops = model.manifest.ops.slice(0, model.manifest.features);
  const loss = (differentiable) => (images) => tf.sum(tf.square(applyOps(tf, model, images, null,
                                                                          { ops, differentiable })));
  const ours = tf.grad(loss(true))(x);
  const theirs = tf.grad(loss(false))(x);
  assert.ok(maxAbsDiff(ours, theirs) < 1e-5 && tf.tidy(() => tf.sum(tf.abs(theirs)).dataSync()[0]) > 1e-3);
  [x, ours, theirs].forEach((t) => t.dispose());
  disposeModel(model);
});

test("inversion finds a generated image again, reports progress, and leaves no tensor behind", async () => {
  const generator = tinyGenerator();
  const classifier = tinyClassifier();
  const z = tf.tensor2d(latentsForSeeds([40], Z), [1, Z]);
  const label = tf.tensor1d([2], "int32");
  const pixels = forward(tf, generator, z, label);
  const target = { width: 8, height: 8, channels: 1, data: Uint8Array.from(pixels.dataSync()) };
  [z, label, pixels].forEach((t) => t.dispose());
  for (const [backend, models] of [[tf, { generator, classifier }], [asWasm, { generator, classifier: null }]]) {
    const before = tf.memory().numTensors;
    const steps = [];
    const found = await invertTarget(backend, models, target, { steps: 30, seeds: 4, onStep: (s) => steps.push(s) });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(steps.map((s) => s.step), [0, 10, 20, 30]);
    assert.equal(EVERY, 10);
    assert.ok(found.mse < 0.5 * steps[0].mse, `${found.mse} from ${steps[0].mse}`);
    assert.deepEqual([found.width, found.height, found.channels, found.data.length, found.z.length], [8, 8, 1, 64, Z]);
    assert.ok([0, 1, 2].includes(found.labelIndex) && found.startSeed >= 0 && found.startSeed < 4);
  }
  const kept = await invertTarget(tf, { generator, classifier }, target, { steps: 0, seeds: 4, label: 1 });
  assert.equal(kept.labelIndex, 1); // a label asked for is kept
  disposeModel(generator);
  disposeModel(classifier);
});

test("an encoder's posterior splits mu and logvar and clamps logvar", async () => {
  const named = { "0.filter": [[4, 4, 1, 2], weights(32, 31)], "0.bias": [[2], weights(2, 32, 0.1)],
                  "3.weight": [[8, 4], weights(32, 33)], "3.bias": [[4], Float32Array.from([0, 0, 50, -50])] };
  const ops = [{ op: "conv2d", filter: "0.filter", bias: "0.bias", stride: 2, pad: 1 }, { op: "silu" },
    { op: "flatten" }, { op: "linear", weight: "3.weight", bias: "3.bias" }]; // [1, 4, 4, 1] -> [1, 2, 2, 2] -> 4
  const encoder = build({ kind: "vae", part: "encoder", zDim: 2, shape: [4, 4, 1], logvarRange: [-12, 8] }, ops, named);
  const before = tf.memory().numTensors;
  const input = { width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(200) };
  const { mu, logvar } = await posterior(tf, encoder, input);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(mu.length, 2);
  assert.deepEqual(Array.from(logvar), [8, -12]);
  disposeModel(encoder);
});

test("editedLatent adds offsets along the first K directions, in float32", () => {
  const z = Float32Array.from([0.5, -1, 2]);
  const directions = [[1, 0, 0], [0, 0.6, 0.8], [0, 1, 0]];
  assert.deepEqual(Array.from(editedLatent(z, [2, -1], directions)), [2.5, -1.6, 1.2].map(Math.fround));
  assert.deepEqual(Array.from(editedLatent(z, [], directions)), Array.from(z));
  assert.throws(() => editedLatent(z, [1, NaN], directions), /offsets must be a list of finite numbers/);
  assert.throws(() => editedLatent(z, [1, 1, 1, 1], directions), /4 offsets for 3 directions; at most 3/);
  assert.throws(() => editedLatent(z, [1], [[1, 0]]), /each direction of 3 numbers/);
});
