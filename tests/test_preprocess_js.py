"""The browser's preprocessing (genimg/app/web/preprocess.js) against the server's (genimg.data.preprocess.model_input),
on the same decoded pixels, without a browser: each picture is decoded with Pillow to RGBA (turned upright by its
EXIF orientation), then Python runs model_input on that array and Node runs the port on the same bytes
(tests/js/preprocess_cli.mjs). Pictures: examples/encode/*, examples/mnist/*, examples/emoji/*, the upload corpus
of test_uploads.py and the drawn digits of test_preprocess.py; the digit path (28x28 grey) and the emoji path
(64x64 RGB, and 28x28 grey without digit normalisation). Equal within 2 of 255 per pixel; a picture the server
refuses is refused with the same locale key.
"""

import base64
import io
import json
import shutil
import subprocess

import numpy as np
import pytest
from conftest import REPO
from PIL import Image, ImageOps
from test_preprocess import digit_on_white
from test_uploads import CORPUS

from genimg.app.checks import ERROR_KINDS
from genimg.data.preprocess import UploadError, model_input, on_white

NODE = shutil.which("node")
CLI = REPO / "tests" / "js" / "preprocess_cli.mjs"
TOLERANCE = 2  # of 255
PATHS = {"digit": (28, 1, True), "emoji": (64, 3, False), "grey": (28, 1, False)}


def decoded(data: bytes) -> np.ndarray | None:
    """A file's bytes -> (H, W, 4) uint8 as a browser would hand them over (upright, 8 bits); None if unreadable."""
    try:
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        image.load()
    except Exception:  # noqa: BLE001  (a browser refuses these too; the port never sees them)
        return None
    if image.mode.startswith(("I", "F")):  # deep grey: the browser's decoder scales it to 8 bits, as on_white does
        image = on_white(image)
    return np.asarray(image.convert("RGBA"))


def pictures() -> dict[str, np.ndarray]:
    found = {}
    for folder in ("encode", "mnist", "emoji"):
        for path in sorted((REPO / "examples" / folder).glob("*.*")):
            found[f"{folder}/{path.name}"] = decoded(path.read_bytes())
    for name, (_, make, _, _) in CORPUS.items():
        rgba = decoded(make())
        if rgba is not None:
            found[f"upload/{name}"] = rgba
    grey = digit_on_white()
    transparent = np.zeros((100, 100, 4), np.uint8)
    transparent[20:80, 45:55] = (0, 0, 0, 255)
    transparent[10:20, 30:60] = (0, 0, 0, 90)  # half-transparent ink: the 7-bit fixed point of alpha_composite
    dusty = grey.copy()
    dusty[190, 190] = dusty[5, 195] = 0
    found.update({"drawn/digit_on_white": np.dstack([grey] * 3 + [np.full_like(grey, 255)]),
                  "drawn/light_on_dark": np.dstack([255 - grey] * 3 + [np.full_like(grey, 255)]),
                  "drawn/dusty": np.dstack([dusty] * 3 + [np.full_like(grey, 255)]),
                  "drawn/transparent_stroke": transparent})
    return found


def locale_key(message: str) -> str | None:
    return next((key for pattern, key in ERROR_KINDS if pattern.fullmatch(message)), None)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """{(picture, path): (python array or error key, js array or error key)}, one Node run for all."""
    if NODE is None:
        pytest.fail("node is missing: the JS tests need Node.js (apt-get install nodejs)")
    folder = tmp_path_factory.mktemp("rgba")
    jobs, python = [], {}
    for i, (name, rgba) in enumerate(pictures().items()):
        raw = folder / f"{i}.rgba"
        raw.write_bytes(np.ascontiguousarray(rgba).tobytes())
        for path, (size, channels, digits) in PATHS.items():
            jobs.append({"name": f"{name}|{path}", "rgba": str(raw), "width": rgba.shape[1], "height": rgba.shape[0],
                         "imageSize": size, "channels": channels, "digits": digits})
            try:
                python[f"{name}|{path}"] = model_input(rgba, size, channels, digits)
            except UploadError as e:
                python[f"{name}|{path}"] = locale_key(str(e))
    (folder / "jobs.json").write_text(json.dumps(jobs))
    done = subprocess.run([NODE, str(CLI), str(folder / "jobs.json")], capture_output=True, text=True, check=True,
                          timeout=600)
    js = {}
    for name, result in json.loads(done.stdout).items():
        if "error" in result:
            js[name] = result["key"] or result["error"]
        else:
            js[name] = np.frombuffer(base64.b64decode(result["data"]), np.uint8).reshape(result["shape"])
    return {name: (python[name], js[name]) for name in python}


def test_the_corpus_covers_both_paths_and_refusals(compared):
    arrays = [name for name, (py, _) in compared.items() if isinstance(py, np.ndarray)]
    assert len({name.split("|")[0] for name in arrays}) >= 40
    assert {name.split("|")[1] for name in arrays} == set(PATHS)
    assert any(isinstance(py, str) and py == "error_no_digit" for py, _ in compared.values())  # refusals too
    assert any(name.startswith("upload/big_photo") for name in arrays)  # the WORK_SIDE shrink (BOX) runs


def test_model_input_equals_the_server_within_2_of_255(compared):
    worst = {}
    for name, (py, js) in compared.items():
        if not isinstance(py, np.ndarray):
            assert js == py, f"{name}: the server says {py}, the port says {js}"
            continue
        assert isinstance(js, np.ndarray), f"{name}: the port refused ({js}), the server did not"
        assert js.shape == py.shape, name
        worst[name] = int(np.abs(js.astype(np.int16) - py.astype(np.int16)).max())
    assert max(worst.values()) <= TOLERANCE, {k: v for k, v in worst.items() if v > TOLERANCE}


def test_a_wrong_preprocessing_would_be_caught(compared):
    """The bound means something: the server's digits differ from the same picture shifted by one pixel."""
    py, _ = compared["encode/chalk-off-centre.png|digit"]
    assert np.abs(np.roll(py, 1, axis=1).astype(np.int16) - py).max() > 50
