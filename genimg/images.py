"""uint8 arrays <-> PIL images: grids, crisp upscaling, animated GIFs, PNG bytes.

Arrays are (N, H, W, C) or (H, W, C) uint8 with C = 1 (grey) or 3 (RGB). Nothing here knows about
models or Gradio; upload preprocessing lives in genimg/data/preprocess.py.
"""

import io

import numpy as np
from PIL import Image


def to_pil(image: np.ndarray) -> Image.Image:
    """(H, W, C) uint8 -> PIL 'L' or 'RGB'."""
    if image.ndim != 3 or image.shape[2] not in (1, 3) or image.dtype != np.uint8:
        raise ValueError(f"expected uint8 (H, W, 1|3), got {image.dtype} {image.shape}")
    return Image.fromarray(image[..., 0] if image.shape[2] == 1 else image, "L" if image.shape[2] == 1 else "RGB")


def grid(images: np.ndarray, columns: int | None = None, padding: int = 2, background: int = 255) -> np.ndarray:
    """(N, H, W, C) -> one (rows*H + pads, columns*W + pads, C) mosaic, row by row."""
    n, h, w, c = images.shape
    if n == 0:
        raise ValueError("no images to put in a grid")
    columns = columns or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / columns))
    out = np.full((rows * (h + padding) + padding, columns * (w + padding) + padding, c), background, np.uint8)
    for i, image in enumerate(images):
        r, k = divmod(i, columns)
        top, left = padding + r * (h + padding), padding + k * (w + padding)
        out[top:top + h, left:left + w] = image
    return out


def upscale(image: Image.Image, size: int) -> Image.Image:
    """Scale up for display with nearest neighbour (crisp pixels, no blur) to the largest multiple <= size."""
    factor = max(1, size // max(image.size))
    if factor == 1:
        return image
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def save_png(image: Image.Image, path) -> None:
    """Atomic PNG write (temp file + os.replace)."""
    from .checkpoints import atomic_write_bytes  # noqa: PLC0415 (images stays import-light)

    atomic_write_bytes(path, png_bytes(image))


def gif_bytes(frames: list[Image.Image], duration_ms: int = 80) -> bytes:
    """Frames -> a looping animated GIF that plays forward then back."""
    if not frames:
        raise ValueError("no frames for a GIF")
    sequence = frames + frames[-2:0:-1]  # ping-pong, so the loop has no jump
    buffer = io.BytesIO()
    sequence[0].save(buffer, format="GIF", save_all=True, append_images=sequence[1:], duration=duration_ms,
                     loop=0, disposal=2)
    return buffer.getvalue()


def labelled_grid(images: np.ndarray, columns: int, row_labels: list[str], column_labels: list[str],
                  scale: int = 1, padding: int = 2) -> Image.Image:
    """(N, H, W, C) -> a grid (see `grid`) scaled `scale` times (crisp), with a label left of each row and one
    above each column: a traversal reads 'z3' down the side and '-3 ... +3' along the top.

    Labels are drawn with Pillow's built-in font, so they should be plain ASCII (names and numbers).
    """
    from PIL import ImageDraw, ImageFont  # noqa: PLC0415 (only this picture draws text)

    n, h, w, _ = images.shape
    rows = int(np.ceil(n / columns))
    if len(row_labels) != rows or len(column_labels) != columns:
        raise ValueError(f"{rows} rows and {columns} columns need as many labels, "
                         f"got {len(row_labels)} and {len(column_labels)}")
    sheet = to_pil(grid(images, columns=columns, padding=padding))
    sheet = sheet.resize((sheet.width * scale, sheet.height * scale), Image.Resampling.NEAREST).convert("RGB")
    font = ImageFont.load_default(size=14)
    left, top = 8 + max(int(font.getlength(label)) for label in row_labels), 22
    out = Image.new("RGB", (sheet.width + left, sheet.height + top), "white")
    out.paste(sheet, (left, top))
    draw = ImageDraw.Draw(out)
    cell_h, cell_w = (h + padding) * scale, (w + padding) * scale
    for r, label in enumerate(row_labels):
        draw.text((left - 4, top + padding * scale + r * cell_h + h * scale / 2), label, fill=(40, 40, 40),
                  font=font, anchor="rm")
    for k, label in enumerate(column_labels):
        draw.text((left + padding * scale + k * cell_w + w * scale / 2, top / 2), label, fill=(40, 40, 40),
                  font=font, anchor="mm")
    return out
