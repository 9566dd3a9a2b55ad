// The one page state: what a person has chosen (model, tab, seeds, psi, class, VAE z and prior, interpolation A/B/t,
// lab lesson, language, the "Real or generated?" quiz), as a plain object whose keys are the page link's query
// parameters. Every view renders from it and subscribes to it; controls, links, recipes, examples and "random" all
// change it through `set`.
// Pure: no DOM, no tensors (tests/js/state.test.mjs). The page (page.js) keeps it in the URL.
//
//   const store = createStore(context, parseQuery(location.search, context).state);
//   store.subscribe((state, changed) => ...);   store.set({model: "emoji"});   toQuery(store.get())
//
// `context` says what this page serves: {models: {mnist: {classes: [...], zDim, gan, vae, prior}}, tabs: [...],
// lessons: [...], languages: ["en", "zh"], language: the browser's (the default)}; `zDim` is the VAE's (0 without one).

import { MAX_IMAGES, PSI_RANGE, Z_LIMIT } from "./limits.js";
import { QUIZ_LENGTH, parseQuiz, quizText } from "./quiz.js";
import { MAX_SEED, SeedError, parseSeeds, seedText } from "./sampling.js";

/** The link's parameters, in the order a link lists them. */
export const FIELDS = ["tab", "model", "seeds", "psi", "class", "z", "prior", "a", "b", "t", "lesson", "lang",
                       "present", "quiz"];

/** Why a value was not taken: a locale key (link_reason_*) and its fields. */
class Rejected extends Error {
  constructor(key, fields = {}) {
    super(key);
    this.key = key;
    this.fields = fields;
  }
}

function number(text, low, high) {
  const value = typeof text === "number" ? text : Number(String(text).trim());
  if (String(text).trim() === "" || !Number.isFinite(value) || value < low || value > high) {
    throw new Rejected("link_reason_range", { low, high });
  }
  return value;
}

function integer(text, low, high) {
  const value = number(text, low, high);
  if (!Number.isInteger(value)) throw new Rejected("link_reason_integer", { low, high });
  return value;
}

function oneOf(value, accepted) {
  if (!accepted.includes(value)) throw new Rejected("link_reason_choice", { accepted: accepted.join(", ") });
  return value;
}

/** The model a state names, with what it serves; the first model when the name is unknown. */
function modelInfo(context, model) {
  return context.models[model] || Object.values(context.models)[0] || { classes: [], zDim: 0 };
}

/** What the page shows before anything is chosen, for `model` (default: the context's first). */
export function defaults(context, model = context.first ?? Object.keys(context.models)[0] ?? null) {
  const info = modelInfo(context, model);
  return {
    tab: context.tabs?.[0] ?? "gan", model, seeds: "0-15", psi: 1, class: "any",
    z: new Array(info.zDim || 0).fill(0), prior: info.prior ? "learned" : "standard",
    a: 0, b: 1, t: 0, lesson: null, lang: context.language ?? context.languages?.[0] ?? "en", present: false,
    quiz: null, // no quiz begun; views/quiz.js starts one when its tab opens
  };
}

/** One field's value, checked against the context (and the model the state names) -> the value to keep. */
const CHECKS = {
  tab: (v, c) => oneOf(v, c.tabs),
  model: (v, c) => oneOf(v, Object.keys(c.models)),
  seeds: (v) => {
    try {
      return seedText(parseSeeds(String(v), MAX_IMAGES));
    } catch (error) {
      if (error instanceof SeedError) throw new Rejected(error.key, error.fields);
      throw error;
    }
  },
  psi: (v) => number(v, PSI_RANGE[0], PSI_RANGE[1]),
  class: (v, c, s) => oneOf(String(v), ["any", ...modelInfo(c, s.model).classes]),
  z: (v, c, s) => {
    const zDim = modelInfo(c, s.model).zDim || 0;
    const values = Array.isArray(v) ? v : String(v).split(",");
    if (values.length !== zDim) throw new Rejected("link_reason_z", { count: zDim, limit: Z_LIMIT });
    return values.map((x) => {
      try {
        return number(x, -Z_LIMIT, Z_LIMIT);
      } catch {
        throw new Rejected("link_reason_z", { count: zDim, limit: Z_LIMIT });
      }
    });
  },
  prior: (v, c, s) => {
    oneOf(v, ["learned", "standard"]);
    if (v === "learned" && !modelInfo(c, s.model).prior) throw new Rejected("link_reason_no_prior");
    return v;
  },
  a: (v) => integer(v, 0, MAX_SEED),
  b: (v) => integer(v, 0, MAX_SEED),
  t: (v) => number(v, 0, 1),
  lesson: (v, c) => (v === null || v === "" ? null : oneOf(v, c.lessons || [])),
  lang: (v, c) => oneOf(v, c.languages || ["en"]),
  quiz: (v) => {
    if (v === null || v === "") return null;
    try {
      return quizText(parseQuiz(v));
    } catch {
      throw new Rejected("quiz_link_reason", { max: MAX_SEED, length: QUIZ_LENGTH });
    }
  },
  present: (v) => {
    if (v === true || v === "1" || v === 1) return true;
    if (v === false || v === "0" || v === 0 || v === null) return false;
    throw new Rejected("link_reason_choice", { accepted: "0, 1" });
  },
};

/** A link's query string -> {state, notices}: each bad parameter falls back to its default, and one notice per
 * ignored parameter says which and why ({param, value, key, fields}; key is a locale key). */
export function parseQuery(search, context) {
  const params = new URLSearchParams(search);
  const notices = [];
  const given = {};
  for (const [param, value] of params) {
    if (FIELDS.includes(param)) given[param] = value;
    else notices.push({ param, value, key: "link_reason_unknown", fields: { accepted: FIELDS.join(", ") } });
  }
  let model = defaults(context).model;
  if ("model" in given) {
    try {
      model = CHECKS.model(given.model, context);
    } catch (error) {
      notices.push({ param: "model", value: given.model, key: error.key, fields: error.fields });
    }
  }
  const state = defaults(context, model);
  for (const field of FIELDS) {
    if (field === "model" || !(field in given)) continue;
    try {
      state[field] = CHECKS[field](given[field], context, state);
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      notices.push({ param: field, value: given[field], key: error.key, fields: error.fields });
    }
  }
  return { state, notices };
}

/** A state -> the link's query string (no leading '?'): every field, z only when it is not all zeros, the
 * lesson and the quiz only when one is open, `present=1` only in presenter mode. */
export function toQuery(state) {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = state[field];
    if (value === null || value === undefined) continue;
    if (field === "z") {
      if (value.some((x) => x !== 0)) params.set("z", value.map((x) => +x.toFixed(4)).join(","));
    } else if (field === "present") {
      if (value) params.set("present", "1");
    } else {
      params.set(field, String(value));
    }
  }
  return params.toString().replace(/%2C/g, ",");
}

/** VAE slider values (slider k shows dimension order[k]) -> z in dimension order, rounded to 1e-4. */
export function zFromSliders(order, values) {
  const z = new Array(order.length).fill(0);
  order.forEach((dim, k) => { z[dim] = Math.round(Number(values[k] || 0) * 1e4) / 1e4; });
  return z;
}

/** z (dimension order) -> the values of `count` sliders (slider k shows dimension order[k]; the rest 0). */
export function slidersFromZ(order, z, count = order.length) {
  return Array.from({ length: count }, (_, k) => (k < order.length ? z[order[k]] ?? 0 : 0));
}

/** A store over one state: get() (a copy), set(patch) -> the fields that changed, subscribe(fn) -> unsubscribe.
 *
 * set checks every field it is given and throws an Error naming the field and what is accepted. A new model
 * resets what belongs to the old one (class, z, prior, the quiz) unless the same patch sets them. */
export function createStore(context, initial = defaults(context)) {
  let state = { ...defaults(context, initial.model), ...initial };
  const listeners = new Set();

  function set(patch) {
    const next = { ...state };
    if ("model" in patch && patch.model !== state.model) {
      CHECKS.model(patch.model, context);
      const fresh = defaults(context, patch.model);
      Object.assign(next, { model: patch.model, class: fresh.class, z: fresh.z, prior: fresh.prior,
                           quiz: fresh.quiz });
    }
    for (const [field, value] of Object.entries(patch)) {
      if (field === "model") continue;
      if (!(field in CHECKS)) throw new Error(`state has no field ${JSON.stringify(field)}; fields: ${FIELDS}`);
      try {
        next[field] = CHECKS[field](value, context, next);
      } catch (error) {
        if (!(error instanceof Rejected)) throw error;
        throw Object.assign(new Error(`${field}: ${JSON.stringify(value)} is not accepted (${error.key} ` +
                                      `${JSON.stringify(error.fields)})`), { field, value, reason: error });
      }
    }
    const changed = FIELDS.filter((f) => JSON.stringify(next[f]) !== JSON.stringify(state[f]));
    if (!changed.length) return changed;
    state = next;
    for (const listener of [...listeners]) listener(get(), changed);
    return changed;
  }

  function get() {
    return { ...state, z: [...state.z] };
  }

  function subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  return { get, set, subscribe };
}
