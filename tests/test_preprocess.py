"""Upload preprocessing: EXIF, transparency, inversion, MNIST-style crop/fit/centre, colour crops, bombs."""

import io

import numpy as np
import pytest
from PIL import Image

from genimg.data.preprocess import MAX_PIXELS, UploadError, centre_of_mass, model_input


def digit_on_white(height: int = 120, width: int = 80) -> np.ndarray:
    """A dark, tall, off-centre bar with a foot (like a '1'), on white paper: (H, W) uint8."""
    image = np.full((200, 200), 245, np.uint8)
    image[30:30 + height, 20:20 + width // 4] = 10  # the stem
    image[30 + height - 10:30 + height, 20:20 + width] = 10  # the foot
    return image


def png(image: Image.Image, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kwargs.pop("format", "PNG"), **kwargs)
    return buffer.getvalue()


def test_digit_is_white_on_black_fitted_in_20x20_and_centred_by_mass():
    x = model_input(digit_on_white(), 28, 1, digits=True)
    assert x.shape == (28, 28, 1) and x.dtype == np.uint8
    rows, cols = np.nonzero(x[..., 0] > 0)
    assert x[0, 0, 0] == 0 and x.max() == 255  # background black, ink white
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 in (20, 21)  # long side 20 (+ Lanczos ring)
    mass_y, mass_x = centre_of_mass(x[..., 0].astype(np.float64))
    assert abs(mass_y - 13.5) <= 1.0 and abs(mass_x - 13.5) <= 1.0


def test_light_and_dark_backgrounds_give_the_same_digit():
    dark_on_light = digit_on_white()
    light_on_dark = 255 - dark_on_light
    a = model_input(dark_on_light, 28, 1, digits=True).astype(int)
    b = model_input(light_on_dark, 28, 1, digits=True).astype(int)
    assert np.abs(a - b).max() <= 1


def test_exif_orientation_is_applied():
    upright = Image.fromarray(digit_on_white())  # the stem is tall: taller than wide
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a camera writes; EXIF 6 turns it back
    exif = Image.Exif()
    exif[274] = 6
    x = model_input(png(stored, format="JPEG", quality=95, exif=exif), 28, 1, digits=True)[..., 0]
    rows, cols = np.nonzero(x > 64)
    assert rows.max() - rows.min() > cols.max() - cols.min()  # tall again


def test_transparency_is_composited_onto_white():
    rgba = np.zeros((100, 100, 4), np.uint8)  # transparent black ...
    rgba[20:80, 45:55] = (0, 0, 0, 255)  # ... with an opaque black stroke, like the sketchpad
    x = model_input(rgba, 28, 1, digits=True)[..., 0]
    assert x[0, 0] == 0 and x[14, 14] > 200  # the transparent part became paper, then background


def test_palette_png_with_transparency_and_16_bit_grey():
    palette = Image.fromarray(digit_on_white()).convert("P")
    palette.info["transparency"] = 0
    assert model_input(png(palette), 28, 1, digits=True).shape == (28, 28, 1)
    deep = Image.fromarray(digit_on_white().astype(np.uint16) * 257)
    assert model_input(png(deep), 28, 1, digits=True).max() == 255


def test_dust_does_not_stretch_the_box():
    clean = digit_on_white()
    dusty = clean.copy()
    dusty[190, 190] = dusty[5, 195] = 0  # two specks far from the digit
    assert np.abs(model_input(clean, 28, 1, True).astype(int) - model_input(dusty, 28, 1, True)).max() <= 1


def test_blank_image_is_refused():
    with pytest.raises(UploadError, match="no digit"):
        model_input(np.full((64, 64), 200, np.uint8), 28, 1, digits=True)


def test_colour_models_get_a_centre_square():
    image = np.zeros((50, 100, 3), np.uint8)
    image[:, 25:75] = (255, 0, 0)  # the centre square is red, the sides black
    x = model_input(image, 32, 3, digits=False)
    assert x.shape == (32, 32, 3) and (x[..., 0] > 240).all() and (x[..., 1:] < 15).all()
    assert model_input(image, 32, 1, digits=False).shape == (32, 32, 1)


def test_unreadable_or_wrong_inputs_say_what_is_accepted():
    with pytest.raises(UploadError, match="not a readable image.*PNG, JPEG"):
        model_input(b"not an image", 28, 1, digits=True)
    with pytest.raises(UploadError, match="uint8 array"):
        model_input(np.zeros((10, 10), np.float32), 28, 1, digits=True)
    with pytest.raises(UploadError, match="cannot read an image from a int"):
        model_input(3, 28, 1, digits=True)


def test_pixel_limit_is_lowered_and_the_bomb_warning_is_an_error(monkeypatch):
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS < 89_478_485  # below Pillow's default
    data = png(Image.new("L", (100, 100), 255))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5_000)  # 10,000 pixels: a warning, by default
    with pytest.raises(UploadError, match="too large"):
        model_input(data, 28, 1, digits=True)
