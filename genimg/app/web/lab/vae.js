// A VAE with a 2-D latent on 28x28 digits (Kingma & Welling 2014): an MLP encoder q(z|x) gives a mean and
// a log-variance per digit, an MLP decoder p(x|z) gives 784 Bernoulli logits. Trained on the lab's 1,800
// digits; 200 held-out digits give the held-out loss and the encodings the lab draws. The KL term is
// weighted by beta (beta-VAE, Higgins et al. 2017) to show the trade-off. No DOM, no drawing.

import { Adam, makeMlp, mlpVariables, restoreVariables, runMlp, saveVariables } from "./nn.js";
import { SEED, checkOptions } from "./options.js";
import { Random } from "./random.js";

export const VAE_OPTIONS = {
  data: { default: "digits", oneOf: ["digits"] },
  seed: SEED,
  beta: { default: 1, min: 0, max: 50 }, // weight of the KL term; 1 = the ELBO
  lr: { default: 0.002, min: 1e-6, max: 1 }, // Adam learning rate
  batch: { default: 100, min: 10, max: 1800, integer: true },
  hidden: { default: 128, min: 16, max: 1024, integer: true }, // units of the one hidden layer, encoder and decoder
};
export const Z_DIM = 2;
export const PIXELS = 784;
export const SPAN = 4; // the latent square the lab draws: [-4, 4]^2 (early codes spread wide)
const QUALITY_SEED = 20241; // the held-out loss's noise: fixed, apart from the training stream

export class VaeRun {
  constructor(tf, given, digits, from = null) {
    this.tf = tf;
    this.kind = "vae";
    this.options = checkOptions("vae", VAE_OPTIONS, given);
    const { seed, hidden } = this.options;
    this.random = new Random(seed);
    this.encoder = makeMlp(tf, this.random, [PIXELS, hidden, 2 * Z_DIM]); // [N, 784] -> [N, 4]: mu, logvar
    this.decoder = makeMlp(tf, this.random, [Z_DIM, hidden, PIXELS]); // [N, 2] -> [N, 784] logits
    this.variables = [...mlpVariables(this.encoder), ...mlpVariables(this.decoder)];
    this.optimizer = new Adam(tf, this.variables, this.options.lr);
    this.train = tf.tensor2d(digits.train, [digits.trainLabels.length, PIXELS]); // [1800, 784]
    this.heldOut = tf.tensor2d(digits.heldOut, [digits.heldOutLabels.length, PIXELS]); // [200, 784]
    this.heldOutLabels = digits.heldOutLabels;
    this.trainCount = digits.trainLabels.length;
    this.steps = 0;
    this.order = null; // this epoch's shuffled order of the training digits
    this.history = []; // [{step, epoch, loss, recon, kl}]
    if (from) this.restore(from);
  }

  get stepsPerEpoch() {
    return Math.ceil(this.trainCount / this.options.batch);
  }

  get epoch() {
    return this.steps / this.stepsPerEpoch;
  }

  configure(changes) {
    const allowed = ["beta", "lr"];
    const bad = Object.keys(changes).find((name) => !allowed.includes(name));
    if (bad) throw new Error(`vae lab: configure accepts ${allowed.join(", ")}; '${bad}' needs a new run`);
    this.options = checkOptions("vae", VAE_OPTIONS, { ...this.options, ...changes });
    this.optimizer.lr = this.options.lr;
  }

  /** x [N, 784], eps [N, 2] -> {recon, kl}: per-digit means over the batch, in nats. */
  terms(x, eps) {
    const { tf } = this;
    const stats = runMlp(tf, this.encoder, x); // [N, 4]
    const mu = stats.slice([0, 0], [-1, Z_DIM]); // [N, 2]
    const logvar = stats.slice([0, Z_DIM], [-1, Z_DIM]); // [N, 2]
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)); // reparameterisation: [N, 2]
    const logits = runMlp(tf, this.decoder, z); // [N, 784]
    // -log p(x|z), Bernoulli: BCE(x, sigmoid(l)) = softplus(l) - x * l, summed over pixels
    const recon = tf.mean(tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits)), 1));
    // KL(q(z|x) || N(0, I)) = -1/2 sum(1 + logvar - mu^2 - exp(logvar)): Kingma & Welling 2014, appendix B
    const kl = tf.mean(tf.mul(tf.sum(tf.sub(tf.add(logvar, 1), tf.add(tf.square(mu), tf.exp(logvar))), 1), -0.5));
    return { recon, kl };
  }

  /** n minibatch steps (an epoch is ceil(1800 / batch) of them). Returns the last losses. */
  step(n = 1) {
    const { tf } = this;
    const { batch, beta } = this.options;
    let last = null;
    for (let s = 0; s < n; s++) {
      const start = (this.steps % this.stepsPerEpoch) * batch;
      if (start === 0) this.order = this.random.permutation(this.trainCount); // a new epoch: reshuffle
      const picked = this.order.slice(start, start + batch);
      const indices = tf.tensor1d(picked, "int32");
      const x = tf.gather(this.train, indices); // [B, 784]
      const eps = tf.tensor2d(this.random.normals(picked.length * Z_DIM), [picked.length, Z_DIM]);
      let parts = null;
      const { value, grads } = tf.variableGrads(() => {
        parts = this.terms(x, eps);
        tf.keep(parts.recon); // variableGrads disposes what f made; these two are read after
        tf.keep(parts.kl);
        return tf.add(parts.recon, tf.mul(parts.kl, beta));
      }, this.variables);
      this.optimizer.apply(grads);
      this.steps += 1;
      last = { step: this.steps, epoch: this.epoch, loss: value.dataSync()[0], recon: parts.recon.dataSync()[0],
               kl: parts.kl.dataSync()[0] };
      this.history.push(last);
      tf.dispose([indices, x, eps, value, grads, parts.recon, parts.kl]);
    }
    return last;
  }

  /** The held-out 200 digits: {heldOutLoss: recon + beta * kl, negElbo: recon + kl, recon, kl}, nats per digit. */
  quality() {
    const { tf } = this;
    const eps = new Random(QUALITY_SEED).normals(this.heldOutLabels.length * Z_DIM);
    const [recon, kl] = tf.tidy(() => {
      const parts = this.terms(this.heldOut, tf.tensor2d(eps, [this.heldOutLabels.length, Z_DIM]));
      return [parts.recon.dataSync()[0], parts.kl.dataSync()[0]];
    });
    return { heldOutLoss: recon + this.options.beta * kl, negElbo: recon + kl, recon, kl };
  }

  /**
   * What the canvas draws: codes [200, 2] (the held-out digits' means), labels [200], and grid
   * [n * n, 784] (the decoder's mean image at the centres of an n x n grid over [-SPAN, SPAN]^2,
   * row 0 at the top, z2 = +SPAN).
   */
  view(n = 12) {
    const { tf } = this;
    return tf.tidy(() => {
      const codes = runMlp(tf, this.encoder, this.heldOut).slice([0, 0], [-1, Z_DIM]); // [200, 2]
      const centres = new Float32Array(n * n * Z_DIM);
      for (let row = 0; row < n; row++) {
        for (let col = 0; col < n; col++) {
          centres[2 * (row * n + col)] = SPAN * (-1 + (2 * col + 1) / n);
          centres[2 * (row * n + col) + 1] = SPAN * (1 - (2 * row + 1) / n);
        }
      }
      const grid = tf.sigmoid(runMlp(tf, this.decoder, tf.tensor2d(centres, [n * n, Z_DIM]))); // [n*n, 784]
      return { codes: codes.dataSync(), labels: this.heldOutLabels, grid: grid.dataSync(), n, span: SPAN };
    });
  }

  state() {
    return {
      kind: "vae", version: 1, options: { ...this.options }, steps: this.steps, history: this.history.slice(),
      random: this.random.save(), order: this.order ? Array.from(this.order) : null,
      weights: saveVariables(this.variables), optimizer: this.optimizer.save(),
    };
  }

  restore(saved) {
    restoreVariables(this.tf, this.variables, saved.weights);
    this.optimizer.restore(saved.optimizer);
    this.random = Random.restore(saved.random);
    this.order = saved.order ? Int32Array.from(saved.order) : null;
    this.steps = saved.steps;
    this.history = saved.history.slice();
  }

  dispose() {
    this.tf.dispose([...this.variables, this.train, this.heldOut]);
    this.optimizer.dispose();
  }
}
