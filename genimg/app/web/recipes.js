// Recipes in the browser: the PNG text chunk "genimg" that says how an image was made, written and read as
// genimg/recipes.py does, and the PNG files that carry one (one image or a grid, scaled up crisply).
// Not here: running a model (genimg.js), ZIP, GIF and saving a file (downloads.js).
//
// The PNG is written here, chunk by chunk, with fflate's zlib for the pixels. No maintained npm library writes
// PNG text chunks (png-chunk-text and png-chunks-extract are single 1.0.0 releases, never updated), and a chunk is
// only length, type, data and CRC-32. Encoding the pixels here rather than with canvas.toBlob gives the same bytes
// in every browser and in Node (so the same gallery gives the same ZIP), keeps a grey image a grey PNG (a canvas
// writes RGBA), and, with the chunk before the pixels, lays the file out as Pillow does for the server's PNGs.

import { unzlibSync, zlibSync } from "./vendor/fflate/browser.js";
import { MAX_SEED, describe } from "./seeds.js";

export const KEY = "genimg"; // the text chunk's keyword, as recipes.KEY
export const MAX_LATENTS = 4096; // images in one recipe (a grid), as recipes.MAX_LATENTS
export const GRID_SCALE = 4; // the gallery's grid PNG is scaled up 4x, as the server's
export const GRID_PADDING = 2; // pixels between grid cells, as genimg.images.grid

const NO_RECIPE = "this image has no genimg recipe: only PNGs written by genimg (the app's gallery, grid " +
                  "and inversion images, python -m genimg.sample and genimg.invert) carry one";
const FLOAT_FIELDS = new Set(["psi", "z", "offsets"]); // the fields recipes.make writes as Python floats

/** A PNG without a genimg recipe, or a recipe genimg cannot follow; the message says which and why. */
export class RecipeError extends Error {
  constructor(message) {
    super(message);
    this.name = "RecipeError";
  }
}

// ---- the recipe ------------------------------------------------------------------------------------------------

/**
 * The recipe (a plain object, in recipes.make's key order) for images made from seeds or from one latent z.
 *
 * version: genimg's version (genimg.__version__, from the page's config); checkpoint: the first 12 hex digits of
 * the sha256 of the model's model.safetensors; label: "any" or a class name (not an index, and not checked against
 * the model's classes: the page offers only those); prior: for a VAE's seeds, "learned" or "standard" (the page
 * knows which its VAE draws from; recipes.make looks it up).
 * Offsets that are all zero are left out, as recipes.make does. Throws RecipeError for what a recipe cannot hold.
 */
export function makeRecipe({ version, model, network, checkpoint, seeds = null, psi = 1.0, label = "any",
                             offsets = null, directions = null, z = null, columns = null, scale = 1,
                             prior = null }) {
  for (const [name, value] of [["version", version], ["model", model]]) {
    if (typeof value !== "string" || !value) {
      throw new RecipeError(`${name} must be a non-empty string, got ${describe(value)}`);
    }
  }
  if (typeof checkpoint !== "string" || !/^[0-9a-f]{12}$/.test(checkpoint)) {
    throw new RecipeError("checkpoint must be 12 hex digits (the start of model.safetensors' sha256), got " +
                          describe(checkpoint));
  }
  if (network === "vae" && label !== "any") {
    throw new RecipeError(`a VAE is not class-conditional: label must be 'any', got ${describe(label)}`);
  }
  if (z === null && seeds === null) throw new RecipeError("a recipe needs seeds (with psi) or z (one latent)");
  const recipe = { genimg: version, model, network, checkpoint };
  if (z !== null) {
    recipe.z = Array.from(z, Math.fround); // float32 values, exactly as Python writes them
  } else {
    recipe.seeds = Array.from(seeds);
    recipe.psi = Array.isArray(psi) || ArrayBuffer.isView(psi) ? Array.from(psi) : psi;
    if (network === "vae") {
      if (prior !== "learned" && prior !== "standard") {
        throw new RecipeError("a VAE's seeds need prior 'learned' or 'standard' (what they were drawn from), got " +
                              describe(prior));
      }
      recipe.prior = prior;
    }
  }
  recipe.label = label;
  if (offsets !== null && Array.from(offsets).some((v) => v !== 0)) {
    recipe.offsets = Array.from(offsets, Math.fround);
    recipe.directions = directions;
  }
  recipe.layout = { columns, scale };
  checkRecipe(recipe);
  return recipe;
}

/** The recipe as JSON text, byte for byte what Python's json.dumps(recipe, separators=(", ", ": ")) writes. */
export function recipeText(recipe) {
  return pythonJson(recipe, false);
}

function pythonJson(value, asFloat) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return asFloat ? pythonFloat(value) : String(value);
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    return "[" + Array.from(value, (v) => pythonJson(v, asFloat)).join(", ") + "]";
  }
  return "{" + Object.entries(value).map(([k, v]) => `${pythonString(k)}: ${pythonJson(v, FLOAT_FIELDS.has(k))}`)
    .join(", ") + "}";
}

/** A string as json.dumps writes it (ensure_ascii: everything outside space..~ escaped as \uXXXX). */
function pythonString(text) {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** A float as Python's repr writes it: the shortest digits that round-trip (as JS), ".0" on whole numbers, and
 * the exponent form below 1e-4 and from 1e16 on, with at least two exponent digits (1e-05, 1e+16). */
export function pythonFloat(x) {
  if (!Number.isFinite(x)) throw new RecipeError(`a recipe holds finite numbers only, got ${x}`);
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const { digits, exponent } = shortestDigits(Math.abs(x));
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  return `${sign}${digits.slice(0, exponent + 1).padEnd(exponent + 1, "0")}.${digits.slice(exponent + 1) || "0"}`;
}

/** x > 0 -> {digits, exponent} with x = d.ddd x 10^exponent, from String(x): the shortest round-trip digits,
 * the closest one when several are as short, which is also how Python's repr picks them. */
function shortestDigits(x) {
  const [mantissa, power = "0"] = String(x).split("e");
  const [whole, fraction = ""] = mantissa.split(".");
  const all = whole + fraction;
  const lead = all.search(/[1-9]/);
  return { digits: all.slice(lead).replace(/0+$/, ""), exponent: whole.length - 1 - lead + Number(power) };
}

/** RecipeError unless the recipe has what genimg.recipes.render needs, with the right types (recipes.check; the
 * messages are its messages, values shown as Python shows them where JSON keeps the difference). */
export function checkRecipe(recipe) {
  if (!isObject(recipe)) throw new RecipeError(`a recipe is a JSON object, got ${pythonType(recipe)}`);
  for (const key of ["model", "network", "checkpoint", "label"]) {
    if (typeof recipe[key] !== "string") {
      throw new RecipeError(`recipe field '${key}' must be a string, got ${pythonRepr(recipe[key]).slice(0, 60)}`);
    }
  }
  if (recipe.network !== "gan" && recipe.network !== "vae") {
    throw new RecipeError(`recipe network must be 'gan' or 'vae', got ${pythonRepr(recipe.network)}`);
  }
  if (("z" in recipe) === ("seeds" in recipe)) {
    throw new RecipeError("a recipe has either 'seeds' (with 'psi') or 'z', not both and not neither");
  }
  const numbers = orEmpty("z" in recipe ? recipe.z : "offsets" in recipe ? recipe.offsets : []);
  if ("z" in recipe && !(Array.isArray(recipe.z) && recipe.z.length)) {
    throw new RecipeError("recipe field 'z' must be a list of numbers");
  }
  if ("seeds" in recipe) {
    const seeds = recipe.seeds;
    if (!Array.isArray(seeds) || !(seeds.length > 0 && seeds.length <= MAX_LATENTS) ||
        !seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= MAX_SEED)) {
      throw new RecipeError(`recipe 'seeds' must be 1 to ${MAX_LATENTS} integers from 0 to ${MAX_SEED}`);
    }
    const psi = recipe.psi;
    if (!(isNumber(psi) || (Array.isArray(psi) && psi.length === seeds.length && psi.every(isNumber)))) {
      throw new RecipeError(`recipe 'psi' must be a number (or one per seed), got ${pythonRepr(psi).slice(0, 60)}`);
    }
  }
  if (!Array.isArray(numbers) || !numbers.every(isNumber)) {
    throw new RecipeError("recipe 'z' and 'offsets' must be lists of finite numbers");
  }
  const layout = recipe.layout;
  if (!isObject(layout) || !(layout.columns == null || isCount(layout.columns)) || !isCount(layout.scale) ||
      layout.scale > 64) {
    throw new RecipeError("recipe 'layout' must be {'columns': null or a whole number >= 1, 'scale': 1 to 64}");
  }
  if (layout.columns == null && (recipe.seeds ?? [0]).length !== 1) {
    throw new RecipeError("a recipe of several seeds needs layout columns (it is a grid)");
  }
}

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const isCount = (v) => Number.isInteger(v) && v >= 1;

/** Python's `value or []`: its falsy JSON values (None, false, 0, "", [], {}) become []. */
function orEmpty(value) {
  const empty = value == null || value === false || value === 0 || value === "" ||
                (Array.isArray(value) && !value.length) || (isObject(value) && !Object.keys(value).length);
  return empty ? [] : value;
}

/** The Python type name of a value json.loads made. */
function pythonType(value) {
  if (value === null || value === undefined) return "NoneType";
  if (Array.isArray(value)) return "list";
  return { string: "str", boolean: "bool", number: Number.isInteger(value) ? "int" : "float" }[typeof value] ?? "dict";
}

/** Python's repr of a value json.loads made (a whole float such as 2.0 shows as 2: JSON.parse keeps no difference). */
function pythonRepr(value) {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    return Number.isInteger(value) ? String(value) : pythonFloat(value);
  }
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const escaped = value.replace(/[\\\n\r\t]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c])
      .replace(/[\x00-\x1f\x7f]/g, (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"));
    return quote + (quote === "'" ? escaped.replaceAll("'", "\\'") : escaped) + quote;
  }
  if (Array.isArray(value)) return "[" + value.map(pythonRepr).join(", ") + "]";
  return "{" + Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(", ") + "}";
}

// ---- PNG chunks ------------------------------------------------------------------------------------------------

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");
let crcTable = null;

/** CRC-32 (ISO 3309, the polynomial PNG and ZIP use) of bytes. */
export function crc32(bytes, crc = 0) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** One chunk: length, type, data, CRC-32 of type and data. */
function chunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The recipe's tEXt chunk, as Pillow's PngInfo.add_text writes it (json.dumps is ASCII, so never iTXt). */
function recipeChunk(recipe) {
  const text = `${KEY}\0${recipeText(recipe)}`;
  return chunk("tEXt", Uint8Array.from(text, (c) => c.charCodeAt(0)));
}

function asBytes(png) {
  if (png instanceof ArrayBuffer) return new Uint8Array(png);
  if (ArrayBuffer.isView(png)) return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
  throw new RecipeError(`a PNG is given as its bytes (a Uint8Array or an ArrayBuffer), got ${describe(png)}`);
}

/** PNG bytes -> [{type, data, start, end}] with every CRC checked, or null when they are no whole PNG. */
function chunks(bytes) {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = [];
  for (let at = 8; at < bytes.length;) {
    if (at + 12 > bytes.length) return null;
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.length) return null;
    if (crc32(bytes.subarray(at + 4, end - 4)) !== view.getUint32(end - 4)) return null;
    const type = latin1.decode(bytes.subarray(at + 4, at + 8));
    found.push({ type, data: bytes.subarray(at + 8, end - 4), start: at, end });
    if (type === "IEND") return found;
    at = end;
  }
  return null; // no IEND: cut short
}

/** A text chunk's keyword and text (tEXt, zTXt, iTXt, as Pillow reads them), or null for another chunk (or one
 * whose compressed text does not inflate). */
function textOf(part) {
  try {
    return readText(part);
  } catch {
    return null;
  }
}

function readText({ type, data }) {
  const zero = data.indexOf(0);
  if (!["tEXt", "zTXt", "iTXt"].includes(type) || zero < 0) return null;
  const keyword = latin1.decode(data.subarray(0, zero));
  if (type === "tEXt") return { keyword, text: latin1.decode(data.subarray(zero + 1)) };
  if (type === "zTXt") return { keyword, text: latin1.decode(unzlibSync(data.subarray(zero + 2))) };
  const compressed = data[zero + 1] === 1;
  const language = data.indexOf(0, zero + 3);
  const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
  if (translated < 0) return null;
  const text = data.subarray(translated + 1);
  return { keyword, text: utf8.decode(compressed ? unzlibSync(text) : text) };
}

/**
 * PNG bytes (a Uint8Array or ArrayBuffer) -> the same PNG carrying the recipe, as a Uint8Array: a tEXt chunk
 * "genimg" before the first IDAT, where Pillow writes it; a genimg chunk the PNG had is replaced.
 */
export function pngWithRecipe(png, recipe) {
  const bytes = asBytes(png);
  const found = chunks(bytes);
  if (!found) throw new RecipeError("not a whole PNG file (bad signature, a bad chunk CRC or no IEND)");
  checkRecipe(recipe);
  const parts = [Uint8Array.from(SIGNATURE)];
  let inserted = false;
  for (const part of found) {
    if (part.type === "IDAT" && !inserted) {
      parts.push(recipeChunk(recipe));
      inserted = true;
    }
    if (textOf(part)?.keyword !== KEY) parts.push(bytes.subarray(part.start, part.end));
  }
  return concat(parts);
}

/**
 * The recipe of a PNG (its bytes, Uint8Array or ArrayBuffer), checked; throws RecipeError, with genimg.recipes.read's
 * messages, when it has none (or is no PNG) or its genimg text is not a recipe. What "Open a PNG made by genimg" uses.
 */
export function readRecipe(png) {
  const found = chunks(asBytes(png));
  let text = null;
  for (const part of found ?? []) {
    const entry = textOf(part);
    if (entry?.keyword === KEY) text = entry.text; // the last one wins, as in Pillow's image.text
  }
  if (text === null) throw new RecipeError(NO_RECIPE);
  let recipe;
  try {
    recipe = JSON.parse(text);
  } catch (error) {
    throw new RecipeError(`the PNG's genimg text is not JSON (${error.message}); was it edited by hand?`);
  }
  checkRecipe(recipe);
  return recipe;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// ---- pixels ----------------------------------------------------------------------------------------------------

/** Throws unless image is {width, height, channels: 1 | 3, data: uint8 of width*height*channels} (what
 * window.genimg.generate and decode return), as genimg.images.to_pil checks. */
export function checkImage(image, what = "image") {
  const { width, height, channels, data } = image ?? {};
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 ||
      ![1, 3].includes(channels) || !(data instanceof Uint8Array || data instanceof Uint8ClampedArray) ||
      data.length !== width * height * channels) {
    throw new RecipeError(`${what} must be {width, height, channels: 1 or 3, data: a Uint8Array of ` +
                          `width*height*channels}, got ${describe(image)}`);
  }
}

/** Nearest-neighbour upscale by a whole factor (crisp pixels), as PIL's resize(NEAREST) to a multiple. */
export function scaleImage(image, scale) {
  checkImage(image);
  if (!Number.isInteger(scale) || scale < 1) {
    throw new RecipeError(`scale must be a whole number >= 1, got ${describe(scale)}`);
  }
  if (scale === 1) return image;
  const { width, height, channels, data } = image;
  const rowBytes = width * scale * channels;
  const out = new Uint8Array(rowBytes * height * scale);
  for (let y = 0; y < height; y++) {
    const row = out.subarray(y * scale * rowBytes, (y * scale + 1) * rowBytes);
    for (let x = 0; x < width; x++) {
      const pixel = data.subarray((y * width + x) * channels, (y * width + x + 1) * channels);
      for (let k = 0; k < scale; k++) row.set(pixel, (x * scale + k) * channels);
    }
    for (let k = 1; k < scale; k++) out.set(row, (y * scale + k) * rowBytes);
  }
  return { width: width * scale, height: height * scale, channels, data: out };
}

/** Images of one size -> one mosaic, row by row, `padding` background pixels around each (genimg.images.grid;
 * columns null: ceil(sqrt(N))). */
export function gridImage(images, columns = null, padding = GRID_PADDING, background = 255) {
  if (!Array.isArray(images) || !images.length) throw new RecipeError("no images to put in a grid");
  images.forEach((image, i) => checkImage(image, `images[${i}]`));
  const { width: w, height: h, channels: c } = images[0];
  if (images.some((im) => im.width !== w || im.height !== h || im.channels !== c)) {
    throw new RecipeError("the images of a grid must all have the same width, height and channels");
  }
  columns = columns || Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / columns);
  const width = columns * (w + padding) + padding;
  const height = rows * (h + padding) + padding;
  const data = new Uint8Array(width * height * c).fill(background);
  images.forEach((image, i) => {
    const top = padding + Math.floor(i / columns) * (h + padding);
    const left = padding + (i % columns) * (w + padding);
    for (let y = 0; y < h; y++) {
      data.set(image.data.subarray(y * w * c, (y + 1) * w * c), ((top + y) * width + left) * c);
    }
  });
  return { width, height, channels: c, data };
}

/** Images -> the picture a recipe's layout describes: the first image alone (columns null) or a grid, then scaled
 * up by `scale` (genimg.recipes.arrange). */
export function arrange(images, columns, scale) {
  return scaleImage(columns == null ? images[0] : gridImage(images, columns), scale);
}

/**
 * {width, height, channels: 1 | 3, data} -> PNG bytes (Uint8Array): grey or RGB, 8 bits, like Pillow's 'L' and 'RGB';
 * with `recipe`, its tEXt chunk goes before the pixels. `scale` upscales first (nearest neighbour).
 */
export function encodePng(image, { scale = 1, recipe = null } = {}) {
  const { width, height, channels, data } = scaleImage(image, scale);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, channels === 1 ? 0 : 2, 0, 0, 0], 8); // 8 bits; grey | RGB; deflate; filters; no interlace
  // Filter "Up" on every row but the first: an upscaled picture repeats each row, and a repeat becomes zeros.
  const rowBytes = width * channels;
  const filtered = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const at = y * (rowBytes + 1);
    const row = data.subarray(y * rowBytes, (y + 1) * rowBytes);
    if (y === 0) {
      filtered.set(row, at + 1);
      continue;
    }
    filtered[at] = 2;
    const above = data.subarray((y - 1) * rowBytes, y * rowBytes);
    for (let x = 0; x < rowBytes; x++) filtered[at + 1 + x] = row[x] - above[x];
  }
  return concat([Uint8Array.from(SIGNATURE), chunk("IHDR", header), ...(recipe ? [recipeChunk(recipe)] : []),
                 chunk("IDAT", zlibSync(filtered, { level: 6 })), chunk("IEND", new Uint8Array(0))]);
}

/** Images made as the recipe says -> the PNG bytes carrying that recipe (genimg.recipes.picture, then png_bytes). */
export function picturePng(images, recipe) {
  checkRecipe(recipe);
  return encodePng(arrange(images, recipe.layout.columns, recipe.layout.scale), { recipe });
}
