// The page state (genimg/app/web/state.js): links round-trip, bad values fall back with a notice, a model switch
// resets what belonged to the old model. Node's built-in runner: `node --test tests/js/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createStore, defaults, FIELDS, parseQuery, toQuery } from "../../genimg/app/web/state.js";

const context = {
  models: {
    mnist: { classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], zDim: 4, gan: true, vae: true, prior: true },
    emoji: { classes: ["Flags", "Animals & Nature"], zDim: 2, gan: true, vae: true, prior: false },
  },
  tabs: ["gan", "vae", "encode", "card", "how", "lab"],
  lessons: ["ring", "collapse"],
  languages: ["en", "zh"],
};

test("defaults name the first model, its z and its prior", () => {
  const state = defaults(context);
  assert.equal(state.model, "mnist");
  assert.deepEqual(state.z, [0, 0, 0, 0]);
  assert.equal(state.prior, "learned");
  assert.equal(defaults(context, "emoji").prior, "standard");
});

test("a link round-trips every field", () => {
  const query = "tab=vae&model=mnist&seeds=3-5,42&psi=0.7&class=7&z=1,-0.5,0,2.25&prior=standard&a=4&b=9&t=0.25" +
    "&lesson=ring&lang=zh";
  const { state, notices } = parseQuery(query, context);
  assert.deepEqual(notices, []);
  assert.deepEqual(state, { tab: "vae", model: "mnist", seeds: "3-5,42", psi: 0.7, class: "7", z: [1, -0.5, 0, 2.25],
                            prior: "standard", a: 4, b: 9, t: 0.25, lesson: "ring", lang: "zh", present: false,
                            quiz: null });
  assert.equal(toQuery(state), query);
  assert.deepEqual(parseQuery(toQuery(state), context).state, state);
});

test("presenter mode is in the link only when it is on", () => {
  const { state } = parseQuery("present=1&tab=vae", context);
  assert.equal(state.present, true);
  assert.equal(toQuery(state).includes("present=1"), true);
  assert.equal(toQuery({ ...state, present: false }).includes("present"), false);
  assert.equal(parseQuery("present=yes", context).notices[0].key, "link_reason_choice");
});

test("the quiz is in the link once begun: its seed, then its answers; a model switch ends it", () => {
  assert.equal(defaults(context).quiz, null);
  assert.equal(toQuery(defaults(context)).includes("quiz"), false);
  const { state, notices } = parseQuery("tab=quiz&model=emoji&quiz=7.rggr", { ...context, tabs: [...context.tabs,
                                                                                                 "quiz"] });
  assert.deepEqual(notices, []);
  assert.equal(state.quiz, "7.rggr");
  assert.equal(toQuery(state).endsWith("&quiz=7.rggr"), true);
  assert.equal(parseQuery("quiz=0042.", context).state.quiz, "42"); // one text per quiz
  for (const bad of ["7.rgx", "x", "-1", "4294967296", `1.${"r".repeat(21)}`, "1.2"]) {
    const parsed = parseQuery(`quiz=${bad}`, context);
    assert.equal(parsed.state.quiz, null, bad);
    assert.equal(parsed.notices[0].key, "quiz_link_reason", bad);
    assert.deepEqual(parsed.notices[0].fields, { max: 4294967295, length: 20 });
  }
  const store = createStore(context, state);
  store.set({ quiz: "7.rggrg" });
  assert.deepEqual(store.set({ model: "mnist" }), ["model", "z", "prior", "quiz"]);
  assert.equal(store.get().quiz, null);
  assert.throws(() => store.set({ quiz: "7.rrq" }), /quiz: "7.rrq" is not accepted/);
});

test("bad values fall back to their defaults, one notice each saying why", () => {
  const { state, notices } = parseQuery("model=cifar&seeds=5-&psi=9&class=Flags&z=1,2&t=x&colour=red", context);
  assert.deepEqual(state, defaults(context));
  const by = Object.fromEntries(notices.map((n) => [n.param, n.key]));
  assert.deepEqual(by, { colour: "link_reason_unknown", model: "link_reason_choice", seeds: "error_seed_syntax",
                         psi: "link_reason_range", class: "link_reason_choice", z: "link_reason_z",
                         t: "link_reason_range" });
  assert.equal(notices.find((n) => n.param === "psi").fields.high, 2);
});

test("a class and z are checked against the model the link names", () => {
  const { state, notices } = parseQuery("model=emoji&class=Flags&z=0.5,-1", context);
  assert.deepEqual(notices, []);
  assert.equal(state.class, "Flags");
  assert.deepEqual(state.z, [0.5, -1]);
  assert.equal(parseQuery("model=emoji&prior=learned", context).notices[0].key, "link_reason_no_prior");
});

test("seeds are kept in their shortest form; over 64 images is refused", () => {
  assert.equal(parseQuery("seeds=0, 1 ,2,3,10", context).state.seeds, "0-3,10");
  assert.equal(parseQuery("seeds=0-64", context).notices[0].key, "error_too_many_seeds");
});

test("a model switch resets class, z and prior, and tells subscribers what changed", () => {
  const store = createStore(context, parseQuery("class=7&z=1,1,1,1", context).state);
  const seen = [];
  store.subscribe((state, changed) => seen.push(changed));
  assert.deepEqual(store.set({ model: "emoji" }), ["model", "class", "z", "prior"]);
  assert.deepEqual(store.get().z, [0, 0]);
  assert.equal(store.get().class, "any");
  assert.deepEqual(seen, [["model", "class", "z", "prior"]]);
  assert.deepEqual(store.set({ model: "emoji" }), []); // no change, no call
  assert.equal(seen.length, 1);
  store.set({ model: "mnist", class: "3" }); // the same patch may set the new model's class
  assert.equal(store.get().class, "3");
});

test("set refuses what a link would ignore, naming the field", () => {
  const store = createStore(context);
  assert.throws(() => store.set({ psi: -1 }), /psi: -1 is not accepted/);
  assert.throws(() => store.set({ colour: "red" }), /no field "colour"/);
  assert.throws(() => store.set({ model: "cifar" }));
  assert.equal(store.get().psi, 1);
});

test("get returns a copy", () => {
  const store = createStore(context);
  store.get().z[0] = 3;
  assert.deepEqual(store.get().z, [0, 0, 0, 0]);
  assert.deepEqual(Object.keys(store.get()), FIELDS);
});

test("VAE sliders show z in KL order and give it back in dimension order", async () => {
  const { slidersFromZ, zFromSliders } = await import("../../genimg/app/web/state.js");
  const order = [1, 3, 0, 2]; // slider k shows dimension order[k]
  const z = [0.5, -1, 2, 3];
  const values = slidersFromZ(order, z, 6);
  assert.deepEqual(values, [-1, 3, 0.5, 2, 0, 0]); // z1, z3, z0, z2, then the hidden sliders
  assert.deepEqual(zFromSliders(order, values), z);
  assert.deepEqual(zFromSliders(order, [0.123456, 0, 0, 0]), [0, 0.1235, 0, 0]);
});
