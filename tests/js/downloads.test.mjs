// Downloads in the browser (genimg/app/web/downloads.js) against what Python writes (fixtures/downloads.json, made
// and kept current by tests/test_downloads_browser.py): names as registry.grid_name, the ZIP byte for byte as
// zipfile writes it (in two time zones), the gallery ZIP's files, and the GIF's frames, times and loop as Pillow
// reads the server's. The GIF's pixels are checked against Pillow in tests/test_downloads_browser.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { unzipSync } from "../../genimg/app/web/vendor/fflate/browser.js";
import {
  GIF_DELAY_MS, formatG, galleryPngs, galleryZip, gifOfFrames, gridName, gridPng, interpolationName, seedRanges,
  zipOfImages,
} from "../../genimg/app/web/downloads.js";
import { makeRecipe, picturePng, readRecipe } from "../../genimg/app/web/recipes.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/downloads.json", import.meta.url), "utf-8"));
const bytes = (base64) => new Uint8Array(Buffer.from(base64, "base64"));
const image = ({ width, height, channels, data }) => ({ width, height, channels, data: bytes(data) });

test("gridName is registry.grid_name on a table of cases", () => {
  assert.ok(fixture.names.length >= 15);
  for (const { model, seeds, psi, label, name } of fixture.names) {
    assert.equal(gridName(model, seeds, psi, label), name, JSON.stringify({ model, seeds, psi, label }));
  }
  assert.equal(seedRanges([0, 1, 2, 3, 42, 43, 7]), "0-3_42-43_7");
  assert.equal(interpolationName("mnist", 3, 8), "genimg-mnist-seed-3-to-8");
});

test("formatG is Python's format(x, 'g'), ties to even included", () => {
  for (const [value, text] of fixture.formatG) assert.equal(formatG(value), text, String(value));
});

test("zipOfImages writes the bytes Python's zipfile writes, in any time zone", () => {
  const files = fixture.zip.files.map(({ name, png }) => ({ name, bytes: bytes(png) }));
  const expected = bytes(fixture.zip.bytes);
  const zone = process.env.TZ;
  try {
    for (const tz of ["America/Los_Angeles", "Asia/Shanghai", "UTC"]) {
      process.env.TZ = tz; // Node applies a new TZ at once
      assert.deepEqual(zipOfImages(files), expected, tz);
    }
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

test("zipOfImages refuses what it cannot write as given", () => {
  const png = bytes(fixture.zip.files[0].png);
  assert.throws(() => zipOfImages([]), /non-empty array/);
  assert.throws(() => zipOfImages([{ name: "a.png", bytes: png }, { name: "a.png", bytes: png }]), /given twice/);
  assert.throws(() => zipOfImages([{ name: "a.png", bytes: "png" }]), /bytes: a Uint8Array/);
  assert.throws(() => zipOfImages([{ name: "42", bytes: png }]), /bare number/);
});

const picture = fixture.pictures[0]; // three grey 28x28 images, seeds 0, 1, 42, psi 0.7
const made = { version: fixture.version, model: "mnist", checkpoint: "0123456789ab", seeds: picture.recipe.seeds,
               psi: picture.recipe.psi, label: "any" };
const recipeFor = (fields) => makeRecipe({ ...made, network: "gan", ...fields });

test("galleryZip holds seedNNNN.png at the model's size, each with its recipe, named as the grid", () => {
  const images = picture.images.map(image);
  const zip = galleryZip(images, made);
  assert.equal(zip.name, "genimg-mnist-seeds-0-1_42-psi0.7.zip");
  assert.equal(zip.mime, "application/zip");
  const files = unzipSync(zip.bytes);
  assert.deepEqual(Object.keys(files), ["seed0000.png", "seed0001.png", "seed0042.png"]);
  made.seeds.forEach((seed, i) => {
    const png = files[`seed${String(seed).padStart(4, "0")}.png`];
    assert.deepEqual(readRecipe(png), recipeFor({ seeds: [seed] }));
    assert.deepEqual(png, picturePng([images[i]], recipeFor({ seeds: [seed] })));
  });
  const again = galleryZip([images[0], images[0]], { ...made, seeds: [0, 0] });
  assert.deepEqual(Object.keys(unzipSync(again.bytes)), ["seed0000.png"]); // a seed listed twice is one file
  assert.throws(() => galleryZip(images, { ...made, seeds: [0, 1] }), /one image per seed/);
});

test("gridPng and galleryPngs: the layouts and recipes of the server's grid and gallery", () => {
  const images = picture.images.map(image);
  const grid = gridPng(images, made);
  assert.equal(grid.name, "genimg-mnist-seeds-0-1_42-psi0.7.png");
  assert.deepEqual(readRecipe(grid.bytes), recipeFor({ seeds: made.seeds, columns: 2, scale: 4 }));
  const gallery = galleryPngs(images, made);
  assert.equal(gallery.length, 3);
  assert.deepEqual(readRecipe(gallery[2]), recipeFor({ seeds: [42], scale: 4 })); // 28 px -> 112 <= 128
  const emoji = fixture.pictures[1].images.map(image); // 8x8: scale 16
  const emojiMade = { ...made, model: "emoji", seeds: [0, 1], psi: 1, label: "Flags" };
  assert.equal(readRecipe(galleryPngs(emoji, emojiMade)[0]).layout.scale, 16);
  assert.equal(gridPng(emoji, emojiMade).name, "genimg-emoji-seeds-0-1-class-Flags.png");
});

/** GIF bytes -> {width, height, loop, frames: [{delay (ms), disposal, width, height}]}: the blocks, walked. */
function readGif(gif) {
  assert.equal(new TextDecoder().decode(gif.subarray(0, 6)), "GIF89a");
  const u16 = (at) => gif[at] | (gif[at + 1] << 8);
  const table = (flags) => (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  const out = { width: u16(6), height: u16(8), loop: null, frames: [] };
  let at = 13 + table(gif[10]);
  let control = null;
  const skipBlocks = () => {
    while (gif[at] !== 0) at += gif[at] + 1;
    at += 1;
  };
  for (;;) {
    const kind = gif[at];
    if (kind === 0x3b) return out;
    if (kind === 0x21 && gif[at + 1] === 0xf9) {
      control = { disposal: (gif[at + 3] >> 2) & 7, delay: u16(at + 4) * 10 };
      at += 8;
    } else if (kind === 0x21 && gif[at + 1] === 0xff) {
      const app = new TextDecoder().decode(gif.subarray(at + 3, at + 14));
      if (app === "NETSCAPE2.0") out.loop = u16(at + 16);
      at += 14;
      skipBlocks();
    } else if (kind === 0x2c) {
      out.frames.push({ ...control, width: u16(at + 5), height: u16(at + 7) });
      at += 10 + table(gif[at + 9]) + 1; // descriptor, local table, LZW code size
      skipBlocks();
    } else {
      assert.fail(`unexpected GIF block 0x${kind.toString(16)} at ${at}`);
    }
  }
}

test("gifOfFrames: the frames, times, size and loop Pillow reads from the server's GIF", () => {
  assert.equal(fixture.gifs.length, 4);
  for (const { frames, side, count, durations, size, loop } of fixture.gifs) {
    const gif = readGif(gifOfFrames(frames.map(image), { side }));
    assert.deepEqual([gif.width, gif.height], size);
    assert.equal(gif.loop, loop);
    assert.equal(gif.frames.length, count);
    assert.deepEqual(gif.frames.map((f) => f.delay), durations);
    for (const frame of gif.frames) {
      assert.deepEqual([frame.width, frame.height, frame.disposal], [...size, 2]);
    }
  }
});

test("gifOfFrames: ping-pong of distinct frames at the default size and delay; RGB frames too", () => {
  const frames = picture.images.map(image); // 28x28 -> 252x252 (9x)
  const gif = readGif(gifOfFrames(frames));
  assert.deepEqual([gif.width, gif.height, gif.loop], [252, 252, 0]);
  assert.deepEqual(gif.frames.map((f) => f.delay), [GIF_DELAY_MS, GIF_DELAY_MS, GIF_DELAY_MS, GIF_DELAY_MS]);
  const rgb = readGif(gifOfFrames(fixture.pictures[1].images.map(image), { side: 64 }));
  assert.deepEqual([rgb.width, rgb.frames.length], [64, 2]);
  assert.throws(() => gifOfFrames([]), /non-empty array/);
  assert.throws(() => gifOfFrames([frames[0], fixture.pictures[1].images.map(image)[0]]), /same width/);
  assert.throws(() => gifOfFrames(frames, { side: 0 }), /side must be/);
  assert.throws(() => gifOfFrames([{ width: 2 }]), /frames\[0\] must be \{width, height, channels: 1 or 3/);
});
