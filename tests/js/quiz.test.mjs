// "Real or generated?" (genimg/app/web/quiz.js): the quiz a seed names is the same every time, half real and half
// generated; answers score as HYPE-infinity counts them; the Wilson interval. `node --test tests/js/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { QUIZ_LENGTH, parseQuiz, quizOrder, quizScore, quizText, wilson } from "../../genimg/app/web/quiz.js";

const LABELS = Array.from({ length: 40 }, (_, i) => String(i % 10)); // the mnist sprite: 4 digits of each class

test("the same seed gives the same 20 items, half real half generated, shuffled", () => {
  const first = quizOrder(7, LABELS);
  assert.deepEqual(quizOrder(7, LABELS), first);
  assert.equal(first.length, QUIZ_LENGTH);
  const real = first.filter((item) => item.kind === "real");
  const generated = first.filter((item) => item.kind === "generated");
  assert.equal(real.length, 10);
  assert.equal(generated.length, 10);
  assert.equal(new Set(real.map((item) => item.index)).size, 10); // no real image twice
  real.forEach((item) => assert.equal(item.label, LABELS[item.index]));
  generated.forEach((item) => {
    assert.ok(Number.isInteger(item.seed) && item.seed >= 0 && item.seed < 2 ** 31);
    assert.ok(LABELS.includes(item.label));
  });
  const kinds = first.map((item) => item.kind[0]).join("");
  assert.notEqual(kinds, "r".repeat(10) + "g".repeat(10)); // shuffled, not real-then-generated
  assert.notDeepEqual(quizOrder(8, LABELS), first); // another seed, another quiz
});

test("the order is pinned: numpy's RandomState draws it, on any machine", () => {
  // What the same steps give with numpy (np.random.RandomState(7): randint(40 - i) for the partial shuffle,
  // randint(2**31) and randint(40) per sample, randint(i + 1) for the shuffle). A change to the rule changes
  // every shared quiz link.
  const items = quizOrder(7, LABELS);
  assert.equal(items.map((item) => item.kind[0]).join(""), "rggggrggrrgrgrrrgrrg");
  assert.deepEqual(items.slice(0, 4), [
    { kind: "real", index: 5, label: "5" }, { kind: "generated", seed: 68334472, label: "9" },
    { kind: "generated", seed: 309457262, label: "6" }, { kind: "generated", seed: 1127788727, label: "0" }]);
});

test("an unconditional GAN's samples draw no class", () => {
  const items = quizOrder(7, LABELS, false);
  items.filter((item) => item.kind === "generated").forEach((item) => assert.equal(item.label, "any"));
});

test("a quiz needs 10 real images and a seed numpy takes", () => {
  assert.throws(() => quizOrder(7, LABELS.slice(0, 9)), /at least 10 real images/);
  assert.throws(() => quizOrder(-1, LABELS), /seed must be an integer/);
  assert.throws(() => quizOrder(1.5, LABELS), /seed must be an integer/);
});

test("a quiz text: the seed, then up to 20 answers", () => {
  assert.deepEqual(parseQuiz("7.rggr"), { seed: 7, answers: "rggr" });
  assert.deepEqual(parseQuiz("7"), { seed: 7, answers: "" });
  assert.equal(quizText({ seed: 7, answers: "" }), "7");
  assert.equal(quizText(parseQuiz("7.rggr")), "7.rggr");
  assert.deepEqual(parseQuiz("7."), { seed: 7, answers: "" }); // before the first answer
  for (const bad of ["", "7.rgb", "7.R", "a.rr", `7.${"g".repeat(21)}`, "4294967296", " 7", "7.r.g"]) {
    assert.throws(() => parseQuiz(bad), /a quiz is SEED or SEED.ANSWERS/, bad);
  }
});

test("answers score as HYPE-infinity counts them: wrong answers over all answers", () => {
  const items = quizOrder(3, LABELS);
  const truth = items.map((item) => (item.kind === "real" ? "r" : "g")).join("");
  const perfect = quizScore(items, truth);
  assert.equal(perfect.correct, 20);
  assert.equal(perfect.fooledRate, 0);
  assert.deepEqual(perfect.wrong, []);
  const everyOneReal = quizScore(items, "r".repeat(20));
  assert.deepEqual([everyOneReal.correct, everyOneReal.fakes, everyOneReal.fakesJudgedReal], [10, 10, 10]);
  assert.equal(everyOneReal.fooledRate, 0.5); // saying "real" to everything is chance
  const flipped = truth.slice(0, 5).replace(/./g, (a) => (a === "r" ? "g" : "r"));
  const partial = quizScore(items, flipped);
  assert.equal(partial.total, 5);
  assert.equal(partial.correct, 0);
  assert.deepEqual(partial.wrong, [0, 1, 2, 3, 4]);
  assert.equal(partial.fakesJudgedReal + partial.realsJudgedGenerated, 5);
});

test("the Wilson interval: known values, inside 0..1, refuses nonsense", () => {
  const [low, high] = wilson(14, 20);
  assert.ok(Math.abs(low - 0.4810) < 1e-3 && Math.abs(high - 0.8545) < 1e-3, `${low} ${high}`);
  assert.deepEqual(wilson(0, 20).map((x) => +x.toFixed(4)), [0, 0.1611]);
  assert.equal(wilson(20, 20)[1], 1);
  assert.throws(() => wilson(21, 20), /0 <= k <= n/);
  assert.throws(() => wilson(1, 0), /0 <= k <= n/);
});
