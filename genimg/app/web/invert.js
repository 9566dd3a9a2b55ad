// Find an image in a GAN, in the browser: a port of genimg/inversion.py (StyleGAN's projector, Karras et al. 2020,
// appendix D). The best of START_SEEDS seeds (times the classifier's top START_CLASSES classes for a conditional
// GAN) are the starts; the best STARTS are descended side by side by Adam on z, the generator frozen, the step
// size ramped down to 0 by a cosine, on
//     loss(z) = mean (G(z, y) - x)^2 + FEATURE_WEIGHT * |f(G(z, y)) - f(x)|^2 / |f(x)|^2
// with images in [0, 1] and f the dataset's classifier's features; the closer result (pixel MSE of the uint8
// images) is kept. TensorFlow.js gradients through the generator's float ops (models.js, differentiable: no
// rounding, every op with a gradient). Every tensor is made in tf.tidy or disposed here. No DOM, no page state.

import { applyOps, floatOps, forward } from "./models.js";
import { latentsForSeeds } from "./sampling.js";

export const STEPS = 100; // as genimg.inversion
export const START_SEEDS = 256;
export const STARTS = 2;
export const START_CLASSES = 3;
export const LEARNING_RATE = 0.1;
export const FEATURE_WEIGHT = 0.03;
export const MAX_STEPS = 2000;
export const EVERY = 10; // steps between progress reports
const CHUNK = 256; // start images per forward pass
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }; // torch.optim.Adam's defaults

/** The classifier's features of images [N, H, W, C] in [0, 1] -> [N, F] (not tidied: composes in tf.grad). */
function features(tf, classifier, images) {
  return applyOps(tf, classifier, images, null, { ops: classifier.manifest.ops.slice(0, classifier.manifest.features),
                                                  differentiable: true });
}

/** The classes to start from: the given one, the classifier's top classes for the target, or all of them. */
async function startClasses(tf, generator, classifier, x, label) {
  const count = generator.manifest.classes.length;
  if (!count) return [null];
  if (label !== null) return [label];
  if (!classifier) return Array.from({ length: count }, (_, i) => i);
  const top = Math.min(START_CLASSES, count, classifier.manifest.classes.length);
  const indices = tf.tidy(() => tf.topk(applyOps(tf, classifier, x, null), top).indices); // [1, top]
  const classes = Array.from(await indices.data());
  indices.dispose();
  return classes;
}

/** The `count` (seed, label) pairs whose images are nearest the target x [1, H, W, C], by pixel MSE. */
async function bestStarts(tf, generator, x, labels, seeds, count) {
  const { zDim } = generator.manifest;
  const scored = []; // [mse, seed, label]
  for (const label of labels) {
    for (let start = 0; start < seeds; start += CHUNK) {
      const n = Math.min(CHUNK, seeds - start);
      const mse = tf.tidy(() => {
        const z = tf.tensor2d(latentsForSeeds(Array.from({ length: n }, (_, i) => start + i), zDim), [n, zDim]);
        const y = label === null ? null : tf.fill([n], label, "int32");
        const images = tf.div(tf.add(applyOps(tf, generator, z, y, { ops: floatOps(generator) }), 1), 2);
        // images: [n, H, W, C] in [0, 1]
        return tf.mean(tf.square(tf.sub(images, x)), [1, 2, 3]); // [n]
      });
      const values = await mse.data();
      mse.dispose();
      values.forEach((m, i) => scored.push([m, start + i, label]));
    }
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] ?? 0) - (b[2] ?? 0)); // Python sorts the tuples
  return scored.slice(0, count).map(([, seed, label]) => ({ seed, label }));
}

/** The best of the starts so far, by the pixel MSE of their uint8 images (inversion.snapshot). */
async function snapshot(tf, generator, z, y, target, starts, step, steps) {
  const pixels = forward(tf, generator, z, y); // [K, H, W, C] int32 in 0..255
  const values = await pixels.data();
  pixels.dispose();
  const size = target.data.length;
  let best = null;
  for (let k = 0; k < starts.length; k++) {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += ((values[k * size + i] - target.data[i]) / 255) ** 2;
    if (best === null || sum / size < best.mse) best = { k, mse: sum / size };
  }
  const zValues = await z.data();
  const { width, height, channels } = target;
  return {
    width, height, channels,
    data: Uint8Array.from(values.subarray(best.k * size, (best.k + 1) * size)),
    z: Float32Array.from(zValues.subarray(best.k * z.shape[1], (best.k + 1) * z.shape[1])),
    labelIndex: starts[best.k].label,
    mse: best.mse,
    psnr: best.mse > 0 ? 10 * Math.log10(1 / best.mse) : Infinity,
    step, steps, startSeed: starts[best.k].seed,
  };
}

/**
 * Inverts a target {width, height, channels, data: uint8} of the generator's shape.
 * models: {generator, classifier (null: pixels only, all classes tried)} as models.js loads them.
 * options: steps, seeds (starting points tried), label (a class index to keep; null: search), every, onStep
 * (awaited with each snapshot: after the start and every `every` steps). Returns the last snapshot:
 * {width, height, channels, data, z, labelIndex, mse, psnr, step, steps, startSeed}.
 */
export async function invertTarget(tf, { generator, classifier }, target, options = {}) {
  const { steps = STEPS, seeds = START_SEEDS, label = null, every = EVERY, onStep = null } = options;
  const { zDim, shape: [height, width, channels] } = generator.manifest;
  const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(target.data), [1, height, width, channels]), 255));
  const held = [x]; // disposed at the end, whatever happens
  try {
    const labels = await startClasses(tf, generator, classifier, x, label);
    const starts = await bestStarts(tf, generator, x, labels, seeds, Math.min(STARTS, seeds));
    const k = starts.length;
    const variable = (initial) => tf.tidy(() => tf.variable(initial())); // tidy frees the initial value's tensor
    const z = variable(() => tf.tensor2d(latentsForSeeds(starts.map((s) => s.seed), zDim), [k, zDim])); // [K, zDim]
    const y = starts[0].label === null ? null : tf.tensor1d(starts.map((s) => s.label), "int32"); // [K]
    const m = variable(() => tf.zeros([k, zDim])); // Adam's moments
    const v = variable(() => tf.zeros([k, zDim]));
    held.push(z, m, v, ...(y ? [y] : []));
    const targetFeatures = classifier ? tf.tidy(() => features(tf, classifier, x)) : null; // [1, F]
    const featureScale = classifier ? tf.tidy(() => tf.maximum(tf.sum(tf.square(targetFeatures)), 1e-8)) : null;
    if (classifier) held.push(targetFeatures, featureScale);

    const loss = (latent) => { // the summed loss of the K starts: they do not interact, the sum keeps them apart
      const fake = tf.div(tf.add(applyOps(tf, generator, latent, y, { ops: floatOps(generator), differentiable: true }),
                                 1), 2); // [K, H, W, C] in [0, 1]
      let each = tf.mean(tf.square(tf.sub(fake, x)), [1, 2, 3]); // [K]
      if (classifier) {
        const distance = tf.sum(tf.square(tf.sub(features(tf, classifier, fake), targetFeatures)), 1); // [K]
        each = tf.add(each, tf.mul(FEATURE_WEIGHT, tf.div(distance, featureScale)));
      }
      return tf.sum(each);
    };
    const gradient = tf.grad(loss);

    let found = await snapshot(tf, generator, z, y, target, starts, 0, steps);
    if (onStep) await onStep(found);
    for (let step = 1; step <= steps; step++) {
      const rate = LEARNING_RATE * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / steps)); // StyleGAN's ramp
      tf.tidy(() => { // torch.optim.Adam, the same formula: p -= (rate / c1) m / (sqrt(v) / sqrt(c2) + eps)
        const g = gradient(z); // [K, zDim]
        m.assign(tf.add(tf.mul(m, ADAM.beta1), tf.mul(g, 1 - ADAM.beta1)));
        v.assign(tf.add(tf.mul(v, ADAM.beta2), tf.mul(tf.square(g), 1 - ADAM.beta2)));
        const c1 = 1 - ADAM.beta1 ** step;
        const c2 = 1 - ADAM.beta2 ** step;
        const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(c2)), ADAM.epsilon);
        z.assign(tf.sub(z, tf.mul(rate / c1, tf.div(m, denominator))));
      });
      if (step % every === 0 || step === steps) {
        found = await snapshot(tf, generator, z, y, target, starts, step, steps);
        if (onStep) await onStep(found);
      }
    }
    return found;
  } finally {
    held.forEach((t) => t.dispose());
  }
}
