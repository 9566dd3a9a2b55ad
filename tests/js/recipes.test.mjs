// Recipes in the browser (genimg/app/web/recipes.js) against what Python writes: fixtures/downloads.json is made by
// genimg's Python (tests/test_downloads_browser.py writes it and checks it is current). Here: recipe fields and
// text, float formatting, the check's messages, CRC-32, the text chunk's round trip, and PNG pixels.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { unzlibSync } from "../../genimg/app/web/vendor/fflate/browser.js";
import {
  KEY, RecipeError, arrange, checkRecipe, crc32, encodePng, gridImage, makeRecipe, picturePng, pngWithRecipe,
  pythonFloat, readRecipe, recipeText, scaleImage,
} from "../../genimg/app/web/recipes.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/downloads.json", import.meta.url), "utf-8"));
const bytes = (base64) => new Uint8Array(Buffer.from(base64, "base64"));
const image = ({ width, height, channels, data }) => ({ width, height, channels, data: bytes(data) });
const latin1 = new TextDecoder("latin1");

/** PNG bytes -> [{type, data}] (no checks: the tests compare what they find). */
function chunksOf(png) {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    out.push({ type: latin1.decode(png.subarray(at + 4, at + 8)), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

/** An 8-bit, non-interlaced grey or RGB PNG -> {width, height, channels, data}, undoing all five row filters. */
function decodePng(png) {
  const chunks = chunksOf(png);
  const header = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset);
  const width = header.getUint32(0);
  const height = header.getUint32(4);
  assert.equal(chunks[0].data[8], 8, "8 bits per sample");
  const channels = { 0: 1, 2: 3 }[chunks[0].data[9]];
  const idat = chunks.filter((c) => c.type === "IDAT").map((c) => c.data);
  const raw = unzlibSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? data[y * stride + x - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a
        : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter];
      data[y * stride + x] = (value + predicted) & 255;
    }
  }
  return { width, height, channels, data };
}

test("makeRecipe writes the fields recipes.make writes, in its order, and the same JSON text", () => {
  assert.ok(fixture.recipes.length >= 10);
  for (const { fields, recipe, text } of fixture.recipes) {
    const made = makeRecipe(fields);
    assert.deepEqual(made, recipe, JSON.stringify(fields));
    assert.deepEqual(Object.keys(made), Object.keys(recipe));
    assert.equal(recipeText(made), text);
    assert.equal(recipeText(recipe), text); // a recipe read back from JSON writes the same text again
  }
});

test("makeRecipe rejects what a recipe cannot hold, saying what is accepted", () => {
  const base = { version: "0.1.0", model: "mnist", network: "gan", checkpoint: "0123456789ab" };
  const cases = [
    [{ ...base, seeds: [1], checkpoint: "abc" }, /checkpoint must be 12 hex digits/],
    [{ ...base }, /needs seeds \(with psi\) or z/],
    [{ ...base, network: "vae", seeds: [1] }, /prior 'learned' or 'standard'/],
    [{ ...base, network: "vae", seeds: [1], prior: "standard", label: "7" }, /label must be 'any'/],
    [{ ...base, seeds: [1, 2] }, /several seeds needs layout columns/],
    [{ ...base, seeds: [1], psi: NaN }, /'psi' must be a number/],
    [{ ...base, seeds: [1], scale: 65 }, /'scale': 1 to 64/],
    [{ ...base, version: "", seeds: [1] }, /version must be a non-empty string/],
  ];
  for (const [fields, message] of cases) {
    assert.throws(() => makeRecipe(fields), (e) => e instanceof RecipeError && message.test(e.message), message);
  }
});

test("floats are written as Python's repr writes them", () => {
  for (const [value, repr] of fixture.floats) assert.equal(pythonFloat(value), repr, String(value));
  assert.throws(() => pythonFloat(Infinity), RecipeError);
});

test("checkRecipe refuses what recipes.check refuses, with its message", () => {
  assert.ok(fixture.bad.filter((c) => c.message).length >= 20);
  for (const { recipe, message } of fixture.bad) {
    if (message === null) {
      assert.doesNotThrow(() => checkRecipe(recipe), JSON.stringify(recipe));
    } else {
      assert.throws(() => checkRecipe(recipe), (e) => e instanceof RecipeError && e.message === message,
                    `${JSON.stringify(recipe)} -> ${message}`);
    }
  }
});

test("crc32 is the CRC-32 of PNG and ZIP", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926); // the standard check value
  assert.equal(crc32(new TextEncoder().encode("IEND")), 0xae426082); // every PNG ends with it
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test("readRecipe reads the recipe of a PNG Python wrote", () => {
  for (const picture of fixture.pictures) {
    assert.deepEqual(readRecipe(bytes(picture.png)), picture.recipe);
    assert.deepEqual(readRecipe(bytes(picture.png).buffer), picture.recipe); // an ArrayBuffer too
  }
});

test("readRecipe fails as recipes.read does", () => {
  const noRecipe = (e) => e instanceof RecipeError && e.message === fixture.no_recipe_message;
  assert.throws(() => readRecipe(bytes(fixture.plain_png)), noRecipe);
  assert.throws(() => readRecipe(new TextEncoder().encode("GIF89a, not a PNG")), noRecipe);
  const png = bytes(fixture.pictures[0].png);
  const broken = png.slice();
  broken[40] ^= 1; // one bit inside the tEXt chunk: its CRC no longer holds, and Pillow refuses the file
  assert.throws(() => readRecipe(broken), noRecipe);
  assert.throws(() => readRecipe(png.slice(0, png.length - 12)), noRecipe); // cut before IEND
  assert.throws(() => readRecipe("a.png"), /a Uint8Array or an ArrayBuffer/);
});

/** A PNG with a tEXt chunk (keyword "genimg", any text) after its IHDR (8 + 25 bytes in), with a right CRC. */
function withText(png, text) {
  const data = Uint8Array.from(`${KEY}\0${text}`, (c) => c.charCodeAt(0));
  const chunk = new Uint8Array(12 + data.length);
  new DataView(chunk.buffer).setUint32(0, data.length);
  chunk.set(new TextEncoder().encode("tEXt"), 4);
  chunk.set(data, 8);
  new DataView(chunk.buffer).setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

test("a text that is not JSON, or not a recipe, says so", () => {
  const plain = bytes(fixture.plain_png);
  assert.throws(() => readRecipe(withText(plain, "{not json")), /genimg text is not JSON .*edited by hand/);
  assert.throws(() => readRecipe(withText(plain, "[1, 2]")), /a recipe is a JSON object, got list/);
  const text = recipeText(fixture.recipes[0].recipe);
  assert.deepEqual(readRecipe(withText(plain, text)), fixture.recipes[0].recipe); // the helper makes a real chunk
});

test("pngWithRecipe puts one genimg chunk before the pixels and keeps every other chunk", () => {
  const plain = bytes(fixture.plain_png);
  const recipe = fixture.recipes[0].recipe;
  const stamped = pngWithRecipe(plain, recipe);
  assert.deepEqual(readRecipe(stamped), recipe);
  const types = chunksOf(stamped).map((c) => c.type);
  assert.ok(types.indexOf("tEXt") < types.indexOf("IDAT"));
  assert.deepEqual(types.filter((t) => t !== "tEXt"), chunksOf(plain).map((c) => c.type));
  assert.deepEqual(decodePng(stamped), decodePng(plain));
  // stamping again replaces the recipe: one genimg chunk, the new one
  const other = fixture.recipes[1].recipe;
  const restamped = pngWithRecipe(stamped, other);
  assert.deepEqual(readRecipe(restamped), other);
  assert.equal(chunksOf(restamped).filter((c) => c.type === "tEXt").length, 1);
  assert.equal(restamped.length, stamped.length + recipeText(other).length - recipeText(recipe).length);
  assert.throws(() => pngWithRecipe(plain, { ...recipe, layout: null }), /'layout' must be/);
  assert.throws(() => pngWithRecipe(plain.subarray(1), recipe), /not a whole PNG/);
});

test("picturePng makes the picture Python makes for a recipe: the same pixels, layout and text", () => {
  for (const picture of fixture.pictures) {
    const images = picture.images.map(image);
    const ours = picturePng(images, picture.recipe);
    const theirs = bytes(picture.png);
    assert.deepEqual(decodePng(ours), decodePng(theirs));
    assert.deepEqual(readRecipe(ours), picture.recipe);
    assert.equal(chunksOf(ours).find((c) => c.type === "tEXt").data.toString(),
                 chunksOf(theirs).find((c) => c.type === "tEXt").data.toString());
    assert.deepEqual(chunksOf(ours).map((c) => c.type), ["IHDR", "tEXt", "IDAT", "IEND"]);
  }
  const grey = decodePng(bytes(fixture.pictures[0].png));
  assert.equal(grey.channels, 1); // a grey picture stays a grey PNG, as Pillow writes mode L
  assert.equal(decodePng(bytes(fixture.pictures[1].png)).channels, 3);
});

test("gridImage, scaleImage and arrange lay images out as genimg.images.grid and a nearest resize", () => {
  const images = fixture.pictures[0].images.map(image); // three 28x28 grey
  const sheet = gridImage(images); // ceil(sqrt(3)) = 2 columns, 2 rows
  assert.deepEqual([sheet.width, sheet.height, sheet.channels], [2 + 2 * 30, 2 + 2 * 30, 1]);
  assert.equal(sheet.data[0], 255); // the padding is white
  assert.equal(sheet.data[2 * sheet.width + 2], images[0].data[0]);
  assert.equal(sheet.data[32 * sheet.width + 2], images[2].data[0]); // third image: second row, first column
  assert.equal(sheet.data[32 * sheet.width + 32], 255); // the empty cell
  const big = scaleImage(images[0], 3);
  assert.equal(big.width, 84);
  for (const [y, x] of [[0, 0], [2, 2], [83, 83], [40, 7]]) {
    assert.equal(big.data[y * 84 + x], images[0].data[Math.floor(y / 3) * 28 + Math.floor(x / 3)]);
  }
  assert.deepEqual(arrange(images, null, 1), images[0]);
  assert.throws(() => gridImage([images[0], fixture.pictures[1].images.map(image)[0]]), /same width, height/);
  assert.throws(() => gridImage([]), /no images/);
  assert.throws(() => encodePng({ width: 2, height: 2, channels: 4, data: new Uint8Array(16) }), /channels: 1 or 3/);
  assert.throws(() => scaleImage(images[0], 1.5), /whole number/);
});

test("encodePng: the same image gives the same bytes; a repeated row costs almost nothing", () => {
  const one = fixture.pictures[1].images.map(image)[0];
  assert.deepEqual(encodePng(one, { scale: 4 }), encodePng(one, { scale: 4 }));
  const small = encodePng(one).length;
  const big = encodePng(one, { scale: 16 }).length; // 256 times the pixels
  assert.ok(big < 4 * small, `${big} bytes at 16x vs ${small} at 1x`);
  assert.deepEqual(decodePng(encodePng(one, { scale: 16 })), scaleImage(one, 16));
});
