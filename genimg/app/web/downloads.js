// Downloads made in the browser, the same files the server makes: the gallery's PNGs and grid PNG (each with its
// recipe), the gallery as a ZIP, the interpolation as a looping GIF, named as the server names them, and saving
// bytes as a file. The recipe and the PNG itself: recipes.js. Not here: running a model (genimg.js), the page.

import { zipSync } from "./vendor/fflate/browser.js";
import { GIFEncoder, applyPalette, quantize } from "./vendor/gifenc/gifenc.esm.js";
import { describe } from "./seeds.js";
import { GALLERY_SIDE, GIF_SIDE } from "./limits.js";
import { GRID_SCALE, checkImage, makeRecipe, picturePng, scaleImage } from "./recipes.js";

// The ZIP's file time, fixed as the server's gallery ZIP has it (ZIP_TIME, a zipfile date_time tuple), so the same
// gallery gives the same ZIP bytes. A ZIP stores wall-clock fields, which fflate reads from a Date in local time:
// the Date is made at each call, in the time zone of that moment.
export const ZIP_TIME = [2020, 1, 1, 0, 0, 0]; // year, month (from 1), day, hour, minute, second
export const GIF_DELAY_MS = 80; // per frame, as genimg.images.gif_bytes
const UNIX = 3; // the "made by" system Python's zipfile writes on Linux and macOS (0 on Windows)
const READ_WRITE = 0o600 << 16; // rw-------: the mode Python's zipfile writes for a file given none

// ---- names -----------------------------------------------------------------------------------------------------

/** [0, 1, 2, 3, 42] -> "0-3_42": runs of consecutive seeds, for a file name (registry.seed_ranges). */
export function seedRanges(seeds) {
  const runs = [];
  for (const seed of seeds) {
    if (runs.length && seed === runs[runs.length - 1][1] + 1) runs[runs.length - 1][1] = seed;
    else runs.push([seed, seed]);
  }
  return runs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join("_");
}

/**
 * What a gallery's grid PNG and ZIP download as, without the extension: "genimg-mnist-seeds-0-15", with "-psi0.7"
 * and "-class-7" when they apply. The one name rule, genimg/app/registry.py grid_name, character for character.
 */
export function gridName(model, seeds, psi, label) {
  let ranges = seedRanges(seeds);
  if (ranges.length > 40) ranges = `${seeds[0]}-and-${seeds.length - 1}-more`; // a long list of scattered seeds
  let name = `genimg-${model}-seeds-${ranges}`;
  if (psi !== 1.0) name += `-psi${formatG(psi)}`;
  if (label && label !== "any") {
    name += "-class-" + String(label).replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }
  return name.replace(/[^A-Za-z0-9._-]+/g, "-");
}

/** What the interpolation GIF downloads as, without the extension (the server's name for it and its MP4). */
export function interpolationName(model, seedA, seedB) {
  return `genimg-${model}-seed-${seedA}-to-${seedB}`;
}

/**
 * A number as Python's format(x, "g") writes it: 6 significant digits, rounded half to even on the exact value,
 * trailing zeros dropped, the exponent form below 1e-4 and from 1e6 on (0.7, 0.123457, 1e-05, 1e+06).
 */
export function formatG(x) {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  if (x === 0) return `${sign}0`;
  // toPrecision(100) is the exact decimal value of the double (or rounded past the 100th digit, beyond any tie)
  const [mantissa, power = "0"] = Math.abs(x).toPrecision(100).split("e");
  const [whole, fraction = ""] = mantissa.split(".");
  const all = whole + fraction;
  const lead = all.search(/[1-9]/);
  let exponent = whole.length - 1 - lead + Number(power);
  let digits = all.slice(lead, lead + 6).padEnd(6, "0");
  const rest = all.slice(lead + 6);
  const up = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || Number(digits[5]) % 2 === 1));
  if (up) {
    digits = String(Number(digits) + 1);
    if (digits.length > 6) {
      digits = digits.slice(0, 6);
      exponent += 1;
    }
  }
  digits = digits.replace(/0+$/, "") || "0";
  if (exponent < -4 || exponent >= 6) {
    const shown = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${shown}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const integer = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const decimals = digits.slice(exponent + 1);
  return `${sign}${integer}${decimals ? "." + decimals : ""}`;
}

// ---- files -----------------------------------------------------------------------------------------------------

/**
 * [{name: "seed0042.png", bytes: Uint8Array}, ...] -> ZIP bytes (Uint8Array), in the order given: stored, not
 * deflated (PNGs are compressed already), with the fixed ZIP_TIME; the bytes Python's zipfile writes for the same
 * files (ZIP_STORED, ZipInfo(name, ZIP_TIME)). Names must differ.
 */
export function zipOfImages(files) {
  if (!Array.isArray(files) || !files.length) {
    throw new Error(`files must be a non-empty array of {name, bytes}, got ${describe(files)}`);
  }
  const [year, month, ...time] = ZIP_TIME;
  const mtime = new Date(year, month - 1, ...time);
  const entries = {};
  for (const [i, file] of files.entries()) {
    const { name, bytes } = file ?? {};
    if (typeof name !== "string" || !name || !(bytes instanceof Uint8Array)) {
      throw new Error(`files[${i}] must be {name: a non-empty string, bytes: a Uint8Array}, got ${describe(file)}`);
    }
    if (Object.hasOwn(entries, name)) throw new Error(`files[${i}]: the name ${JSON.stringify(name)} is given twice`);
    // a file-name key that looks like an array index would be moved first by JS's key order: keep the given order
    if (/^\d+$/.test(name)) {
      throw new Error(`files[${i}]: a name must not be a bare number, got ${JSON.stringify(name)}`);
    }
    entries[name] = [bytes, { level: 0, mtime, os: UNIX, attrs: READ_WRITE }];
  }
  return zipSync(entries);
}

/**
 * Frames ({width, height, channels: 1 | 3, data}, one size) -> a looping animated GIF (Uint8Array), as
 * genimg.images.gif_bytes makes it from frames upscaled with genimg.images.upscale: forward then back (ping-pong,
 * so the loop has no jump), each frame scaled up crisply to the largest multiple <= side, `delay` ms per frame,
 * looping forever, disposal 2; a frame equal to the one before is merged into it (its time added), as Pillow does.
 * Grey frames keep every grey level; an RGB frame of at most 256 colours keeps them all, one of more is quantized
 * to 256 (Pillow's median cut and gifenc's quantizer pick different palettes: such frames differ slightly).
 */
export function gifOfFrames(frames, { side = GIF_SIDE, delay = GIF_DELAY_MS } = {}) {
  if (!Array.isArray(frames) || !frames.length) {
    throw new Error(`frames must be a non-empty array of images, got ${describe(frames)}`);
  }
  if (!Number.isInteger(side) || side < 1) throw new Error(`side must be a whole number >= 1, got ${describe(side)}`);
  if (!Number.isFinite(delay) || delay < 0) throw new Error(`delay must be ms >= 0, got ${describe(delay)}`);
  checkImage(frames[0], "frames[0]");
  const { width, height, channels } = frames[0];
  const factor = Math.max(1, Math.floor(side / Math.max(width, height)));
  const sequence = [...frames, ...frames.slice(1, -1).reverse()]; // frames + frames[-2:0:-1]
  const shown = []; // [{frame, delay}] after merging repeats
  for (const frame of sequence) {
    if (frame.width !== width || frame.height !== height || frame.channels !== channels) {
      throw new Error("the frames of a GIF must all have the same width, height and channels");
    }
    const last = shown[shown.length - 1];
    if (last && sameBytes(last.frame.data, frame.data)) last.delay += delay;
    else shown.push({ frame, delay });
  }
  const gif = GIFEncoder();
  const grey = channels === 1 ? Array.from({ length: 256 }, (_, v) => [v, v, v]) : null;
  shown.forEach(({ frame, delay: ms }, i) => {
    // palette first, at the model's size (factor^2 fewer pixels to quantize), then the indices are scaled up
    const { palette, index } = grey ? { palette: grey, index: frame.data } : paletteOf(frame);
    const scaled = scaleImage({ width, height, channels: 1, data: index }, factor);
    gif.writeFrame(scaled.data, scaled.width, scaled.height, {
      palette: grey && i > 0 ? null : palette, // grey: one global table; RGB: a table per frame
      delay: ms, repeat: 0, dispose: 2,
    });
  });
  gif.finish();
  return gif.bytes();
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An RGB image -> {palette: [[r, g, b]], index: Uint8Array}: its own colours when there are at most 256. */
function paletteOf({ data }) {
  const pixels = data.length / 3;
  const colours = new Map(); // 0xRRGGBB -> palette index
  const index = new Uint8Array(pixels);
  for (let p = 0; p < pixels && colours.size <= 256; p++) {
    const rgb = (data[3 * p] << 16) | (data[3 * p + 1] << 8) | data[3 * p + 2];
    if (!colours.has(rgb)) colours.set(rgb, colours.size);
    index[p] = colours.get(rgb);
  }
  if (colours.size <= 256) {
    return { palette: Array.from(colours.keys(), (c) => [c >> 16, (c >> 8) & 255, c & 255]), index };
  }
  const rgba = new Uint8Array(pixels * 4);
  for (let p = 0; p < pixels; p++) rgba.set([data[3 * p], data[3 * p + 1], data[3 * p + 2], 255], 4 * p);
  const palette = quantize(rgba, 256);
  return { palette, index: applyPalette(rgba, palette) };
}

/** Offer bytes to the user as a file download (a Blob behind a clicked <a download>). */
export function saveBytes(bytes, fileName, mime) {
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const link = Object.assign(document.createElement("a"), { href: url, download: fileName, rel: "noopener" });
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // some browsers read the URL after click() returns
}

// ---- what the GAN gallery offers -------------------------------------------------------------------------------

/**
 * `made` says how a gallery's images were made: {version, model, checkpoint, seeds, psi, label}, as
 * window.genimg.generate(model, seeds, psi, label) made `images` (one per seed, in order); version is genimg's
 * version and checkpoint the model's 12-hex id, both from the page's config.
 */
function recipeFor(made, fields) {
  const { version, model, checkpoint, psi = 1.0, label = "any" } = made;
  return makeRecipe({ version, model, network: "gan", checkpoint, psi, label, ...fields });
}

function checkGallery(images, made) {
  if (!Array.isArray(images) || !images.length || !Array.isArray(made?.seeds) ||
      made.seeds.length !== images.length) {
    throw new Error(`images must be one image per seed of made.seeds, got ${describe(images)} for ` +
                    `${describe(made?.seeds)} seeds`);
  }
}

/** Each gallery image as the PNG the server's gallery shows: scaled up crisply to the largest multiple <= 128
 * pixels, with its own recipe -> [Uint8Array], one per seed. */
export function galleryPngs(images, made) {
  checkGallery(images, made);
  const scale = Math.max(1, Math.floor(GALLERY_SIDE / Math.max(images[0].width, images[0].height)));
  return images.map((image, i) => picturePng([image], recipeFor(made, { seeds: [made.seeds[i]], scale })));
}

/** The gallery as one grid PNG (ceil(sqrt(N)) columns, scaled up 4x, one recipe for all) -> {name, bytes, mime}. */
export function gridPng(images, made) {
  checkGallery(images, made);
  const columns = Math.ceil(Math.sqrt(images.length));
  const bytes = picturePng(images, recipeFor(made, { seeds: made.seeds, columns, scale: GRID_SCALE }));
  return { name: `${gridName(made.model, made.seeds, made.psi ?? 1.0, made.label ?? "any")}.png`, bytes,
           mime: "image/png" };
}

/** The gallery as a ZIP of seed0042.png ... at the model's own size, each with its recipe -> {name, bytes, mime}.
 * A seed listed twice is one file (the same seed is the same image). */
export function galleryZip(images, made) {
  checkGallery(images, made);
  const files = new Map();
  images.forEach((image, i) => {
    const seed = made.seeds[i];
    const name = `seed${String(seed).padStart(4, "0")}.png`;
    if (!files.has(name)) files.set(name, picturePng([image], recipeFor(made, { seeds: [seed] })));
  });
  const bytes = zipOfImages(Array.from(files, ([name, png]) => ({ name, bytes: png })));
  return { name: `${gridName(made.model, made.seeds, made.psi ?? 1.0, made.label ?? "any")}.zip`, bytes,
           mime: "application/zip" };
}

/** Interpolation frames from seed A to seed B -> the looping GIF as {name, bytes, mime}. */
export function interpolationGif(frames, { model, seedA, seedB }) {
  return { name: `${interpolationName(model, seedA, seedB)}.gif`, bytes: gifOfFrames(frames), mime: "image/gif" };
}
