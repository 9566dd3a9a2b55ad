// Drawing genimg images ({width, height, channels, data}: uint8, 1 or 3 channels) into canvases, upscaled by whole
// factors with crisp pixels, as genimg.images.upscale does on the server; and the latest-wins scheduler views use
// while a hand moves a control. One job: pixels on screen.

/** {width, height, channels, data} -> ImageData (RGBA) at the image's own size. */
export function toImageData(image) {
  const { width, height, channels, data } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = data[p * channels];
    rgba[4 * p + 1] = data[p * channels + (channels === 3 ? 1 : 0)];
    rgba[4 * p + 2] = data[p * channels + (channels === 3 ? 2 : 0)];
    rgba[4 * p + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}

/** The factor genimg.images.upscale uses: the largest whole number with size * factor <= side (at least 1). */
export function factorFor(size, side) {
  return Math.max(1, Math.floor(side / size));
}

const scratch = document.createElement("canvas"); // native-size staging canvas for drawImage's upscaling

/** Draws images into a canvas as a grid, each upscaled by `factor` with crisp pixels, `gap` pixels apart. */
export function drawGrid(canvas, images, columns, factor, gap = 2) {
  const { width, height } = images[0];
  const rows = Math.ceil(images.length / columns);
  const cell = [width * factor + gap, height * factor + gap];
  canvas.width = Math.min(images.length, columns) * cell[0] - gap;
  canvas.height = rows * cell[1] - gap;
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = false;
  scratch.width = width;
  scratch.height = height;
  const staging = scratch.getContext("2d");
  images.forEach((image, i) => {
    staging.putImageData(toImageData(image), 0, 0);
    context.drawImage(scratch, (i % columns) * cell[0], Math.floor(i / columns) * cell[1], width * factor,
                      height * factor);
  });
}

/** One image into a canvas, upscaled to at most `side` pixels. */
export function drawImage(canvas, image, side) {
  drawGrid(canvas, [image], 1, factorFor(Math.max(image.width, image.height), side), 0);
}

/** An image URL (a server picture, already upscaled) into a canvas at its own size; resolves when drawn. */
export function drawUrl(canvas, url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      canvas.getContext("2d").drawImage(img, 0, 0);
      resolve();
    };
    img.onerror = () => reject(new Error(`could not load ${url}`));
    img.src = url;
  });
}

/** Latest-wins: while one call runs, later calls only leave their arguments; when it ends, the newest runs. Dragging
 * fires more input events than a slow machine can draw, and a stale picture is worth nothing. Each call resolves to
 * its result, or to null when a newer call superseded it (its caller then draws nothing). */
export function latestWins(work) {
  let latest = 0;
  let pending = null;
  let running = null;
  async function drain() {
    while (pending) {
      const job = pending;
      pending = null;
      try {
        job.value = await work(...job.args);
      } catch (error) {
        job.error = error;
      }
    }
    running = null; // no await since the loop's last check: no call can slip in between
  }
  return async (...args) => {
    const job = { id: ++latest, args };
    pending = job;
    if (!running) running = drain();
    await running;
    if (job.id !== latest) return null;
    if (job.error) throw job.error;
    return job.value;
  };
}

/** An element helper: el("button", {class, text, ...attributes}, [children]). */
export function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  children.forEach((child) => node.appendChild(child));
  return node;
}
