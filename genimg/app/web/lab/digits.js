// The lab's digits: digits.png (2,000 MNIST digits, 28x28 grey, 40 to a row) + digits.json (labels,
// train / held-out counts, provenance, licence), both written by `python -m genimg.app.lab_digits`.
// Fetched once per page, with the lab; training never asks the server for anything.

let digitsPromise = null;

/** -> {train: Float32Array [1800, 784], trainLabels, heldOut: Float32Array [200, 784], heldOutLabels, meta}, pixels in [0, 1]. */
export function loadDigits() {
  if (!digitsPromise) {
    digitsPromise = readDigits();
    digitsPromise.catch(() => { digitsPromise = null; }); // a later call may retry
  }
  return digitsPromise;
}

async function readDigits() {
  const metaUrl = new URL("./digits.json", import.meta.url);
  const response = await fetch(metaUrl);
  if (!response.ok) throw new Error(`the lab's digits could not load: ${metaUrl} answered ${response.status}`);
  const meta = await response.json();
  const image = new Image();
  image.src = new URL("./digits.png", import.meta.url).href;
  await image.decode();
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [image.width, image.height];
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(image, 0, 0);
  const rgba = context.getImageData(0, 0, image.width, image.height).data; // [H, W, 4]
  const { size, columns, count } = meta;
  const pixels = new Float32Array(count * size * size); // [count, 784]
  for (let k = 0; k < count; k++) {
    const [top, left] = [Math.floor(k / columns) * size, (k % columns) * size];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        pixels[k * size * size + y * size + x] = rgba[4 * ((top + y) * image.width + left + x)] / 255;
      }
    }
  }
  const cut = meta.train * size * size;
  return {
    train: pixels.subarray(0, cut), trainLabels: meta.labels.slice(0, meta.train),
    heldOut: pixels.subarray(cut), heldOutLabels: meta.labels.slice(meta.train), meta,
  };
}
