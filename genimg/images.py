"""uint8 arrays <-> PIL images: grids, crisp upscaling, animated GIFs, H.264 MP4s, PNG bytes with text chunks.

Arrays are (N, H, W, C) or (H, W, C) uint8 with C = 1 (grey) or 3 (RGB). Nothing here knows about
models or Gradio; upload preprocessing lives in genimg/data/preprocess.py, and what a recipe says in
genimg/recipes.py (this module only writes and reads the text chunk that holds it).
"""

import io
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin


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


def png_text(image: Image.Image) -> PngImagePlugin.PngInfo:
    """The image's string entries in `image.info` as PNG text chunks, in order.

    Gradio writes a PIL image's PNG the same way (its get_pil_metadata), so a gallery image that carries
    text in .info reaches the browser with the same chunks, and the same bytes, as png_bytes gives.
    """
    chunks = PngImagePlugin.PngInfo()
    for key, value in image.info.items():
        if isinstance(key, str) and isinstance(value, str):
            chunks.add_text(key, value)  # tEXt for Latin-1 text, iTXt otherwise
    return chunks


def png_bytes(image: Image.Image, optimize: bool = False) -> bytes:
    """PNG bytes, with the image's text entries (image.info[str] = str) as text chunks; `optimize`: smaller, slower
    (for files made once: sprite sheets, the page's first pictures)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=png_text(image), optimize=optimize)
    return buffer.getvalue()


def read_png_text(source, key: str) -> str | None:
    """The text chunk `key` of a PNG (path, bytes or PIL image), or None when it has none (or is no PNG)."""
    if isinstance(source, Image.Image):
        value = getattr(source, "text", source.info).get(key)
        return value if isinstance(value, str) else None
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source, formats=["PNG"]) as image:
            image.load()  # text chunks after the pixels are read only with them
            value = image.text.get(key)
    except (OSError, SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None


def save_png(image: Image.Image, path) -> None:
    """Atomic PNG write (temp file + os.replace), with the image's text chunks."""
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


def mp4_bytes(frames: list[np.ndarray], fps: int = 24, crf: int = 18) -> bytes:
    """(H, W, C) uint8 frames -> an H.264 MP4 (yuv420p, plays in every browser), one video frame per frame.

    H.264 in 4:2:0 needs even sides: give frames already upscaled to an even size. PyAV (FFmpeg's libraries,
    with libx264 in its wheel) is imported here only, so the rest of genimg runs without it.
    """
    if not frames:
        raise ValueError("no frames for a video")
    height, width = frames[0].shape[:2]
    if height % 2 or width % 2:
        raise ValueError(f"H.264 needs even frame sides, got {width}x{height}; upscale by an even factor first")
    with tempfile.TemporaryDirectory(prefix="genimg-mp4-") as folder:  # faststart rewrites the file: needs a path
        path = Path(folder) / "video.mp4"
        encode_h264(frames, str(path), fps, crf)
        return path.read_bytes()


def video_bytes(images: np.ndarray, side: int = 256, fps: int = 24) -> bytes:
    """(T, H, W, C) uint8 at the model's size -> an MP4, each frame scaled up (nearest) by the largest even
    factor that keeps it within `side` (at least 2): crisp pixels, and the even sides H.264 needs."""
    scale = max(2, (side // max(images.shape[1:3])) // 2 * 2)
    return mp4_bytes([np.repeat(np.repeat(image, scale, axis=0), scale, axis=1) for image in images], fps=fps)


def encode_h264(frames: list[np.ndarray], path: str, fps: int, crf: int) -> None:
    import av  # noqa: PLC0415 (optional at import time: only videos need it)

    height, width = frames[0].shape[:2]
    # faststart: the index goes first, so a browser starts playing before the whole file is there
    with av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"crf": str(crf), "preset": "medium"}
        stream.codec_context.thread_count = 1  # the same bytes on every run, and no spinning on a busy CPU
        for frame in frames:
            rgb = np.repeat(frame, 3, axis=2) if frame.shape[2] == 1 else frame  # (H, W, 3)
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():  # flush the encoder's delayed frames
            container.mux(packet)


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
