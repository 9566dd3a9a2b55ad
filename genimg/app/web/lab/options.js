// Checks the options of genimg.lab.create: every option has a default, a kind (number in a range,
// integer in a range, one of a list) and a one-line description, so an Error can say exactly what is
// accepted. Pure functions, no tensors.

/** spec: {name: {default, min, max, integer} | {default, oneOf: [...]} | {default, check(value) -> Error?}} */
export function checkOptions(kind, spec, given) {
  const accepted = Object.keys(spec);
  for (const name of Object.keys(given)) {
    if (!(name in spec)) {
      throw new Error(`${kind} lab: unknown option '${name}'; accepted options are ${accepted.join(", ")}`);
    }
  }
  const out = {};
  for (const [name, rule] of Object.entries(spec)) {
    const value = given[name] === undefined ? rule.default : given[name];
    out[name] = checkOne(kind, name, rule, value);
  }
  return out;
}

function checkOne(kind, name, rule, value) {
  if (rule.oneOf) {
    if (!rule.oneOf.includes(value)) {
      throw new Error(`${kind} lab: ${name} must be one of ${rule.oneOf.map((v) => `'${v}'`).join(", ")}, ` +
                      `got ${JSON.stringify(value)}`);
    }
    return value;
  }
  if (rule.check) return rule.check(value);
  const what = rule.integer ? "an integer" : "a number";
  const ok = typeof value === "number" && Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) &&
    value >= rule.min && value <= rule.max;
  if (!ok) {
    throw new Error(`${kind} lab: ${name} must be ${what} from ${rule.min} to ${rule.max}, got ` +
                    `${JSON.stringify(value)}`);
  }
  return value;
}

export const SEED = { default: 0, min: 0, max: 4294967295, integer: true };
