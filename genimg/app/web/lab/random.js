// Seeded random numbers for the training lab: data, initial weights and noise all come from here, never
// from Math.random, so the same seed and options give the same run. sfc32 ("small fast counting"
// generator, Chris Doty-Humphrey, PractRand) seeded through splitmix32; Gaussians by the Box-Muller
// transform, spare value kept. The whole state is five numbers, so a run can be saved and restored.
// This is not numpy's RandomState (seeds.js is, for the models' latents); the lab only needs a
// reproducible stream in one browser.

/** splitmix32: spreads one 32-bit seed over the four words of sfc32's state. */
function splitmix32(seed) {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  /** seed: an integer 0..2**32-1. */
  constructor(seed) {
    const next = splitmix32(seed);
    this.s = [next(), next(), next(), next()];
    this.spare = null; // the second Gaussian of the last Box-Muller pair
    for (let i = 0; i < 12; i++) this.uint32(); // leave the seeding transient behind
  }

  /** The next 32-bit output of sfc32. */
  uint32() {
    let [a, b, c, d] = this.s;
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    this.s = [a, b, c, d];
    return t;
  }

  /** Uniform in [0, 1). */
  uniform() {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n) {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller: two uniforms -> two independent Gaussians). */
  normal() {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const u = 1 - this.uniform(); // (0, 1]: log(u) is finite
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** n standard normals -> Float32Array. */
  normals(n) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  /** n uniforms in [lo, hi) -> Float32Array. */
  uniforms(n, lo = 0, hi = 1) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  permutation(n) {
    const out = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** A plain object that restore() turns back into the same stream. */
  save() {
    return { s: [...this.s], spare: this.spare };
  }

  static restore(saved) {
    const random = new Random(0);
    random.s = saved.s.map((word) => word >>> 0);
    random.spare = saved.spare;
    return random;
  }
}
