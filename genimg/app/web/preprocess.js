// Uploads -> the uint8 array a model takes, in the browser: a port of genimg/data/preprocess.py's model_input that
// starts from decoded RGBA pixels (the browser has decoded the file and turned it upright by its EXIF orientation).
// Transparency onto white, a large picture shrunk to about WORK_SIDE^2 pixels, then
// - digits (28x28 grey models): the ink map (median border, 99.5th percentile, paper floored), specks dropped
//   (8-connected blobs), the ink's box fitted in 20x20 and centred by mass in 28x28, as MNIST was made;
// - other models: a centre square, resized to the model's side, grey or RGB.
// Pillow's arithmetic is followed step by step (alpha_composite, convert("L"), the BOX and Lanczos resamplers in
// 8-bit fixed point and in float32) and numpy's float32 where the server computes in float32, so the same pixels
// give the server's array to the pixel. Errors are PreprocessError with the locale key of the server's message.
// Pure: no DOM, no tensors; runs in Node.

export const MAX_PIXELS = 25_000_000; // a 5000x5000 upload, as the server's limit
export const DIGIT_BOX = 20; // MNIST: the digit fits in 20x20 ...
export const DIGIT_SIZE = 28; // ... centred by mass in 28x28
export const MIN_CONTRAST = 24; // grey levels between background and ink below which the image is blank
export const SPECK = 0.1; // blobs with less ink than this share of the biggest blob are dust
export const INK_FLOOR = 0.2; // share of the ink's contrast treated as paper
export const WORK_SIDE = 1024; // larger pictures are shrunk to about this many pixels squared first
export const ACCEPTED = "PNG, JPEG, WebP, GIF, BMP or TIFF images, at most 5000x5000 pixels";

const f32 = Math.fround;

/** A picture that cannot become a model input: `key` and `fields` name the message in the locale files (error_*),
 * as genimg/app/checks.py's ERROR_KINDS does for the server's. */
export class PreprocessError extends Error {
  constructor(message, key, fields = {}) {
    super(message);
    this.name = "PreprocessError";
    this.key = key;
    this.fields = fields;
  }
}

function describe(value) {
  if (value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.length}`;
  if (typeof value === "object") return `an object with keys ${Object.keys(value).slice(0, 6).join(", ") || "(none)"}`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}

/** {width, height, data} RGBA (an ImageData or a plain object) -> the same, checked; an Error saying what is
 * accepted otherwise, a PreprocessError for an empty or too large picture. */
export function checkRGBA(image) {
  const accepted = "imageData must be {width, height, data} with data holding width x height x 4 RGBA bytes " +
    "(an ImageData, or a plain object with a Uint8Array, Uint8ClampedArray or array)";
  if (!image || typeof image !== "object") throw new Error(`${accepted}, got ${describe(image)}`);
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new Error(`${accepted}; width and height must be whole numbers, got ${describe(width)} x ` +
                    `${describe(height)}`);
  }
  if (!(Array.isArray(data) || data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new Error(`${accepted}; data is ${describe(data)}`);
  }
  if (data.length !== width * height * 4) {
    throw new Error(`${accepted}; data holds ${data.length} values for ${width}x${height} ` +
                    `(${width * height * 4} expected)`);
  }
  if (Math.min(width, height) < 1) {
    throw new PreprocessError(`the image is empty (${width}x${height}); accepted: ${ACCEPTED}`, "error_empty_image");
  }
  if (width * height > MAX_PIXELS) {
    const detail = `${width}x${height} pixels`;
    throw new PreprocessError(`image too large (${detail}); accepted: ${ACCEPTED}`, "error_too_large", { detail });
  }
  return image;
}

/** Python's round(): to the nearest whole number, halves to the even one. */
export function roundHalfEven(x) {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest < 0.5) return floor;
  if (rest > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** RGBA [H W 4] -> RGB {width, height, channels: 3, data}, transparent parts over white: Pillow's alpha_composite
 * (libImaging/AlphaComposite.c, 7-bit fixed point) onto an opaque white picture, then convert("RGB"). */
export function onWhite(image) {
  const { width, height, data } = image;
  const out = new Uint8Array(width * height * 3);
  const precision = 7;
  const shiftForDiv255 = (a) => (((a >>> 8) + a) >>> 8);
  for (let p = 0; p < width * height; p++) {
    const alpha = data[4 * p + 3];
    for (let c = 0; c < 3; c++) {
      if (alpha === 0) {
        out[3 * p + c] = 255;
        continue;
      }
      const blend = 255 * (255 - alpha); // the white picture's alpha is 255
      const outAlpha255 = alpha * 255 + blend;
      const coef1 = Math.floor((alpha * 255 * 255 * (1 << precision)) / outAlpha255);
      const coef2 = 255 * (1 << precision) - coef1;
      const mixed = data[4 * p + c] * coef1 + 255 * coef2;
      out[3 * p + c] = shiftForDiv255(mixed + (0x80 << precision)) >>> precision;
    }
  }
  return { width, height, channels: 3, data: out };
}

/** RGB -> grey, Pillow's convert("L"): ITU-R 601-2 luma in 16-bit fixed point (libImaging/Convert.c, L24). */
export function toGrey(image) {
  const { width, height, data } = image;
  const out = new Uint8Array(width * height);
  for (let p = 0; p < width * height; p++) {
    out[p] = (data[3 * p] * 19595 + data[3 * p + 1] * 38470 + data[3 * p + 2] * 7471 + 0x8000) >>> 16;
  }
  return { width, height, channels: 1, data: out };
}

// ---- Pillow's resampling (libImaging/Resample.c), both passes -------------------------------------------------

function sinc(x) {
  if (x === 0) return 1;
  x *= Math.PI;
  return Math.sin(x) / x;
}

export const FILTERS = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  lanczos: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** precompute_coeffs for the whole input (box 0..inSize): per output index, the first input index, the count, and
 * the normalised weights [outSize * ksize]. */
function coefficients(inSize, outSize, filter) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const weights = new Float64Array(outSize * ksize);
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const inverse = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const centre = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(centre - support + 0.5)); // C's (int) cast truncates
    const xmax = Math.min(inSize, Math.trunc(centre + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - centre + 0.5) * inverse);
      weights[xx * ksize + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[xx * ksize + x] /= total;
    first[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, weights, first, count };
}

const PRECISION_BITS = 32 - 8 - 2;

/** The weights as the 8-bit path uses them: integers, PRECISION_BITS fraction bits (normalize_coeffs_8bpc). */
function fixedPoint(weights) {
  const one = 2 ** PRECISION_BITS;
  return Int32Array.from(weights, (w) => Math.trunc(w < 0 ? -0.5 + w * one : 0.5 + w * one));
}

function clip8(sum) {
  return Math.min(255, Math.max(0, Math.floor(sum / 2 ** PRECISION_BITS))); // the C `>>` of a 32-bit int
}

/** One pass over uint8 rows (horizontal: along x) with fixed-point weights. */
function pass8(src, width, height, channels, coeffs, outSize, horizontal) {
  const { ksize, first, count } = coeffs;
  const fixed = fixedPoint(coeffs.weights);
  const outW = horizontal ? outSize : width;
  const outH = horizontal ? height : outSize;
  const out = new Uint8Array(outW * outH * channels);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = horizontal ? x : y;
      for (let c = 0; c < channels; c++) {
        let sum = 1 << (PRECISION_BITS - 1);
        for (let k = 0; k < count[o]; k++) {
          const at = horizontal ? (y * width + first[o] + k) : ((first[o] + k) * width + x);
          sum += src[at * channels + c] * fixed[o * ksize + k];
        }
        out[(y * outW + x) * channels + c] = clip8(sum);
      }
    }
  }
  return out;
}

/** One pass over float32 rows: float64 sums of float32 pixels, stored as float32 (the 32bpc path). */
function passFloat(src, width, height, coeffs, outSize, horizontal) {
  const { ksize, weights, first, count } = coeffs;
  const outW = horizontal ? outSize : width;
  const outH = horizontal ? height : outSize;
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = horizontal ? x : y;
      let sum = 0;
      for (let k = 0; k < count[o]; k++) {
        sum += src[horizontal ? (y * width + first[o] + k) : ((first[o] + k) * width + x)] * weights[o * ksize + k];
      }
      out[y * outW + x] = sum;
    }
  }
  return out;
}

/** Image.resize((outW, outH), filter) of {width, height, channels, data}: uint8 data as Pillow's 8-bit modes,
 * Float32Array data as its "F" mode. A pass whose size does not change is skipped, as Pillow skips it. */
export function resize(image, outW, outH, filterName) {
  const filter = FILTERS[filterName];
  const { width, height, channels } = image;
  const float = image.data instanceof Float32Array;
  let data = image.data;
  let w = width;
  if (outW !== width) {
    const coeffs = coefficients(width, outW, filter);
    data = float ? passFloat(data, width, height, coeffs, outW, true)
      : pass8(data, width, height, channels, coeffs, outW, true);
    w = outW;
  }
  if (outH !== height) {
    const coeffs = coefficients(height, outH, filter);
    data = float ? passFloat(data, w, height, coeffs, outH, false)
      : pass8(data, w, height, channels, coeffs, outH, false);
  }
  return { width: outW, height: outH, channels, data: data === image.data ? data.slice() : data };
}

// ---- digits, as MNIST -------------------------------------------------------------------------------------------

/** numpy's median of float32 values (the two middle ones averaged in float32). */
function median(values) {
  const sorted = Float32Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : f32(f32(sorted[mid - 1] + sorted[mid]) / 2);
}

/** np.percentile(float32 values, q) with a Python-float q ("linear", weak promotion: the lerp in float32). */
function percentile(values, q) {
  const sorted = Float32Array.from(values).sort();
  const n = sorted.length;
  const quantile = q / 100;
  const virtual = (n - 1) * quantile;
  if (virtual >= n - 1) return sorted[n - 1];
  const previous = Math.floor(virtual);
  const gamma = virtual - previous;
  const a = sorted[previous];
  const b = sorted[previous + 1];
  const diff = f32(b - a);
  return gamma >= 0.5 ? f32(b - f32(diff * f32(1 - gamma))) : f32(a + f32(diff * f32(gamma)));
}

/** grey [H W] uint8 -> ink [H W] float32 in [0, 1], 1 = full ink: light backgrounds inverted, paper floored
 * (preprocess.ink_map). */
export function inkMap(grey, width, height) {
  let values = Float32Array.from(grey);
  const border = [];
  for (let x = 0; x < width; x++) border.push(values[x]);
  for (let x = 0; x < width; x++) border.push(values[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(values[y * width]);
  for (let y = 0; y < height; y++) border.push(values[y * width + width - 1]);
  let background = median(border);
  if (background > 127) { // dark ink on light paper -> light ink on black, as in MNIST
    values = values.map((v) => 255 - v);
    background = 255 - background;
  }
  let peak = values.length > 400 ? percentile(values, 99.5) : values.reduce((a, b) => Math.max(a, b), -Infinity);
  if (peak - background < MIN_CONTRAST) {
    throw new PreprocessError("found no digit: the image is one flat colour; upload or draw a digit, dark on light " +
                              "or light on dark", "error_no_digit");
  }
  const bg = f32(background);
  const contrast = f32(peak - background);
  const floor = f32(INK_FLOOR);
  const kept = f32(1 - INK_FLOOR);
  return values.map((v) => {
    const ink = Math.min(1, Math.max(0, f32(f32(v - bg) / contrast)));
    return Math.min(1, Math.max(0, f32(f32(ink - floor) / kept)));
  });
}

/** Zeroes 8-connected blobs with under SPECK of the biggest blob's ink (preprocess.drop_specks). */
export function dropSpecks(ink, width, height) {
  const labels = new Int32Array(width * height); // 0: no ink; blobs numbered from 1 in raster order of their start
  const stack = [];
  let count = 0;
  for (let start = 0; start < ink.length; start++) {
    if (ink[start] <= 0 || labels[start]) continue;
    labels[start] = ++count;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop();
      const py = Math.floor(p / width);
      const px = p - py * width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const y = py + dy;
          const x = px + dx;
          if (y < 0 || y >= height || x < 0 || x >= width) continue;
          const q = y * width + x;
          if (ink[q] > 0 && !labels[q]) {
            labels[q] = count;
            stack.push(q);
          }
        }
      }
    }
  }
  if (count <= 1) return ink;
  const mass = new Float64Array(count + 1); // summed in raster order, as scipy's bincount does
  for (let p = 0; p < ink.length; p++) if (labels[p]) mass[labels[p]] += ink[p];
  let biggest = 0;
  for (let b = 1; b <= count; b++) biggest = Math.max(biggest, mass[b]);
  return ink.map((v, p) => (labels[p] && mass[labels[p]] >= SPECK * biggest ? v : 0));
}

/** (h, w) non-negative weights -> [row, column] of their centre of mass (the middle when they sum to 0). */
export function centreOfMass(patch, width, height) {
  let total = 0;
  let rows = 0;
  let cols = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = patch[y * width + x];
      total += v;
      rows += y * v;
      cols += x * v;
    }
  }
  if (total <= 0) return [(height - 1) / 2, (width - 1) / 2];
  return [rows / total, cols / total];
}

/** grey [H W] uint8, any background -> [28 * 28] uint8 white digit on black, MNIST-normalised
 * (preprocess.digit_like_mnist). */
export function digitLikeMnist(grey, width, height) {
  const ink = dropSpecks(inkMap(grey, width, height), width, height);
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] !== 0) {
        top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  const h = bottom - top + 1;
  const w = right - left + 1;
  const box = new Float32Array(h * w); // [h, w]: the ink's bounding box
  for (let y = 0; y < h; y++) box.set(ink.subarray((top + y) * width + left, (top + y) * width + left + w), y * w);
  const scale = DIGIT_BOX / Math.max(h, w); // the long side becomes 20, the aspect ratio kept
  const pw = Math.max(1, roundHalfEven(w * scale));
  const ph = Math.max(1, roundHalfEven(h * scale));
  const patch = resize({ width: w, height: h, channels: 1, data: box }, pw, ph, "lanczos").data
    .map((v) => Math.min(1, Math.max(0, v))); // [ph, pw]; Lanczos overshoots a little
  const [massY, massX] = centreOfMass(patch, pw, ph);
  const centre = (DIGIT_SIZE - 1) / 2; // 13.5: the middle of the 28x28 field
  const row = Math.min(DIGIT_SIZE - ph, Math.max(0, roundHalfEven(centre - massY)));
  const col = Math.min(DIGIT_SIZE - pw, Math.max(0, roundHalfEven(centre - massX)));
  const field = new Uint8Array(DIGIT_SIZE * DIGIT_SIZE); // [28, 28]
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) field[(row + y) * DIGIT_SIZE + col + x] = roundHalfEven(f32(patch[y * pw + x] * 255));
  }
  return field;
}

// ---- the whole rule ----------------------------------------------------------------------------------------------

/** RGBA {width, height, data} -> {width, height, channels, data: Uint8Array [S * S * C]}, what the model sees
 * (preprocess.model_input). digits: the MNIST normalisation (needs a 28x28 grey model). */
export function modelInput(image, imageSize, channels, digits) {
  if (digits && (imageSize !== DIGIT_SIZE || channels !== 1)) {
    throw new Error(`digit preprocessing makes 28x28 grey images, not ${imageSize}x${imageSize}x${channels}`);
  }
  if (!Number.isInteger(imageSize) || imageSize < 1 || ![1, 3].includes(channels)) {
    throw new Error(`a model input is imageSize x imageSize x 1 or 3, got ${imageSize} x ${channels}`);
  }
  checkRGBA(image);
  let rgb = onWhite(image); // [H, W, 3]
  if (rgb.width * rgb.height > WORK_SIDE ** 2) { // bounds the work per picture
    const scale = WORK_SIDE / (rgb.width * rgb.height) ** 0.5;
    const shrunk = (length) => Math.max(1, roundHalfEven(length * scale));
    rgb = resize(rgb, shrunk(rgb.width), shrunk(rgb.height), "box");
  }
  if (digits) {
    const grey = toGrey(rgb);
    const field = digitLikeMnist(grey.data, grey.width, grey.height);
    return { width: DIGIT_SIZE, height: DIGIT_SIZE, channels: 1, data: field };
  }
  const side = Math.min(rgb.width, rgb.height); // the centre square
  const left = Math.floor((rgb.width - side) / 2);
  const top = Math.floor((rgb.height - side) / 2);
  const square = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    const row = ((top + y) * rgb.width + left) * 3;
    square.set(rgb.data.subarray(row, row + side * 3), y * side * 3);
  }
  const sized = resize({ width: side, height: side, channels: 3, data: square }, imageSize, imageSize, "lanczos");
  return channels === 1 ? toGrey(sized) : sized;
}
