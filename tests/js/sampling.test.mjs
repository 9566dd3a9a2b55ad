// The seed rule in the browser (genimg/app/web/sampling.js): seed text, psi, slerp, loop paths. Values that must
// equal numpy's are checked in tests/test_sampling_js.py; these are the rule's own properties.
import assert from "node:assert/strict";
import { test } from "node:test";

import { interpolationLatent, latentsForSeeds, linearPath, loopPath, parseSeeds, SeedError, seedText, slerp }
  from "../../genimg/app/web/sampling.js";

test("seed text parses as genimg.sampling.parse_seeds", () => {
  assert.deepEqual(parseSeeds("0-3,42"), [0, 1, 2, 3, 42]);
  assert.deepEqual(parseSeeds(" 5 - 7 , 5"), [5, 6, 7, 5]);
  for (const [text, key] of [["", "error_no_seeds"], ["abc", "error_seed_syntax"], ["5-", "error_seed_syntax"],
                             ["9-3", "error_seed_backwards"], ["4294967296", "error_seed_too_large"],
                             ["0-100", "error_too_many_seeds"]]) {
    assert.throws(() => parseSeeds(text, 64), (e) => e instanceof SeedError && e.key === key, text);
  }
});

test("seedText is the shortest text for a list", () => {
  assert.equal(seedText([0, 1, 2, 3, 42, 43, 7]), "0-3,42-43,7");
  assert.deepEqual(parseSeeds(seedText([9, 8, 8])), [9, 8, 8]);
});

test("psi scales z in float32", () => {
  const one = latentsForSeeds([3], 8, 1);
  const half = latentsForSeeds([3], 8, 0.5);
  one.forEach((v, i) => assert.equal(half[i], Math.fround(v * Math.fround(0.5))));
  assert.throws(() => latentsForSeeds([3], 8, NaN), /psi must be a finite number/);
});

test("slerp ends at its endpoints and keeps the norm of unit vectors", () => {
  const a = Float32Array.from([1, 0, 0]);
  const b = Float32Array.from([0, 1, 0]);
  assert.deepEqual(Array.from(slerp(a, b, 0)), [1, 0, 0]);
  const mid = slerp(a, b, 0.5);
  assert.ok(Math.abs(Math.hypot(...mid) - 1) < 1e-6);
  assert.deepEqual(Array.from(slerp(a, a, 0.3)), [1, 0, 0]); // parallel: lerp
  assert.deepEqual(Array.from(interpolationLatent(4, 9, 6, 0, 1)), Array.from(latentsForSeeds([4], 6, 1)));
});

test("paths", () => {
  assert.deepEqual(linearPath(3), [0, 0.5, 1]);
  const loop = loopPath(4);
  assert.equal(loop[0], 0);
  assert.ok(Math.abs(loop[2] - 1) < 1e-12);
  assert.throws(() => loopPath(1), /at least 2/);
});
