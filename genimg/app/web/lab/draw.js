// Drawing for the lab: pure functions from what gan.js / vae.js view() return to pixels on a canvas.
// Data coordinates: the square [-1, 1]^2 (GAN) or [-span, span]^2 (VAE latent), y up. No tensors.

export const COLORS = {
  real: "#16a34a", fake: "#9333ea", arrow: "#1f2937", grid: "rgba(147, 51, 234, 0.35)",
  dLoss: "#16a34a", gLoss: "#9333ea", loss: "#111827", recon: "#2563eb", kl: "#ea580c",
  // one colour per digit class (Tableau 10)
  classes: ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
            "#bab0ac"],
};

/** A canvas sized for the screen's pixel ratio; returns its 2-D context scaled to CSS pixels. */
export function context2d(canvas, cssWidth, cssHeight) {
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(cssWidth * ratio) || canvas.height !== Math.round(cssHeight * ratio)) {
    [canvas.width, canvas.height] = [Math.round(cssWidth * ratio), Math.round(cssHeight * ratio)];
    canvas.style.width = `${cssWidth}px`;
    canvas.style.height = `${cssHeight}px`;
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

/** Data (x, y) in [-span, span]^2 -> canvas pixels, y up. */
function toPixels(size, span) {
  return (x, y) => [(x / span + 1) / 2 * size, (1 - y / span) / 2 * size];
}

/**
 * The GAN picture: D's heat map (green where D says "real", purple where it says "generated"), the noise
 * grid as G warps it, real points, generated points and the direction G's gradient pushes each of them.
 * show: {heat, grid, real, fake, arrows} booleans.
 */
export function drawGan(canvas, view, size, show) {
  const context = context2d(canvas, size, size);
  const at = toPixels(size, 1);
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, size, size);
  if (show.heat) {
    const { cells, heat } = view;
    const image = new ImageData(cells, cells);
    for (let row = 0; row < cells; row++) {
      for (let col = 0; col < cells; col++) {
        const d = heat[row * cells + col]; // D(x) at this cell: 1 = real
        const k = 4 * ((cells - 1 - row) * cells + col); // row 0 is y = -1, the bottom
        // white at 0.5, towards green (real) or purple (generated)
        const [r, g, b] = d >= 0.5 ? [22, 163, 74] : [147, 51, 234];
        const strength = Math.min(1, Math.abs(d - 0.5) * 2) * 0.45;
        image.data[k] = 255 + (r - 255) * strength;
        image.data[k + 1] = 255 + (g - 255) * strength;
        image.data[k + 2] = 255 + (b - 255) * strength;
        image.data[k + 3] = 255;
      }
    }
    const bitmap = document.createElement("canvas");
    [bitmap.width, bitmap.height] = [cells, cells];
    bitmap.getContext("2d").putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(bitmap, 0, 0, size, size);
  }
  if (show.grid) {
    const { grid, lines, samples } = view;
    context.strokeStyle = COLORS.grid;
    context.lineWidth = 1;
    for (let l = 0; l < 2 * lines; l++) {
      context.beginPath();
      for (let s = 0; s < samples; s++) {
        const i = 2 * (l * samples + s);
        const [px, py] = at(grid[i], grid[i + 1]);
        if (s === 0) context.moveTo(px, py); else context.lineTo(px, py);
      }
      context.stroke();
    }
  }
  const dots = (points, color, half) => { // squares, one path per colour: far cheaper than arcs
    context.fillStyle = color;
    context.beginPath();
    for (let i = 0; i < points.length; i += 2) {
      const [px, py] = at(points[i], points[i + 1]);
      context.rect(px - half, py - half, 2 * half, 2 * half);
    }
    context.fill();
  };
  if (show.real) dots(view.real, COLORS.real, 2);
  if (show.fake) dots(view.fake, COLORS.fake, 2);
  if (show.arrows) {
    // one scale for every arrow (a gradient of 0.1 draws 3% of the picture), so a vanishing gradient shows
    // as vanishing arrows; the longest are cut at 8%
    const scale = 0.3 * size;
    context.strokeStyle = COLORS.arrow;
    context.lineWidth = 1;
    context.beginPath();
    for (let i = 0; i < view.fake.length; i += 2) {
      const [px, py] = at(view.fake[i], view.fake[i + 1]);
      let [dx, dy] = [view.push[i] * scale, -view.push[i + 1] * scale];
      const length = Math.hypot(dx, dy);
      const longest = 0.08 * size;
      if (length > longest) [dx, dy] = [dx / length * longest, dy / length * longest];
      context.moveTo(px, py);
      context.lineTo(px + dx, py + dy);
    }
    context.stroke();
  }
  context.strokeStyle = "#d1d5db";
  context.strokeRect(0.5, 0.5, size - 1, size - 1);
}

/**
 * Loss curves: series = [{values: number[], color, label}], drawn against step on one axis that spans
 * them all (the first 2% of points, the early spike, may go off the top). Labels sit at the top left.
 */
export function drawCurves(canvas, series, width, height, title = "") {
  const context = context2d(canvas, width, height);
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  const all = series.flatMap((s) => s.values.slice(Math.floor(s.values.length * 0.02))).filter(Number.isFinite);
  const n = Math.max(...series.map((s) => s.values.length), 2);
  const [pad, top] = [30, 18];
  context.font = "11px sans-serif";
  if (all.length) {
    let [lo, hi] = [Math.min(...all), Math.max(...all)];
    if (hi - lo < 1e-6) [lo, hi] = [lo - 0.5, hi + 0.5];
    const y = (v) => top + (1 - (v - lo) / (hi - lo)) * (height - top - 14);
    context.fillStyle = "#6b7280";
    context.fillText(formatTick(hi), 2, top + 4);
    context.fillText(formatTick(lo), 2, height - 14);
    for (const { values, color } of series) {
      context.strokeStyle = color;
      context.lineWidth = 1.2;
      context.beginPath();
      values.forEach((v, i) => {
        const px = pad + i / (n - 1) * (width - pad - 4);
        const py = Math.max(top - 4, Math.min(height, y(v)));
        if (i === 0) context.moveTo(px, py); else context.lineTo(px, py);
      });
      context.stroke();
    }
  }
  let x = pad;
  context.fillStyle = "#111827";
  if (title) { context.fillText(title, x, 12); x += context.measureText(title).width + 10; }
  for (const { color, label } of series) {
    context.fillStyle = color;
    context.fillText(label, x, 12);
    x += context.measureText(label).width + 10;
  }
  context.strokeStyle = "#d1d5db";
  context.strokeRect(0.5, 0.5, width - 1, height - 1);
}

function formatTick(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

/** The VAE's latent map: held-out digits' codes as dots coloured by class, the prior's 1 and 2 sigma circles. */
export function drawCodes(canvas, view, size) {
  const context = context2d(canvas, size, size);
  const at = toPixels(size, view.span);
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, size, size);
  context.strokeStyle = "#e5e7eb";
  for (const r of [1, 2]) {
    context.beginPath();
    context.arc(size / 2, size / 2, r / view.span * size / 2, 0, 2 * Math.PI);
    context.stroke();
  }
  context.font = "bold 11px sans-serif";
  context.textAlign = "center";
  context.textBaseline = "middle";
  for (let i = 0; i < view.labels.length; i++) {
    const [px, py] = at(view.codes[2 * i], view.codes[2 * i + 1]);
    context.fillStyle = COLORS.classes[view.labels[i]];
    context.fillText(String(view.labels[i]), px, py);
  }
  context.strokeStyle = "#d1d5db";
  context.strokeRect(0.5, 0.5, size - 1, size - 1);
}

/** The decoder's n x n grid of 28x28 digits (grid [n * n, 784] in [0, 1]), black on white. */
export function drawDecoded(canvas, view, size) {
  const { n, grid } = view;
  const side = n * 28;
  const image = new ImageData(side, side);
  for (let cell = 0; cell < n * n; cell++) {
    const [top, left] = [Math.floor(cell / n) * 28, (cell % n) * 28];
    for (let p = 0; p < 784; p++) {
      const k = 4 * ((top + Math.floor(p / 28)) * side + left + (p % 28));
      const v = 255 - Math.round(grid[cell * 784 + p] * 255);
      image.data[k] = image.data[k + 1] = image.data[k + 2] = v;
      image.data[k + 3] = 255;
    }
  }
  const bitmap = document.createElement("canvas");
  [bitmap.width, bitmap.height] = [side, side];
  bitmap.getContext("2d").putImageData(image, 0, 0);
  const context = context2d(canvas, size, size);
  context.imageSmoothingEnabled = true;
  context.drawImage(bitmap, 0, 0, size, size);
  context.strokeStyle = "#d1d5db";
  context.strokeRect(0.5, 0.5, size - 1, size - 1);
}
