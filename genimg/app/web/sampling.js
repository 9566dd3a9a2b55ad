// THE seed -> z rule in the browser, the one copy of genimg/sampling.py's: seed text -> seeds, seed -> z (numpy's
// RandomState, seeds.js), psi, the class a seed draws, a learned prior's z, slerp and the GIF's loop path.
// Every other module calls these; tests/js/sampling.test.mjs and tests/test_browser_parity.py hold them to Python.
// Pure: no tensors, no DOM.

import { MAX_SEED, RandomState, checkSeed, describe, labelFromSeed, latentFromSeed, numpySum } from "./seeds.js";

export const MAX_SEEDS = 10000; // as genimg.sampling.MAX_SEEDS
export const SEED_SYNTAX = "a seed list looks like 0-31,42: integers from 0 to 4294967295, " +
  "ranges 'a-b' with a <= b inclusive, separated by commas";

/** Seed text that is not a seed list. `key` and `fields` name the message in the locale files (error_*). */
export class SeedError extends Error {
  constructor(message, key, fields = {}) {
    super(message);
    this.name = "SeedError";
    this.key = key;
    this.fields = fields;
  }
}

/** '0-3,42' -> [0, 1, 2, 3, 42], as genimg.sampling.parse_seeds (same messages); a SeedError otherwise. */
export function parseSeeds(text, limit = MAX_SEEDS) {
  if (typeof text !== "string" || !text.trim()) {
    throw new SeedError(`no seeds given; ${SEED_SYNTAX}`, "error_no_seeds");
  }
  const seeds = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!match) {
      throw new SeedError(`'${part}' is not a seed or a range; ${SEED_SYNTAX}`, "error_seed_syntax", { part });
    }
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    if (end < start) {
      throw new SeedError(`range '${part}' runs backwards; ${SEED_SYNTAX}`, "error_seed_backwards", { part });
    }
    if (end > MAX_SEED) {
      throw new SeedError(`seed ${match[2] ?? match[1]} is above ${MAX_SEED}; ${SEED_SYNTAX}`,
                          "error_seed_too_large", { seed: match[2] ?? match[1], max: MAX_SEED });
    }
    if (seeds.length + (end - start + 1) > limit) {
      throw new SeedError(`more than ${limit} seeds requested; ask for at most ${limit}`, "error_too_many_seeds",
                          { limit });
    }
    for (let s = start; s <= end; s++) seeds.push(s);
  }
  return seeds;
}

/** [0, 1, 2, 3, 42] -> '0-3,42': the shortest seed text for a list (runs of consecutive seeds). */
export function seedText(seeds) {
  const runs = [];
  for (const seed of seeds) {
    const last = runs[runs.length - 1];
    if (last && seed === last[1] + 1) last[1] = seed;
    else runs.push([seed, seed]);
  }
  return runs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(",");
}

/** psi must be a finite number; float32, as numpy multiplies float32 z by np.float32(psi). */
function checkPsi(psi) {
  if (typeof psi !== "number" || !Number.isFinite(psi)) {
    throw new Error(`psi must be a finite number (1 = no truncation), got ${describe(psi)}`);
  }
  return Math.fround(psi);
}

/** Seeds -> z [N * zDim] Float32Array: float32(RandomState(seed).randn(zDim)) * float32(psi), as
 * genimg.sampling.latents(seeds, z_dim, psi). */
export function latentsForSeeds(seeds, zDim, psi = 1.0) {
  const scale = checkPsi(psi);
  const z = new Float32Array(seeds.length * zDim); // [N, zDim]
  seeds.forEach((seed, i) => {
    const latent = latentFromSeed(seed, zDim);
    for (let d = 0; d < zDim; d++) z[i * zDim + d] = Math.fround(latent[d]) * scale;
  });
  return z;
}

/** The class index a seed draws when none is asked for (genimg.sampling.label_from_seed). */
export function classForSeed(seed, zDim, classPrior, numClasses) {
  checkSeed(seed);
  return labelFromSeed(seed, zDim, classPrior, numClasses);
}

/** A VAE's learned prior (a Gaussian mixture: probabilities [K], means [K][D], cholesky [K][D][D]) -> the z seed
 * s names: eps = RandomState(s).randn(D), k drawn next, z = m_k + L_k (psi * eps) (GaussianMixturePrior). */
export function latentFromSeedUnderPrior(prior, seed, psi = 1.0) {
  checkSeed(seed);
  checkPsi(psi); // psi multiplies eps in float64 there (numpy), so only its validity is checked here
  const { probabilities, means, cholesky } = prior;
  const zDim = means[0].length;
  const rs = new RandomState(seed);
  const eps = rs.randn(zDim);
  const total = numpySum(probabilities);
  const k = rs.choice(probabilities.length, probabilities.map((p) => p / total));
  const z = new Float32Array(zDim);
  for (let i = 0; i < zDim; i++) {
    let value = means[k][i];
    for (let j = 0; j <= i; j++) value += cholesky[k][i][j] * (psi * eps[j]); // L is lower triangular
    z[i] = value;
  }
  return z;
}

/** A latent moved along discovered directions: z + offsets @ directions[:K] (float32), as genimg.sampling.latents with
 * offsets. z: zDim numbers (already scaled by psi); offsets: K finite numbers, standard deviations of the prior along
 * each direction; directions: at least K rows of zDim numbers (unit vectors, most variance first). */
export function editedLatent(z, offsets, directions) {
  const zDim = z.length;
  const list = Array.isArray(offsets) || ArrayBuffer.isView(offsets);
  if (!list || !Array.prototype.every.call(offsets, Number.isFinite)) {
    throw new Error(`offsets must be a list of finite numbers, got ${describe(offsets)}`);
  }
  if (!Array.isArray(directions) || offsets.length > directions.length ||
      directions.some((row) => !row || row.length !== zDim)) {
    const count = Array.isArray(directions) ? directions.length : 0;
    throw new Error(`${offsets.length} offsets for ${count} directions; at most ${count} offsets, each direction of ` +
                    `${zDim} numbers`);
  }
  const out = new Float32Array(zDim); // [zDim]
  for (let i = 0; i < zDim; i++) {
    let shift = 0;
    for (let k = 0; k < offsets.length; k++) shift += Math.fround(offsets[k]) * directions[k][i];
    out[i] = Math.fround(z[i]) + Math.fround(shift);
  }
  return out;
}

/** Spherical interpolation between latents a and b at t (Shoemake 1985), as genimg.sampling.slerp: float64 math,
 * float32 result; lerp when the two are parallel. */
export function slerp(a, b, t) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  const omega = Math.acos(Math.max(-1, Math.min(1, dot / (Math.sqrt(na) * Math.sqrt(nb) + 1e-12))));
  if (omega < 1e-6) return Float32Array.from(a, (v, i) => (1 - t) * v + t * b[i]);
  const s = Math.sin(omega);
  return Float32Array.from(a, (v, i) => (Math.sin((1 - t) * omega) * v + Math.sin(t * omega) * b[i]) / s);
}

/** Frame t of seed A -> seed B: float32 slerp(z(A), z(B), t) * float32(psi), as genimg.sampling.interpolate. */
export function interpolationLatent(seedA, seedB, zDim, t, psi = 1.0) {
  const scale = checkPsi(psi);
  const [a, b] = [seedA, seedB].map((s) => Float32Array.from(latentFromSeed(s, zDim)));
  return slerp(a, b, t).map((v) => v * scale);
}

/** A seamless loop A -> B -> A of `frames` weights: t = (1 - cos(2 pi i / frames)) / 2 (genimg.sampling.loop_path). */
export function loopPath(frames) {
  if (!Number.isInteger(frames) || frames < 2) {
    throw new Error(`frames must be a whole number of at least 2, got ${describe(frames)}`);
  }
  return Array.from({ length: frames }, (_, i) => (1 - Math.cos((2 * Math.PI * i) / frames)) / 2);
}

/** frames evenly spaced weights from 0 to 1, as np.linspace(0, 1, frames) (the GIF's path). */
export function linearPath(frames) {
  if (!Number.isInteger(frames) || frames < 2) {
    throw new Error(`frames must be a whole number of at least 2, got ${describe(frames)}`);
  }
  return Array.from({ length: frames }, (_, i) => i / (frames - 1));
}

export { MAX_SEED, checkSeed, describe, latentFromSeed };
