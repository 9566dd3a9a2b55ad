// The 2-D distributions the GAN lab learns. Every one lives in the square [-1, 1] x [-1, 1] (the
// "data's square" that the canvas shows and klGrid bins), and sample(random, n) draws n points from it
// -> Float32Array [n, 2] (x, y interleaved). Pure functions of a seeded Random; no tensors, no DOM.

export const SQUARE = { min: -1, max: 1 };
export const DATASETS = ["ring", "grid", "moons", "spiral"]; // or {points: [[x, y], ...]}, drawn by hand
export const MIN_DRAWN = 3;
const DRAWN_NOISE = 0.03; // a drawn point stands for a small Gaussian blob around it

/** A ring of radius 0.6 (radial std 0.05). */
function ring(random) {
  const angle = 2 * Math.PI * random.uniform();
  const radius = 0.6 + 0.05 * random.normal();
  return [radius * Math.cos(angle), radius * Math.sin(angle)];
}

/** A 3 x 3 grid of Gaussians at -0.6, 0, 0.6 (std 0.05): nine modes, the classic test of mode collapse. */
function grid(random) {
  const cx = (random.below(3) - 1) * 0.6;
  const cy = (random.below(3) - 1) * 0.6;
  return [cx + 0.05 * random.normal(), cy + 0.05 * random.normal()];
}

/** Two interleaving half circles (as scikit-learn's make_moons), scaled into the square. */
function moons(random) {
  const t = Math.PI * random.uniform();
  const [x, y] = random.uniform() < 0.5 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
  // make_moons spans x in [-1, 2], y in [-0.5, 1]: centre it and scale by 0.55
  return [0.55 * (x - 0.5) + 0.04 * random.normal(), 0.55 * (y - 0.25) + 0.04 * random.normal()];
}

/** One arm of an Archimedean spiral, 1.5 turns out from the centre. */
function spiral(random) {
  const t = Math.sqrt(random.uniform()); // sqrt: even density along the arm, not piled at the centre
  const angle = 3 * Math.PI * t;
  const radius = 0.1 + 0.75 * t;
  return [radius * Math.cos(angle) + 0.03 * random.normal(), radius * Math.sin(angle) + 0.03 * random.normal()];
}

const SAMPLERS = { ring, grid, moons, spiral };

/**
 * The sampler for `data`: a name in DATASETS, or {points: [[x, y], ...]} (at least MIN_DRAWN points in
 * the square). Throws an Error saying what is accepted otherwise.
 */
export function samplerFor(data) {
  if (typeof data === "string" && SAMPLERS[data]) return SAMPLERS[data];
  if (data && typeof data === "object" && Array.isArray(data.points)) {
    const points = checkPoints(data.points);
    return (random) => {
      const [x, y] = points[random.below(points.length)];
      return [x + DRAWN_NOISE * random.normal(), y + DRAWN_NOISE * random.normal()];
    };
  }
  throw new Error(`data must be one of ${DATASETS.map((d) => `'${d}'`).join(", ")} or {points: [[x, y], ...]} ` +
                  `(at least ${MIN_DRAWN} points in [-1, 1] x [-1, 1]), got ${JSON.stringify(data)}`);
}

function checkPoints(points) {
  const inSquare = (v) => typeof v === "number" && Number.isFinite(v) && v >= SQUARE.min && v <= SQUARE.max;
  const bad = points.findIndex((p) => !Array.isArray(p) || p.length !== 2 || !inSquare(p[0]) || !inSquare(p[1]));
  if (points.length < MIN_DRAWN || bad >= 0) {
    const why = bad >= 0 ? `points[${bad}] is ${JSON.stringify(points[bad])}` : `got ${points.length} points`;
    throw new Error(`data.points must be at least ${MIN_DRAWN} [x, y] pairs with x and y in [-1, 1]; ${why}`);
  }
  return points.map(([x, y]) => [x, y]);
}

/** n points of `sampler` drawn with `random` -> Float32Array [n, 2]. */
export function sample(sampler, random, n) {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [x, y] = sampler(random);
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}
