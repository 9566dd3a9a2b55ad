"""Uploads -> the uint8 array a model takes: what the app's "model input" shows.

An upload (file path, bytes, PIL image or array) is opened with Pillow's pixel limit lowered and its
decompression-bomb warning turned into an error, turned upright by its EXIF orientation, and any
transparency is composited onto white. Then, as the model needs:
- digits (28x28 grey models): a light background is inverted to white-on-black, the ink is cropped
  to its bounding box, fitted in 20x20 and centred by centre of mass in 28x28 -- how MNIST was made
  (LeCun et al. 1998, "The MNIST database", section on normalisation);
- other models: a centre crop to a square, resized to the model's size, grey or RGB.

This module does not know models or Gradio; errors are UploadError (a ValueError) whose message says
what was wrong and what is accepted.
"""

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

MAX_PIXELS = 25_000_000  # a 5000x5000 upload; Pillow warns above this and refuses above twice this
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)  # warn -> refuse: a public app has no use for it

DIGIT_BOX = 20  # MNIST: the digit fits in 20x20 ...
DIGIT_SIZE = 28  # ... centred by mass in 28x28
MIN_CONTRAST = 24  # grey levels between background and ink below which we call the image blank
SPECK = 0.1  # blobs with less ink than this fraction of the biggest blob are dust, not digit
INK_FLOOR = 0.2  # fraction of the ink's contrast treated as paper (texture, shadows, JPEG noise)
WORK_SIDE = 1024  # larger uploads are shrunk to about this many pixels squared first: the result is 28-64 px
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")  # Pillow decoders tried; no EPS, PSD, ICO, ...
ACCEPTED = "PNG, JPEG, WebP, GIF, BMP or TIFF images, at most 5000x5000 pixels"


class UploadError(ValueError):
    """An upload that cannot become a model input; the message says why and what is accepted."""


def open_image(source) -> Image.Image:
    """Path, bytes, PIL image or uint8 array (H, W[, 1|3|4]) -> upright PIL image (not yet flattened)."""
    if isinstance(source, Image.Image):
        image = source
    elif isinstance(source, np.ndarray):
        image = array_to_pil(source)
    elif isinstance(source, (str, Path, bytes)):
        image = open_file(source)
    else:
        raise UploadError(f"cannot read an image from a {type(source).__name__}; expected {ACCEPTED}")
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError):  # a broken EXIF block: keep the pixels as stored
        return image


def open_file(source: str | Path | bytes) -> Image.Image:
    """Open lazily, refuse bombs before decoding, decode JPEGs at reduced scale (draft) when large."""
    try:
        image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source,  # reads the header only
                           formats=FORMATS)
        if image.width * image.height > Image.MAX_IMAGE_PIXELS:  # the warning's condition, as an error, always
            raise Image.DecompressionBombWarning(f"{image.width}x{image.height} pixels")
        if image.format == "JPEG":
            image.draft(image.mode, (512, 512))  # DCT scaling: a 12 MP photo decodes as ~1/8 the pixels
        image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as e:
        raise UploadError(f"image too large ({e}); accepted: {ACCEPTED}") from e
    except UnidentifiedImageError as e:  # its message holds the server-side path; say it plainly instead
        raise UploadError(f"not a readable image (unknown or unsupported file format); accepted: {ACCEPTED}") from e
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise UploadError(f"not a readable image ({e}); accepted: {ACCEPTED}") from e
    return image


def array_to_pil(array: np.ndarray) -> Image.Image:
    """(H, W), (H, W, 1), (H, W, 3) or (H, W, 4) uint8 -> PIL 'L', 'RGB' or 'RGBA'."""
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise UploadError(f"expected a uint8 array (H, W[, 1|3|4]), got {array.dtype} {array.shape}")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise UploadError(f"image too large ({array.shape[1]}x{array.shape[0]}); accepted: {ACCEPTED}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    return Image.fromarray(array)


def on_white(image: Image.Image) -> Image.Image:
    """Any mode -> RGB, transparent parts composited onto white."""
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if image.mode.startswith(("I", "F")):  # 16/32-bit integer or float grey: scale to 8 bits, never clip
        return Image.fromarray(to_8_bit(np.asarray(image), image.mode)).convert("RGB")
    return image.convert("RGB")


def to_8_bit(values: np.ndarray, mode: str) -> np.ndarray:
    """(H, W) integer or float grey -> uint8, scaled by the range its type implies.

    Integers already in 0..255 stay as they are; 16-bit ones (0..65535) are divided by 257; floats in
    [0, 1] are multiplied by 255; anything else (negative, beyond 16 bits, HDR floats) is stretched from
    its own minimum to its maximum. NaN and infinities become 0.
    """
    values = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)  # (H, W)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if mode.startswith("F") and 0.0 <= low and high <= 1.0:
        scaled = values * 255
    elif not mode.startswith("F") and 0.0 <= low and high <= 255.0:
        scaled = values
    elif not mode.startswith("F") and 0.0 <= low and high <= 65535.0:
        scaled = values / 257
    else:
        scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
    return np.round(scaled).clip(0, 255).astype(np.uint8)


def digit_like_mnist(grey: np.ndarray) -> np.ndarray:
    """(H, W) uint8, any background -> (28, 28) uint8 white digit on black, MNIST-normalised."""
    ink = drop_specks(ink_map(grey))  # (H, W) float in [0, 1], 1 = full ink
    rows, cols = np.nonzero(ink)
    ink = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]  # bounding box of the ink
    h, w = ink.shape
    scale = DIGIT_BOX / max(h, w)  # keep the aspect ratio; the long side becomes 20
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    patch = np.asarray(Image.fromarray(ink.astype(np.float32), "F").resize(size, Image.Resampling.LANCZOS))
    patch = np.clip(patch, 0.0, 1.0)  # (h', w'), Lanczos overshoots a little
    mass_y, mass_x = centre_of_mass(patch)
    centre = (DIGIT_SIZE - 1) / 2  # 13.5: the middle of the 28x28 field in pixel coordinates
    top = int(np.clip(round(centre - mass_y), 0, DIGIT_SIZE - patch.shape[0]))
    left = int(np.clip(round(centre - mass_x), 0, DIGIT_SIZE - patch.shape[1]))
    field = np.zeros((DIGIT_SIZE, DIGIT_SIZE), np.float32)
    field[top:top + patch.shape[0], left:left + patch.shape[1]] = patch
    return np.round(field * 255).astype(np.uint8)


def ink_map(grey: np.ndarray) -> np.ndarray:
    """(H, W) uint8 -> (H, W) float ink in [0, 1]: light backgrounds inverted, paper texture floored."""
    values = grey.astype(np.float32)
    border = np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])
    background = float(np.median(border))
    if background > 127:  # dark ink on light paper -> light ink on black, as in MNIST
        values, background = 255 - values, 255 - background
    peak = float(np.percentile(values, 99.5)) if values.size > 400 else float(values.max())
    if peak - background < MIN_CONTRAST:
        raise UploadError("found no digit: the image is one flat colour; upload or draw a digit, "
                          "dark on light or light on dark")
    ink = np.clip((values - background) / (peak - background), 0.0, 1.0)
    return np.clip((ink - INK_FLOOR) / (1 - INK_FLOOR), 0.0, 1.0)


def drop_specks(ink: np.ndarray) -> np.ndarray:
    """Zero connected blobs with under SPECK of the biggest blob's ink: dust and noise would stretch the box."""
    blobs, count = ndimage.label(ink > 0, structure=np.ones((3, 3)))  # (H, W) blob id, 8-connected
    if count <= 1:
        return ink
    mass = ndimage.sum(ink, blobs, index=np.arange(1, count + 1))  # (count,)
    keep = np.concatenate([[False], mass >= SPECK * mass.max()])  # index 0 is the background
    return np.where(keep[blobs], ink, 0.0)


def centre_of_mass(patch: np.ndarray) -> tuple[float, float]:
    """(h, w) non-negative weights -> (row, column) of their centre of mass."""
    total = patch.sum()
    if total <= 0:
        return (patch.shape[0] - 1) / 2, (patch.shape[1] - 1) / 2
    rows, cols = np.indices(patch.shape)
    return float((rows * patch).sum() / total), float((cols * patch).sum() / total)


def square(image: Image.Image, size: int) -> Image.Image:
    """Centre-crop to a square, then resize to size x size (Lanczos)."""
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side)).resize((size, size), Image.Resampling.LANCZOS)


def model_input(source, image_size: int, channels: int, digits: bool) -> np.ndarray:
    """Upload -> (image_size, image_size, channels) uint8, what the model will see.

    digits=True applies the MNIST normalisation (needs image_size 28 and channels 1).
    """
    if digits and (image_size, channels) != (DIGIT_SIZE, 1):
        raise ValueError(f"digit preprocessing makes 28x28 grey images, not {image_size}x{image_size}x{channels}")
    image = open_image(source)
    if min(image.size) < 1:
        raise UploadError(f"the image is empty ({image.width}x{image.height}); accepted: {ACCEPTED}")
    image = on_white(image)  # RGB
    if image.width * image.height > WORK_SIDE**2:  # bounds the work per request (a 5000x5000 upload is 25 MP)
        scale = WORK_SIDE / (image.width * image.height) ** 0.5
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.Resampling.BOX)
    if digits:
        return digit_like_mnist(np.asarray(image.convert("L")))[..., None]  # (28, 28, 1)
    image = square(image, image_size).convert("L" if channels == 1 else "RGB")
    array = np.asarray(image)
    return array[..., None] if channels == 1 else array  # (S, S, C)
