// Seeds -> latents exactly as numpy's legacy np.random.RandomState does it, so a seed names the same
// image in the browser as on the server (genimg/sampling.py: z = RandomState(seed).randn(z_dim)).
// A port of MT19937 (Matsumoto & Nishimura 1998) and numpy's legacy generators (numpy/random/
// src/legacy/legacy-distributions.c, mtrand.pyx). Pure functions, no tensors, no DOM.

const N = 624;
const M = 397;
export const MAX_SEED = 4294967295; // 2**32 - 1, as numpy.random.RandomState accepts

/** The Mersenne Twister state numpy's RandomState(seed) starts from, plus legacy randn's cached Gaussian. */
export class RandomState {
  /** numpy seeds an integer with init_genrand(seed) (mt19937_seed); init_by_array is only for array seeds. */
  constructor(seed) {
    checkSeed(seed);
    this.mt = new Uint32Array(N);
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1];
      this.mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.index = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The next 32-bit output (genrand_int32). */
  nextUint32() {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** random_sample(): a double in [0, 1) from 53 random bits (genrand_res53). */
  randomSample() {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** One standard normal: legacy_gauss, the polar Box-Muller that caches its second value. */
  gaussian() {
    if (this.hasGauss) {
      this.hasGauss = false;
      const cached = this.gauss;
      this.gauss = 0;
      return cached;
    }
    let x1, x2, r2;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** randn(n) -> Float64Array [n]. */
  randn(n) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.gaussian();
    return out;
  }

  /** randint(0, high) for high <= 2**32 (legacy: masked rejection sampling on 32-bit draws). */
  randint(high) {
    const rng = high - 1;
    if (rng === 0) return 0;
    let mask = rng;
    for (const shift of [1, 2, 4, 8, 16]) mask = (mask | (mask >>> shift)) >>> 0;
    let value;
    do value = (this.nextUint32() & mask) >>> 0; while (value > rng);
    return value;
  }

  /** choice(n, p) with replacement, one draw: legacy mtrand.choice (cdf, random_sample, searchsorted right). */
  choice(n, p = null) {
    if (p === null) return this.randint(n);
    if (p.length !== n) throw new Error(`choice: p has ${p.length} entries, expected ${n}`);
    const cdf = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) cdf[i] = total += p[i]; // np.cumsum: a running sum
    for (let i = 0; i < n; i++) cdf[i] /= cdf[n - 1];
    const u = this.randomSample();
    let idx = 0;
    while (idx < n && cdf[idx] <= u) idx++; // searchsorted(cdf, u, side='right')
    return idx;
  }
}

/** numpy's float64 sum (pairwise_sum: 8 running sums, blocks of 128), so p / p.sum() matches to the bit. */
export function numpySum(values) {
  const n = values.length;
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += values[i];
    return res;
  }
  if (n <= 128) {
    const r = Array.from(values.slice(0, 8));
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += values[i + j];
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += values[i];
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(values.slice(0, half)) + numpySum(values.slice(half));
}

/** Throws unless seed is an integer 0..4294967295 (what numpy's RandomState accepts). */
export function checkSeed(seed) {
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new Error(`seed must be an integer from 0 to ${MAX_SEED}, got ${describe(seed)}`);
  }
}

/** Throws unless zDim is a positive integer. */
export function checkDim(zDim) {
  if (typeof zDim !== "number" || !Number.isInteger(zDim) || zDim < 1 || zDim > 65536) {
    throw new Error(`zDim must be an integer from 1 to 65536, got ${describe(zDim)}`);
  }
}

/** Seed -> z [zDim] Float64Array, equal to numpy's RandomState(seed).randn(zDim). */
export function latentFromSeed(seed, zDim) {
  checkSeed(seed);
  checkDim(zDim);
  return new RandomState(seed).randn(zDim);
}

/** The class a seed names when none is asked for: drawn after z, from the prior (genimg.sampling.label_from_seed). */
export function labelFromSeed(seed, zDim, classPrior, numClasses) {
  const rs = new RandomState(seed);
  rs.randn(zDim); // consume z first, so z is unchanged by the label draw
  if (classPrior.length !== numClasses) return rs.choice(numClasses);
  const total = numpySum(classPrior);
  return rs.choice(numClasses, classPrior.map((x) => x / total));
}

/** A short, readable rendering of a bad argument for an error message. */
export function describe(value) {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return `an array of length ${value.length}`;
  return `a ${typeof value}`;
}
