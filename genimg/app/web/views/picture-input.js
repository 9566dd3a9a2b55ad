// A picture a person gives the page, read in the browser (no upload): a file chosen, dropped or pasted, or a drawing
// on a 280 x 280 canvas (a black pen about as wide as an MNIST stroke). Used by the encode tab and "Find an image
// in the GAN". The file is checked here first (size and pixels, as the server's limits), so a bad one gets one
// clear message in the page's language.

import { el } from "./draw.js";

export const MAX_BYTES = 5 * 1024 * 1024; // as the server's max_file_size
export const MAX_PIXELS = 25_000_000; // as genimg.data.preprocess.MAX_PIXELS
const SIDE = 280;
const PEN = 20;

/** The picture input: {element, imageData() -> ImageData | null (RGBA, what was given), ready(), blob(), load(url),
 * message}; `onPicture()` is called when a new picture is there (a file read, a stroke ended). */
export function pictureInput(page, { idPrefix, onPicture }) {
  const { t } = page;
  // the file chooser is reached through the drop zone (a button: click, Enter or Space), so it is no tab stop itself
  const file = el("input", { type: "file", accept: "image/*", id: `${idPrefix}-file`, tabindex: "-1",
                             "aria-label": t("page_drop_label") });
  const preview = el("canvas", { class: "genimg-preview", role: "img", "aria-label": t("encode_image_label") });
  const drop = el("div", { class: "genimg-drop", tabindex: "0", role: "button",
                           "aria-label": t("page_drop_label") }, [el("span", { text: t("page_drop_label") }), preview]);
  const pad = el("canvas", { class: "genimg-draw", width: String(SIDE), height: String(SIDE), role: "img",
                             "aria-label": t("encode_sketch_label"), id: `${idPrefix}-draw` });
  const clearButton = el("button", { class: "genimg-button", type: "button", text: t("page_clear_drawing") });
  const uploadTab = el("button", { class: "genimg-tab", type: "button", role: "tab", text: t("encode_upload_tab") });
  const drawTab = el("button", { class: "genimg-tab", type: "button", role: "tab", text: t("encode_draw_tab") });
  const uploadPanel = el("div", { class: "genimg-panel" }, [file, drop]);
  const drawPanel = el("div", { class: "genimg-panel", hidden: "" }, [pad, clearButton]);
  const message = el("p", { class: "genimg-message", role: "alert" });
  const element = el("div", { class: "genimg-picture-input" }, [
    el("div", { class: "genimg-tabs", role: "tablist" }, [uploadTab, drawTab]), uploadPanel, drawPanel, message]);
  let mode = "upload";
  let picture = null; // ImageData of the file, or null
  let given = null; // the file itself (the server's fallback sends it)
  let drawn = false;

  function show(which) {
    mode = which;
    uploadPanel.hidden = which !== "upload";
    drawPanel.hidden = which !== "draw";
    uploadTab.setAttribute("aria-selected", String(which === "upload"));
    drawTab.setAttribute("aria-selected", String(which === "draw"));
  }
  uploadTab.addEventListener("click", () => show("upload"));
  drawTab.addEventListener("click", () => show("draw"));
  show("upload");

  /** A File or Blob -> ImageData, or one message saying what is wrong and what is accepted. */
  async function read(blob) {
    message.textContent = "";
    if (blob.size > MAX_BYTES) {
      message.textContent = t("page_file_too_big", { mb: (blob.size / 1048576).toFixed(1), max: 5 });
      return;
    }
    let bitmap;
    try {
      bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" }); // EXIF orientation, as Pillow
    } catch {
      message.textContent = t("error_unreadable");
      return;
    }
    if (bitmap.width * bitmap.height > MAX_PIXELS) {
      message.textContent = t("error_too_large", { detail: `${bitmap.width}x${bitmap.height}` });
      return;
    }
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    picture = context.getImageData(0, 0, bitmap.width, bitmap.height); // RGBA, alpha kept (composited later)
    given = blob;
    preview.width = Math.min(bitmap.width, 200);
    preview.height = Math.round((preview.width * bitmap.height) / bitmap.width);
    preview.getContext("2d").drawImage(bitmap, 0, 0, preview.width, preview.height);
    onPicture();
  }

  let reading = Promise.resolve(); // the file being read: a click on Encode may come before it is done
  const take = (blob) => (reading = read(blob));
  file.addEventListener("change", () => { if (file.files[0]) take(file.files[0]); });
  drop.addEventListener("click", () => file.click());
  drop.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault(); // Space would scroll the page too
    file.click();
  });
  drop.addEventListener("dragover", (event) => event.preventDefault());
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files[0]) take(event.dataTransfer.files[0]);
  });
  element.addEventListener("paste", (event) => {
    const item = Array.from(event.clipboardData?.items || []).find((i) => i.type.startsWith("image/"));
    if (item) take(item.getAsFile());
  });

  // the drawing: white paper, a round black pen; touch draws instead of scrolling (touch-action in style.css)
  const context = pad.getContext("2d");
  function clearPad() {
    context.fillStyle = "#fff";
    context.fillRect(0, 0, SIDE, SIDE);
    drawn = false;
  }
  clearPad();
  let last = null;
  const point = (event) => {
    const box = pad.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * SIDE, ((event.clientY - box.top) / box.height) * SIDE];
  };
  pad.addEventListener("pointerdown", (event) => {
    pad.setPointerCapture(event.pointerId);
    last = point(event);
    context.fillStyle = "#000";
    context.beginPath();
    context.arc(last[0], last[1], PEN / 2, 0, 2 * Math.PI);
    context.fill();
    drawn = true;
  });
  pad.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = point(event);
    Object.assign(context, { strokeStyle: "#000", lineWidth: PEN, lineCap: "round" });
    context.beginPath();
    context.moveTo(...last);
    context.lineTo(...next);
    context.stroke();
    last = next;
  });
  const end = () => { if (last) { last = null; onPicture(); } };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  clearButton.addEventListener("click", () => { clearPad(); onPicture(); });

  return {
    element,
    /** The picture given: the file's pixels, or the drawing (null when nothing is there yet). */
    imageData: () => (mode === "upload" ? picture : drawn ? context.getImageData(0, 0, SIDE, SIDE) : null),
    /** The file as given (for the server's fallback), or the drawing as a PNG blob. */
    blob: async () => (mode === "upload" ? given
      : drawn ? new Promise((resolve) => pad.toBlob(resolve, "image/png")) : null),
    /** Loads a picture from a URL (an example). */
    load: async (url) => { show("upload"); await take(await (await fetch(url)).blob()); },
    /** Resolves when the file given last has been read (imageData() then has it). */
    ready: () => reading,
    message,
  };
}
