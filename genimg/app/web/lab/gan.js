// A GAN on 2-D points (Goodfellow et al. 2014): a small MLP generator G maps uniform noise in
// [-1, 1]^2 to points, a small MLP discriminator D scores points (logit: real vs generated). Everything a
// lab view shows comes from here: training steps, klGrid, and view() (D's heat map, G's points and the
// gradient on them, the warped noise grid). One run = one pair of networks; no DOM, no drawing.

import { SQUARE, samplerFor, sample } from "./datasets.js";
import { Adam, Sgd, makeMlp, mlpVariables, restoreVariables, runMlp, saveVariables } from "./nn.js";
import { SEED, checkOptions } from "./options.js";
import { Random } from "./random.js";

export const GAN_OPTIONS = {
  data: { default: "ring", check: (value) => (samplerFor(value), value) },
  seed: SEED,
  lrG: { default: 0.1, min: 1e-6, max: 10 }, // learning rate of G
  lrD: { default: 0.1, min: 1e-6, max: 10 }, // learning rate of D
  dSteps: { default: 1, min: 1, max: 10, integer: true }, // D updates per G update
  loss: { default: "nonsaturating", oneOf: ["nonsaturating", "minimax"] },
  optimizer: { default: "sgd", oneOf: ["sgd", "adam"] }, // Adam with beta1 = 0.5, as DCGAN
  batch: { default: 128, min: 8, max: 1024, integer: true },
  hidden: { default: 32, min: 4, max: 256, integer: true }, // units per hidden layer, G and D
  layers: { default: 2, min: 1, max: 4, integer: true }, // hidden layers, G and D
};
export const NOISE_DIM = 2; // 2-D noise, so the noise grid can be drawn as G warps it
export const QUALITY_POINTS = 4000;
export const QUALITY_BINS = 20;
const QUALITY_SEED = 20240; // klGrid's real and noise samples: fixed, and apart from the training stream
const ALPHA = 0.5; // klGrid smoothing: +0.5 to every bin count of both histograms (Krichevsky-Trofimov)

/**
 * KL(P || Q) between two point sets binned on a bins x bins grid over the square [-1, 1]^2.
 * p_i = (count_i + 0.5) / (N + 0.5 * bins^2), likewise q_i, so a bin that one set misses costs a large
 * but finite amount. A point outside the square falls in no bin: its mass is missing from the grid.
 * real, generated: Float32Array [N, 2]. Returns nats.
 */
export function klGrid(real, generated, bins = QUALITY_BINS) {
  const histogram = (points) => {
    const counts = new Float64Array(bins * bins);
    for (let i = 0; i < points.length; i += 2) {
      const col = Math.floor((points[i] - SQUARE.min) / (SQUARE.max - SQUARE.min) * bins);
      const row = Math.floor((points[i + 1] - SQUARE.min) / (SQUARE.max - SQUARE.min) * bins);
      if (col >= 0 && col < bins && row >= 0 && row < bins) counts[row * bins + col] += 1;
    }
    const total = points.length / 2 + ALPHA * bins * bins;
    return counts.map((c) => (c + ALPHA) / total);
  };
  const p = histogram(real);
  const q = histogram(generated);
  let kl = 0;
  for (let i = 0; i < p.length; i++) kl += p[i] * Math.log(p[i] / q[i]);
  return kl;
}

export class GanRun {
  /** options: as checked by checkOptions(GAN_OPTIONS); from: a state() to continue from. */
  constructor(tf, given, from = null) {
    this.tf = tf;
    this.kind = "gan";
    this.options = checkOptions("gan", GAN_OPTIONS, given);
    this.sampler = samplerFor(this.options.data);
    const { seed, hidden, layers } = this.options;
    this.random = new Random(seed);
    const sizes = (input, output) => [input, ...Array(layers).fill(hidden), output];
    this.generator = makeMlp(tf, this.random, sizes(NOISE_DIM, 2)); // [N, 2] noise -> [N, 2] points
    this.discriminator = makeMlp(tf, this.random, sizes(2, 1)); // [N, 2] points -> [N, 1] logits
    this.gVariables = mlpVariables(this.generator);
    this.dVariables = mlpVariables(this.discriminator);
    const optimizer = (variables, lr) =>
      (this.options.optimizer === "adam" ? new Adam(tf, variables, lr, 0.5) : new Sgd(tf, variables, lr));
    this.optimizerG = optimizer(this.gVariables, this.options.lrG);
    this.optimizerD = optimizer(this.dVariables, this.options.lrD);
    // -1 for the real half of a D batch, +1 for the fake half: softplus(sign * logit) is D's loss per point
    this.dSign = tf.tidy(() => tf.concat([tf.fill([this.options.batch, 1], -1), tf.fill([this.options.batch, 1], 1)]));
    this.steps = 0;
    this.diverged = false;
    this.history = []; // [{step, dLoss, gLoss}]
    // What view() shows: fixed real points and fixed noise, so the picture moves only because G moves.
    const viewRandom = new Random(seed ^ 0x5eed);
    this.viewReal = sample(this.sampler, viewRandom, 300); // [300, 2]
    this.viewNoise = viewRandom.uniforms(2 * 300, -1, 1); // [300, 2]
    if (from) this.restore(from);
  }

  /** Changes the options a run can change while it trains (learning rates, D steps, loss). */
  configure(changes) {
    const allowed = ["lrG", "lrD", "dSteps", "loss"];
    const bad = Object.keys(changes).find((name) => !allowed.includes(name));
    if (bad) throw new Error(`gan lab: configure accepts ${allowed.join(", ")}; '${bad}' needs a new run`);
    this.options = checkOptions("gan", GAN_OPTIONS, { ...this.options, ...changes });
    this.optimizerG.lr = this.options.lrG;
    this.optimizerD.lr = this.options.lrD;
  }

  generate(z) {
    return runMlp(this.tf, this.generator, z, "leakyrelu"); // [N, 2]
  }

  score(x) {
    return runMlp(this.tf, this.discriminator, x, "leakyrelu"); // [N, 1] logits
  }

  /** G's loss per generated point x, from D's logit l: minimax log(1 - D(x)) = -softplus(l);
   *  non-saturating -log D(x) = softplus(-l) (Goodfellow et al. 2014, section 3). */
  generatorLoss(logits) {
    const { tf } = this;
    return this.options.loss === "minimax" ? tf.neg(tf.softplus(logits)) : tf.softplus(tf.neg(logits));
  }

  /** n training steps: each is dSteps updates of D, then one of G. Returns the last losses. */
  step(n = 1) {
    const { tf, options } = this;
    const { batch } = options;
    let dLoss = NaN;
    let gLoss = NaN;
    for (let s = 0; s < n && !this.diverged; s++) {
      for (let k = 0; k < options.dSteps; k++) {
        const real = tf.tensor2d(sample(this.sampler, this.random, batch), [batch, 2]);
        const z = tf.tensor2d(this.random.uniforms(batch * NOISE_DIM, -1, 1), [batch, NOISE_DIM]);
        const fake = tf.tidy(() => this.generate(z)); // [B, 2], a constant for D's update
        // D maximises log D(x) + log(1 - D(G(z))): minimise softplus(-l_real) + softplus(l_fake), one pass
        // over both halves of [real; fake] ([2B, 2] -> [2B, 1] logits)
        const { value, grads } = tf.variableGrads(() => tf.mul(
          tf.mean(tf.softplus(tf.mul(this.score(tf.concat([real, fake])), this.dSign))), 2), this.dVariables);
        this.optimizerD.apply(grads);
        dLoss = value.dataSync()[0];
        tf.dispose([real, z, fake, value, grads]);
      }
      const z = tf.tensor2d(this.random.uniforms(batch * NOISE_DIM, -1, 1), [batch, NOISE_DIM]);
      const { value, grads } = tf.variableGrads(
        () => tf.mean(this.generatorLoss(this.score(this.generate(z)))), this.gVariables);
      this.optimizerG.apply(grads);
      gLoss = value.dataSync()[0];
      tf.dispose([z, value, grads]);
      this.steps += 1;
      this.history.push({ step: this.steps, dLoss, gLoss });
      // a loss that is not a number means the weights blew up (too large a step): training stops here
      this.diverged = !Number.isFinite(dLoss) || !Number.isFinite(gLoss);
    }
    return { step: this.steps, dLoss, gLoss, diverged: this.diverged };
  }

  /** {klGrid}: KL(real || generated) over QUALITY_POINTS of each on a QUALITY_BINS^2 grid (see klGrid). */
  quality() {
    const random = new Random(QUALITY_SEED);
    const real = sample(this.sampler, random, QUALITY_POINTS);
    const noise = random.uniforms(QUALITY_POINTS * NOISE_DIM, -1, 1);
    const generated = this.tf.tidy(() => this.generate(this.tf.tensor2d(noise, [QUALITY_POINTS, NOISE_DIM])).dataSync());
    return { klGrid: klGrid(real, generated) };
  }

  /**
   * What the canvas draws, all in data coordinates:
   *   real [300, 2], fake [300, 2] (G of fixed noise), push [300, 2] (minus the gradient of G's loss at
   *   each fake point: where G moves it), heat [cells * cells] (D(x) in [0, 1] at cell centres, row 0 at
   *   y = -1), grid [2 * lines * samples, 2] (the noise square's grid lines through G; `lines` lines of
   *   `samples` points each way).
   */
  view(cells = 32, lines = 11, samples = 21) {
    const { tf } = this;
    return tf.tidy(() => {
      const fake = this.generate(tf.tensor2d(this.viewNoise, [300, NOISE_DIM])); // [300, 2]
      const lossAt = (x) => tf.sum(this.generatorLoss(this.score(x)));
      const push = tf.neg(tf.grad(lossAt)(fake)); // [300, 2]
      const centres = new Float32Array(2 * cells * cells);
      for (let row = 0; row < cells; row++) {
        for (let col = 0; col < cells; col++) {
          centres[2 * (row * cells + col)] = -1 + (2 * col + 1) / cells;
          centres[2 * (row * cells + col) + 1] = -1 + (2 * row + 1) / cells;
        }
      }
      const heat = tf.sigmoid(this.score(tf.tensor2d(centres, [cells * cells, 2]))); // [cells^2, 1]
      const noiseGrid = new Float32Array(2 * 2 * lines * samples);
      let i = 0;
      for (const across of [true, false]) {
        for (let l = 0; l < lines; l++) {
          for (let s = 0; s < samples; s++) {
            const [a, b] = [-1 + 2 * l / (lines - 1), -1 + 2 * s / (samples - 1)];
            noiseGrid[i++] = across ? b : a;
            noiseGrid[i++] = across ? a : b;
          }
        }
      }
      const grid = this.generate(tf.tensor2d(noiseGrid, [2 * lines * samples, NOISE_DIM])); // [2*lines*samples, 2]
      return {
        real: this.viewReal, fake: fake.dataSync(), push: push.dataSync(), heat: heat.dataSync(),
        grid: grid.dataSync(), cells, lines, samples,
      };
    });
  }

  /** Everything needed to continue this run exactly: options, weights, Adam moments, random stream. */
  state() {
    return {
      kind: "gan", version: 1, options: { ...this.options }, steps: this.steps, history: this.history.slice(),
      diverged: this.diverged,
      random: this.random.save(), generator: saveVariables(this.gVariables),
      discriminator: saveVariables(this.dVariables),
      optimizerG: this.optimizerG.save(), optimizerD: this.optimizerD.save(),
    };
  }

  restore(saved) {
    restoreVariables(this.tf, this.gVariables, saved.generator);
    restoreVariables(this.tf, this.dVariables, saved.discriminator);
    this.optimizerG.restore(saved.optimizerG);
    this.optimizerD.restore(saved.optimizerD);
    this.random = Random.restore(saved.random);
    this.steps = saved.steps;
    this.history = saved.history.slice();
    this.diverged = Boolean(saved.diverged);
  }

  dispose() {
    this.tf.dispose([...this.gVariables, ...this.dVariables, this.dSign]);
    this.optimizerG.dispose();
    this.optimizerD.dispose();
  }
}
