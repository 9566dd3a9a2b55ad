// "Real or generated?": the quiz's rules, pure (no DOM, no tensors; tests/js/quiz.test.mjs). The view that shows
// it is views/quiz.js; the page state keeps it as one text, `quiz` = "SEED" or "SEED.ANSWERS" ("7.rggr": seed 7,
// four answers so far, r = "real", g = "generated"), so a link reopens the quiz where it was.
//
//   const items = quizOrder(7, spriteLabels);   // 20 items: 10 real (sprite positions), 10 generated (seeds)
//   quizScore(items, "rggr")                     // {total: 4, correct, fakes, fakesJudgedReal, fooledRate, ...}
//
// The fooled rate is HYPE-infinity's (Zhou et al. 2019, "HYPE: A Benchmark for Human eYe Perceptual Evaluation of
// Generative Models"): the share of all answers that were wrong, real and generated images together; 50% is
// chance (the two cannot be told apart), 0% means every image was told apart.

import { MAX_SEED, RandomState, checkSeed } from "./seeds.js";

export const QUIZ_LENGTH = 20; // as genimg/app/tabs/quiz.py QUIZ_LENGTH (tests/test_quiz.py holds them together)
const GENERATED_SEEDS = 2 ** 31; // the generated images' seeds are drawn below this
const QUIZ_TEXT = new RegExp(`^(\\d{1,10})(?:\\.([rg]{0,${QUIZ_LENGTH}}))?$`);

/** What a quiz text looks like, for messages. */
export const QUIZ_SYNTAX = `SEED or SEED.ANSWERS: a seed from 0 to ${MAX_SEED}, then a dot and up to ${QUIZ_LENGTH} ` +
  "letters, r (real) or g (generated), like 7.rggr";

/** "7.rggr" -> {seed: 7, answers: "rggr"}; an Error saying what is accepted for anything else. */
export function parseQuiz(text) {
  const match = QUIZ_TEXT.exec(String(text));
  if (!match || Number(match[1]) > MAX_SEED) {
    throw new Error(`a quiz is ${QUIZ_SYNTAX}; got ${JSON.stringify(String(text).slice(0, 40))}`);
  }
  return { seed: Number(match[1]), answers: match[2] || "" };
}

/** {seed, answers} -> the quiz text: "7" before the first answer, "7.rggr" after four. */
export function quizText({ seed, answers = "" }) {
  return answers ? `${seed}.${answers}` : String(seed);
}

/** The quiz `seed` names, from `labels` (the class of each real image on offer, in sprite order): QUIZ_LENGTH
 * items, half real and half generated, shuffled. A real item is {kind: "real", index (its sprite position),
 * label}; a generated one is {kind: "generated", seed (the GAN's seed), label (its class, drawn like a real
 * image's, so both halves have the same classes on average; "any" for an unconditional GAN)}.
 *
 * Every draw comes from numpy's RandomState(seed) (seeds.js): the same seed gives the same items, anywhere. */
export function quizOrder(seed, labels, conditional = true) {
  checkSeed(seed);
  const half = QUIZ_LENGTH / 2;
  if (!Array.isArray(labels) || labels.length < half) {
    throw new Error(`a quiz needs at least ${half} real images, got ${Array.isArray(labels) ? labels.length : labels}`);
  }
  const rs = new RandomState(seed);
  const pool = labels.map((_, i) => i);
  for (let i = 0; i < half; i++) { // a partial Fisher-Yates shuffle: the first `half` places are the real images
    const j = i + rs.randint(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const items = pool.slice(0, half).map((index) => ({ kind: "real", index, label: labels[index] }));
  for (let k = 0; k < half; k++) {
    const sample = rs.randint(GENERATED_SEEDS);
    items.push({ kind: "generated", seed: sample, label: conditional ? labels[rs.randint(labels.length)] : "any" });
  }
  for (let i = items.length - 1; i > 0; i--) { // Fisher-Yates over all of them
    const j = rs.randint(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The answers so far against the items: {total, correct, reals, realsJudgedGenerated, fakes, fakesJudgedReal,
 * fooledRate (wrong / total, HYPE-infinity), wrong: the positions answered wrongly}. */
export function quizScore(items, answers) {
  const score = { total: 0, correct: 0, reals: 0, realsJudgedGenerated: 0, fakes: 0, fakesJudgedReal: 0, wrong: [] };
  [...answers].forEach((answer, i) => {
    const real = items[i].kind === "real";
    const right = (answer === "r") === real;
    score.total += 1;
    score.correct += right ? 1 : 0;
    if (real) {
      score.reals += 1;
      score.realsJudgedGenerated += right ? 0 : 1;
    } else {
      score.fakes += 1;
      score.fakesJudgedReal += right ? 0 : 1;
    }
    if (!right) score.wrong.push(i);
  });
  score.fooledRate = score.total ? (score.total - score.correct) / score.total : null;
  return score;
}

/** The 95% Wilson score interval of a share of k out of n (Wilson 1927): [low, high] in 0..1. Unlike p +- 1.96 se
 * it stays inside 0..1 and is honest for 20 answers and shares near 0 or 1. */
export function wilson(k, n, z = 1.959963984540054) {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new Error(`wilson needs whole numbers 0 <= k <= n, n >= 1; got k=${k}, n=${n}`);
  }
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
