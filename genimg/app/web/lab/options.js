// Checks the options of genimg.lab.create: every option has a default, a kind (number in a range,
// integer in a range, one of a list) and a one-line description, so an Error can say exactly what is
// accepted. Pure functions, no tensors.

/** A bad option: the message says what is accepted; `key` and `fields` name it in the locale files (lab_error_*), so
 * the Lab's page can say it in its language. */
export class LabOptionError extends Error {
  constructor(message, key, fields) {
    super(message);
    this.name = "LabOptionError";
    this.key = key;
    this.fields = fields;
  }
}

/** spec: {name: {default, min, max, integer} | {default, oneOf: [...]} | {default, check(value) -> Error?}} */
export function checkOptions(kind, spec, given) {
  const accepted = Object.keys(spec);
  for (const name of Object.keys(given)) {
    if (!(name in spec)) {
      throw new LabOptionError(`${kind} lab: unknown option '${name}'; accepted options are ${accepted.join(", ")}`,
                               "lab_error_unknown", { option: name, accepted: accepted.join(", ") });
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
      const accepted = rule.oneOf.map((v) => `'${v}'`).join(", ");
      throw new LabOptionError(`${kind} lab: ${name} must be one of ${accepted}, got ${JSON.stringify(value)}`,
                               "lab_error_choice", { option: name, accepted, value: JSON.stringify(value) });
    }
    return value;
  }
  if (rule.check) return rule.check(value);
  const what = rule.integer ? "an integer" : "a number";
  const ok = typeof value === "number" && Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) &&
    value >= rule.min && value <= rule.max;
  if (!ok) {
    throw new LabOptionError(`${kind} lab: ${name} must be ${what} from ${rule.min} to ${rule.max}, got ` +
                             `${JSON.stringify(value)}`, rule.integer ? "lab_error_integer" : "lab_error_number",
                             { option: name, min: rule.min, max: rule.max, value: JSON.stringify(value) });
  }
  return value;
}

export const SEED = { default: 0, min: 0, max: 4294967295, integer: true };
