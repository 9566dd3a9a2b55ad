// The browser's preprocessing (genimg/app/web/preprocess.js) on its own: Pillow's integer arithmetic on known values,
// the resamplers' properties, the MNIST normalisation's steps and the errors' locale keys. That it equals the
// server's model_input on real pictures is checked in tests/test_preprocess_js.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import { centreOfMass, checkRGBA, digitLikeMnist, dropSpecks, inkMap, MAX_PIXELS, modelInput, onWhite,
  PreprocessError, resize, roundHalfEven, toGrey } from "../../genimg/app/web/preprocess.js";

/** An RGBA picture of one grey level with a dark block at [top, bottom) x [left, right). */
function picture(width, height, paper, block = null, ink = 0) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = block && y >= block[0] && y < block[1] && x >= block[2] && x < block[3];
      data.set([inside ? ink : paper, inside ? ink : paper, inside ? ink : paper, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

test("round halves to even, as Python's round", () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map(roundHalfEven), [0, 2, 2, 0, -2, 2, 3]);
});

test("transparent pixels become white; opaque ones stay; half-transparent ones use Pillow's 7-bit fixed point", () => {
  const pixels = [10, 20, 30, 0, 10, 20, 30, 255, 0, 0, 0, 128, 0, 0, 0, 1];
  const rgba = { width: 4, height: 1, data: Uint8Array.from(pixels) };
  assert.deepEqual(Array.from(onWhite(rgba).data), [255, 255, 255, 10, 20, 30, 127, 127, 127, 254, 254, 254]);
});

test("grey is Pillow's ITU-R 601-2 luma in 16-bit fixed point", () => {
  const pixels = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
  const rgb = { width: 4, height: 1, channels: 3, data: Uint8Array.from(pixels) };
  assert.deepEqual(Array.from(toGrey(rgb).data), [76, 150, 29, 255]);
});

test("resizing keeps a flat picture flat, skips an unchanged side and rounds as Pillow's fixed point", () => {
  const flat = { width: 7, height: 5, channels: 3, data: new Uint8Array(7 * 5 * 3).fill(93) };
  for (const filter of ["box", "lanczos"]) {
    const out = resize(flat, 3, 11, filter);
    assert.equal(out.data.length, 3 * 11 * 3);
    assert.ok(out.data.every((v) => v === 93), filter);
  }
  const pair = { width: 2, height: 1, channels: 1, data: Uint8Array.from([0, 255]) };
  assert.deepEqual(Array.from(resize(pair, 1, 1, "box").data), [128]); // (0 + 255) / 2 rounded half up
  const same = resize(pair, 2, 1, "lanczos");
  assert.deepEqual(Array.from(same.data), [0, 255]);
  assert.notEqual(same.data, pair.data); // a copy, as Pillow's resize to the same size
  const float = resize({ width: 3, height: 1, channels: 1, data: Float32Array.from([0, 1, 0]) }, 6, 1, "lanczos");
  assert.ok(float.data instanceof Float32Array);
  assert.ok(Math.max(...float.data) < 1 && Math.min(...float.data) < 0); // Lanczos overshoots
});

test("the ink map inverts a light background and refuses a flat picture with error_no_digit", () => {
  const grey = toGrey(onWhite(picture(30, 30, 240, [5, 25, 12, 18], 20)));
  const ink = inkMap(grey.data, 30, 30);
  assert.equal(ink[0], 0);
  assert.equal(ink[15 * 30 + 15], 1);
  const dark = toGrey(onWhite(picture(30, 30, 20, [5, 25, 12, 18], 240)));
  assert.deepEqual(Array.from(inkMap(dark.data, 30, 30)), Array.from(ink));
  assert.throws(() => inkMap(new Uint8Array(900).fill(128), 30, 30),
                (e) => e instanceof PreprocessError && e.key === "error_no_digit" && /found no digit/.test(e.message));
});

test("specks under a tenth of the biggest blob go; blobs touching at a corner are one (8-connected)", () => {
  const ink = new Float32Array(10 * 10);
  for (let y = 1; y < 6; y++) for (let x = 1; x < 4; x++) ink[y * 10 + x] = 1; // a blob of 15
  ink[6 * 10 + 4] = 1; // touches the blob's corner: kept with it
  ink[9 * 10 + 9] = 1; // a lone speck: 1 < 0.1 * 16
  const kept = dropSpecks(ink, 10, 10);
  assert.equal(kept[6 * 10 + 4], 1);
  assert.equal(kept[9 * 10 + 9], 0);
  assert.equal(kept.reduce((a, b) => a + b, 0), 16);
});

test("centre of mass, and the middle for no mass", () => {
  assert.deepEqual(centreOfMass(Float32Array.from([0, 0, 0, 1, 0, 0]), 3, 2), [1, 0]);
  assert.deepEqual(centreOfMass(new Float32Array(6), 3, 2), [0.5, 1]);
});

test("a digit is white on black, its long side 20, centred by mass in 28x28", () => {
  const grey = toGrey(onWhite(picture(80, 120, 245, [10, 110, 20, 40], 10))).data;
  const field = digitLikeMnist(grey, 80, 120);
  assert.equal(field.length, 784);
  assert.equal(field[0], 0);
  assert.equal(Math.max(...field), 255);
  const rows = [];
  for (let y = 0; y < 28; y++) if (field.subarray(y * 28, y * 28 + 28).some((v) => v > 0)) rows.push(y);
  assert.ok([20, 21].includes(rows[rows.length - 1] - rows[0] + 1)); // long side 20 (+ Lanczos ring)
  const [massY, massX] = centreOfMass(Float32Array.from(field), 28, 28);
  assert.ok(Math.abs(massY - 13.5) <= 1 && Math.abs(massX - 13.5) <= 1);
});

test("model inputs: digits, grey and colour squares of the model's size", () => {
  const drawn = picture(100, 60, 250, [10, 50, 45, 55], 0);
  const digit = modelInput(drawn, 28, 1, true);
  assert.deepEqual([digit.width, digit.height, digit.channels, digit.data.length], [28, 28, 1, 784]);
  const colour = { width: 100, height: 50, data: new Uint8Array(100 * 50 * 4) }; // centre square red, sides black
  for (let p = 0; p < 5000; p++) {
    const x = p % 100;
    colour.data.set(x >= 25 && x < 75 ? [255, 0, 0, 255] : [0, 0, 0, 255], p * 4);
  }
  const square = modelInput(colour, 32, 3, false);
  assert.equal(square.data.length, 32 * 32 * 3);
  for (let p = 0; p < 32 * 32; p++) assert.ok(square.data[3 * p] > 240 && square.data[3 * p + 1] < 15);
  assert.equal(modelInput(colour, 32, 1, false).data.length, 32 * 32);
  assert.throws(() => modelInput(drawn, 64, 3, true), /digit preprocessing makes 28x28 grey images/);
});

test("what is not a picture says what is accepted; empty and huge pictures carry their locale keys", () => {
  assert.throws(() => checkRGBA("digit.png"), /imageData must be \{width, height, data\}/);
  assert.throws(() => checkRGBA({ width: 2, height: 2, data: new Float32Array(16) }), /data is a Float32Array/);
  assert.throws(() => checkRGBA({ width: 2, height: 2, data: new Uint8Array(15) }), /data holds 15 values for 2x2/);
  assert.throws(() => checkRGBA({ width: 0, height: 5, data: new Uint8Array(0) }),
                (e) => e.key === "error_empty_image" && /the image is empty \(0x5\)/.test(e.message));
  const side = Math.ceil(Math.sqrt(MAX_PIXELS)) + 1;
  assert.throws(() => checkRGBA({ width: side, height: side, data: new Uint8Array(side * side * 4) }),
                (e) => e.key === "error_too_large" && e.fields.detail === `${side}x${side} pixels`);
});

test("a big picture is shrunk first (BOX) and still gives the model's size", () => {
  const big = picture(1500, 1000, 255, [100, 900, 700, 800], 0);
  const digit = modelInput(big, 28, 1, true);
  assert.equal(digit.data.length, 784);
  assert.ok(Math.max(...digit.data) === 255);
});
