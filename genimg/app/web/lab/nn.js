// The two pieces both lab models are made of: a small multilayer perceptron whose initial weights come
// from the lab's seeded Random (so a seed fixes them), and Adam. Plain tf.variables and tf ops; no
// tf.layers, so a reader sees every matrix. Not a general library: exactly what gan.js and vae.js use.

/**
 * An MLP with layer sizes `sizes` ([in, hidden..., out]): [{w: Variable [in, out], b: Variable [out]}].
 * Weights: Glorot uniform (Glorot & Bengio 2010), U(-a, a) with a = sqrt(6 / (in + out)); biases 0.
 */
export function makeMlp(tf, random, sizes) {
  return tf.tidy(() => { // tidy frees the initial tensors; the variables made from them stay
    const layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const [fanIn, fanOut] = [sizes[i], sizes[i + 1]];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      layers.push({
        w: tf.variable(tf.tensor2d(random.uniforms(fanIn * fanOut, -limit, limit), [fanIn, fanOut])),
        b: tf.variable(tf.zeros([fanOut])),
      });
    }
    return layers;
  });
}

/** x [N, in] -> [N, out]: dense layers, `activation` ("relu" or "leakyrelu", slope 0.2) between them, none
 *  after the last (logits). tf.fused.matMul does x @ w + b and the activation in one kernel. */
export function runMlp(tf, layers, x, activation = "relu") {
  let h = x;
  layers.forEach(({ w, b }, i) => {
    const last = i + 1 === layers.length;
    h = tf.fused.matMul({ a: h, b: w, bias: b, activation: last ? "linear" : activation, leakyreluAlpha: 0.2 });
  });
  return h; // [N, out]
}

/** Every variable of an MLP, in a fixed order (w0, b0, w1, b1, ...). */
export function mlpVariables(layers) {
  return layers.flatMap(({ w, b }) => [w, b]);
}

/** Adam (Kingma & Ba 2015, Algorithm 1) over a fixed list of variables; lr may change between steps. */
export class Adam {
  constructor(tf, variables, lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8) {
    Object.assign(this, { tf, variables, lr, beta1, beta2, epsilon, t: 0 });
    this.m = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false))); // first moments
    this.v = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false))); // second moments
  }

  /** grads: {name: Tensor} as tf.variableGrads returns, keyed by variable name. */
  apply(grads) {
    const { tf, beta1, beta2 } = this;
    this.t += 1;
    const stepSize = this.lr * Math.sqrt(1 - beta2 ** this.t) / (1 - beta1 ** this.t); // bias correction
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const g = grads[variable.name];
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        variable.assign(tf.sub(variable, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), stepSize)));
      });
    });
  }

  save() {
    return { t: this.t, m: this.m.map(toArray), v: this.v.map(toArray) };
  }

  restore(saved) {
    const { tf } = this;
    this.t = saved.t;
    tf.tidy(() => {
      saved.m.forEach((values, i) => this.m[i].assign(tf.tensor(values, this.m[i].shape)));
      saved.v.forEach((values, i) => this.v[i].assign(tf.tensor(values, this.v[i].shape)));
    });
  }

  dispose() {
    [...this.m, ...this.v].forEach((t) => t.dispose());
  }
}

/** Plain gradient descent, theta <- theta - lr * g: what GAN Lab trains with, and the calmest for a 2-D GAN. */
export class Sgd {
  constructor(tf, variables, lr) {
    Object.assign(this, { tf, variables, lr, t: 0 });
  }

  apply(grads) {
    const { tf } = this;
    this.t += 1;
    tf.tidy(() => this.variables.forEach((v) => v.assign(tf.sub(v, tf.mul(grads[v.name], this.lr)))));
  }

  save() {
    return { t: this.t };
  }

  restore(saved) {
    this.t = saved.t;
  }

  dispose() {}
}

/** A tensor's values as a plain array of numbers (float32 values survive JSON exactly). */
export function toArray(tensor) {
  return Array.from(tensor.dataSync());
}

/** Saves variables as arrays; restoreVariables puts them back (same order, same shapes). */
export function saveVariables(variables) {
  return variables.map(toArray);
}

export function restoreVariables(tf, variables, saved) {
  if (!Array.isArray(saved) || saved.length !== variables.length) {
    throw new Error(`from: the saved state has ${saved?.length} weight arrays, this model has ${variables.length}`);
  }
  variables.forEach((variable, i) => {
    if (saved[i].length !== variable.size) {
      throw new Error(`from: weight ${i} has ${saved[i].length} values, this model needs ${variable.size} ` +
                      `(${variable.shape.join("x")}); the state was saved with other options`);
    }
    tf.tidy(() => variable.assign(tf.tensor(saved[i], variable.shape)));
  });
}
