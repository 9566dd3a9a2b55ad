"""Downloads made in the browser (genimg/app/web/recipes.js, downloads.js) in headless Chromium, offline, against
genimg's Python: a grid and gallery PNGs made in the page from pixels genimg.sample made carry recipes that
genimg.recipes.read reads and genimg.recipes.render (and `python -m genimg.sample --from-png`) turns back into the
same pixels; the page's ZIP opens with zipfile (one PNG per seed, each with its recipe; byte for byte Python's
zipfile for the same PNGs, in a browser west of UTC); the page's GIF decodes with Pillow (frames, size, loop,
delay; grey frames exactly); readRecipe in the page reads a Python PNG and fails as recipes.read does.

The web folder is served as it is by a local http.server; the page may reach only that server. This module also
writes tests/js/fixtures/downloads.json, what Python writes for a table of cases that the Node tests
(tests/js/recipes.test.mjs, downloads.test.mjs) compare with; test_node_fixture_is_what_python_writes fails when
it is stale, and `PYTHONPATH=. python tests/test_downloads_browser.py` rewrites it.
"""

import base64
import copy
import functools
import http.server
import io
import json
import subprocess
import threading
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
import torch
from conftest import PYTHON, REPO, python_env
from PIL import Image

import genimg
from genimg import recipes
from genimg.app.limits import GALLERY_SIDE, GIF_SIDE
from genimg.app.registry import grid_name
from genimg.app.tabs.gan.gallery import ZIP_TIME
from genimg.images import gif_bytes, png_bytes, to_pil, upscale
from genimg.sampling import generate, labels_for_seeds, latent_from_seed, slerp

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright never downloads a browser
pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
WEB = REPO / "genimg" / "app" / "web"
FIXTURE = REPO / "tests" / "js" / "fixtures" / "downloads.json"
CHECKPOINT, DIRECTIONS = "0123456789ab", "9c1e0b7a4f22"  # ids as recipes take them: the fixture outlives retraining
TIMEOUT_MS = 60_000


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image)


def image_json(image: np.ndarray) -> dict:
    """(H, W, C) uint8 -> what window.genimg.generate returns, data as base64."""
    height, width, channels = image.shape
    return {"width": width, "height": height, "channels": channels, "data": b64(image.tobytes())}


# ---- the Node tests' fixture -------------------------------------------------------------------------------------

def recipe_text(recipe: dict) -> str:
    """The text genimg puts in the PNG for a recipe (recipes.attach)."""
    return recipes.attach(Image.new("L", (1, 1)), recipe).info[recipes.KEY]


def check_message(recipe) -> str | None:
    try:
        recipes.check(recipe)
    except recipes.RecipeError as e:
        return str(e)
    return None


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    """What the server's gallery ZIP is for these PNGs (ZIP_STORED, ZipInfo(name, ZIP_TIME))."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files:
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), data)
    return buffer.getvalue()


def check_read(png: bytes) -> str:
    """recipes.read's message for a PNG it refuses."""
    try:
        recipes.read(png)
    except recipes.RecipeError as e:
        return str(e)
    raise AssertionError("recipes.read took a PNG without a recipe")


def gif_frames(data: bytes) -> tuple[list[np.ndarray], list[int], dict]:
    """GIF bytes -> its frames as RGB arrays, each frame's duration, and the first frame's info."""
    with Image.open(io.BytesIO(data)) as gif:
        info, frames, durations = dict(gif.info), [], []
        for k in range(gif.n_frames):
            gif.seek(k)
            frames.append(np.asarray(gif.convert("RGB")))
            durations.append(gif.info["duration"])
    return frames, durations, info


def gif_case(frames: list[np.ndarray], side: int) -> dict:
    """What the server's GIF of these frames holds, as Pillow reads it back (repeated frames are merged)."""
    found, durations, info = gif_frames(gif_bytes([upscale(to_pil(f), side) for f in frames]))
    return {"frames": [image_json(f) for f in frames], "side": side, "count": len(found), "durations": durations,
            "size": list(found[0].shape[1::-1]), "loop": info.get("loop")}


def node_fixture() -> dict:
    """What Python writes for the cases the Node tests check recipes.js and downloads.js against."""
    models = {(ds, kind): genimg.load(REPO / "checkpoints" / ds / kind) for ds in ("mnist", "emoji")
              for kind in ("gan", "vae")}
    version = genimg.__version__

    def case(ds: str, network: str, **fields) -> dict:
        name = fields.pop("model", ds)
        recipe = recipes.make(models[ds, network], name, CHECKPOINT, **fields)
        js = {"version": version, "model": name, "network": network, "checkpoint": CHECKPOINT, **fields}
        return {"fields": js, "recipe": recipe, "text": recipe_text(recipe)}

    z64 = [float(v) for v in (np.random.RandomState(0).randn(64) * 1.3).astype(np.float32)]
    z16 = [float(v) for v in np.random.RandomState(1).randn(16).astype(np.float32)]
    cases = [
        case("mnist", "gan", seeds=[42], psi=1.0, label="any", scale=4),
        case("mnist", "gan", seeds=list(range(16)), psi=0.7, label="7", columns=4, scale=4),
        case("mnist", "gan", seeds=[3, 3, 3], psi=[0.25, 0.5, 1.0], columns=3),
        case("mnist", "gan", z=z64, label="3"),
        case("mnist", "gan", seeds=[5], psi=1.0, offsets=[1.5, 0.0, -2.1, 1 / 3], directions=DIRECTIONS, scale=4),
        case("mnist", "gan", seeds=[5], psi=1.0, offsets=[0.0, 0.0, 0.0], directions=DIRECTIONS),
        case("emoji", "gan", seeds=[0, 1], psi=1e-05, label="Smileys & Emotion", columns=2, scale=2),
        case("mnist", "gan", model="mnist-数字 \"v2\"", seeds=[7], psi=1.5),
        case("mnist", "vae", seeds=[1, 2], psi=2.0, prior="standard", columns=2),
        case("mnist", "vae", seeds=[9], psi=0.8, prior="learned", scale=4),
        case("mnist", "vae", z=z16),
    ]

    floats = [*z64[:16], 1.0, 0.1, 1e-05, 1e16, 1e15, 123.456, -0.0, 5e-324, 0.0001, 1 / 3, 1e22, 0.1 + 0.2,
              1.7976931348623157e308, 2.5e-07, 100.0, -42.5, 0.00012345, 9999999999999998.0]
    g_values = [0.7, 0.123456789, 1e-05, 0.0009765625, 1.9999995, 1234567.0, 0.0, -0.0, 1.0, 2.0, 0.0001,
                0.00012345675, 999999.5, 123456.5, 1e100, 5e-324, 0.05, 1.25, 0.30000000000000004, 1.15, -0.5,
                *np.random.RandomState(2).uniform(0, 2, 8).round(3).tolist()]
    scattered = list(range(0, 200, 2))
    names = [("mnist", list(range(16)), 1.0, "any"), ("mnist", [0, 1, 2, 3, 42], 0.7, "7"),
             ("emoji", [5], 1.0, "Smileys & Emotion"), ("emoji", [5, 6, 9], 0.5, "Food & Drink"),
             ("mnist", [9, 8, 7], 0.123456789, ""), ("mnist", [1], 1e-05, "any"), ("mnist", [1], 0.0009765625, "any"),
             ("mnist", [1], 1.9999995, "any"), ("mnist", [1], 0.0, "any"), ("mnist", scattered, 1.0, "any"),
             ("mnist", [4294967295, 0], 1.25, "any"), ("my data/v2", [1], 1.0, "any"), ("mnist", [3], 1.0, "---"),
             ("mnist", [3, 3, 4], 1.0, "数字"), ("mnist", [10, 11, 12, 20], 0.7, None)]

    good = cases[1]["recipe"]
    bad = [[], "recipe", None, {**good, "model": 3}, {k: v for k, v in good.items() if k != "checkpoint"},
           {**good, "label": ["it's"]}, {**good, "network": "gen"}, {**good, "z": [0.5]},
           {k: v for k, v in good.items() if k not in ("seeds", "psi")}, {**cases[3]["recipe"], "z": []},
           {**good, "seeds": [-1]}, {**good, "seeds": []}, {**good, "seeds": [4294967296]}, {**good, "seeds": "0-3"},
           {**good, "seeds": [True]}, {**good, "psi": "0.7"}, {**good, "psi": [1, 2]}, {**good, "psi": None},
           {**good, "offsets": ["a"]}, {**good, "offsets": None}, {**good, "offsets": {}},
           {k: v for k, v in good.items() if k != "layout"}, {**good, "layout": {"columns": 4, "scale": 65}},
           {**good, "layout": {"columns": 0, "scale": 1}}, {**good, "layout": {"columns": None, "scale": 1}},
           {**good, "layout": [4, 1]}, good]

    rng = np.random.RandomState(3)
    grey = rng.randint(0, 256, (3, 28, 28, 1)).astype(np.uint8)
    rgb = rng.randint(0, 256, (2, 8, 8, 3)).astype(np.uint8)
    grey_recipe = recipes.make(models["mnist", "gan"], "mnist", CHECKPOINT, seeds=[0, 1, 42], psi=0.7,
                               columns=2, scale=3)
    rgb_recipe = recipes.make(models["emoji", "gan"], "emoji", CHECKPOINT, seeds=[0, 1], label="Flags",
                              columns=2, scale=2)
    a, b = grey[0, :4, :4], grey[1, :4, :4]  # tiny GIF frames
    files = [(f"seed{seed:04d}.png", png_bytes(recipes.picture(image[None], recipes.make(
        models["mnist", "gan"], "mnist", CHECKPOINT, seeds=[seed], psi=0.7)))) for seed, image in zip([0, 1, 42], grey)]
    return {
        "version": version,
        "recipes": cases,
        "floats": [[v, repr(v)] for v in floats],
        "formatG": [[v, format(v, "g")] for v in g_values],
        "names": [{"model": m, "seeds": s, "psi": p, "label": lab, "name": grid_name(m, s, p, lab)}
                  for m, s, p, lab in names],
        "bad": [{"recipe": r, "message": check_message(r)} for r in bad],
        "no_recipe_message": check_read(png_bytes(to_pil(grey[0]))),
        "pictures": [{"images": [image_json(im) for im in grey], "recipe": grey_recipe,
                      "png": b64(png_bytes(recipes.picture(grey, grey_recipe)))},
                     {"images": [image_json(im) for im in rgb], "recipe": rgb_recipe,
                      "png": b64(png_bytes(recipes.picture(rgb, rgb_recipe)))}],
        "plain_png": b64(png_bytes(to_pil(grey[0]))),
        "zip": {"files": [{"name": n, "png": b64(data)} for n, data in files], "bytes": b64(zip_of(files))},
        "gifs": [gif_case(frames, side=10) for frames in ([a, a, b], [a, b, b, a], [a, a], [a])],
    }


def comparable(fixture: dict) -> dict:
    """The fixture with its PNGs as (pixels, recipe text) and its ZIP as whether it is zipfile's for its PNGs: the
    bytes of a PNG depend on Pillow's zlib, which differs between machines; the rest must not."""
    out = copy.deepcopy(fixture)
    for picture in out["pictures"]:
        png = unb64(picture.pop("png"))
        picture["png_pixels"], picture["png_text"] = pixels(png).tolist(), recipes.read_png_text(png, recipes.KEY)
    out["plain_png"] = pixels(unb64(out["plain_png"])).tolist()
    files = [(f["name"], unb64(f["png"])) for f in out["zip"]["files"]]
    out["zip"] = {"names": [n for n, _ in files], "texts": [recipes.read_png_text(d, recipes.KEY) for _, d in files],
                  "pixels": [pixels(d).tolist() for _, d in files],
                  "is_zipfile_of_its_pngs": zip_of(files) == unb64(fixture["zip"]["bytes"])}
    return out


def write_fixture() -> None:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(node_fixture(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def test_node_fixture_is_what_python_writes():
    committed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(node_fixture()))  # through JSON, as the committed file went
    assert comparable(committed) == comparable(fresh), \
        f"{FIXTURE.relative_to(REPO)} is stale: run `PYTHONPATH=. python tests/test_downloads_browser.py` to rewrite it"
    assert comparable(committed)["zip"]["is_zipfile_of_its_pngs"]


# ---- the page ----------------------------------------------------------------------------------------------------

class WebFolder(http.server.SimpleHTTPRequestHandler):
    """genimg/app/web as files, and an empty page at / to import its modules from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(WEB), **kwargs)

    def do_GET(self):
        if self.path != "/":
            return super().do_GET()
        body = b"<!doctype html><title>genimg downloads</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def log_message(self, *args):  # quiet
        pass


WebFolder.extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}


@pytest.fixture(scope="module")
def served():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), WebFolder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(served):
    sync_api = pytest.importorskip("playwright.sync_api")

    def local_only(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            return route.continue_()
        return route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        # west of UTC: a ZIP time taken as UTC would land on 31 December 2019 here
        context = browser.new_context(timezone_id="America/Los_Angeles")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.route("**/*", local_only)
        page.goto(served)
        page.evaluate("""async () => {
            window.recipes = await import('/recipes.js');
            window.downloads = await import('/downloads.js');
            window.fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
            window.toBase64 = (bytes) => {
              let text = '';
              for (let i = 0; i < bytes.length; i += 0x8000) {
                text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
              }
              return btoa(text);
            };
            window.images = (list) => list.map((im) => ({ ...im, data: fromBase64(im.data) }));
        }""")
        yield page
        browser.close()


@functools.cache
def mnist_gan():
    torch.set_num_threads(1)
    return genimg.load(REPO / "checkpoints" / "mnist" / "gan")


def made(seeds: list[int], psi: float, label: str) -> dict:
    return {"version": genimg.__version__, "model": "mnist", "checkpoint": recipes.checkpoint_id(
        REPO / "checkpoints" / "mnist" / "gan"), "seeds": seeds, "psi": psi, "label": label}


def python_recipe(**fields) -> dict:
    return recipes.make(mnist_gan(), "mnist", recipes.checkpoint_id(REPO / "checkpoints" / "mnist" / "gan"), **fields)


SEEDS, PSI, LABEL = [0, 1, 2, 3, 4, 5, 6, 7, 42], 0.7, "any"


def test_grid_and_gallery_pngs_carry_recipes_that_render_the_same_pixels(page, tmp_path, isolated_cache):
    images = genimg.sample(mnist_gan(), SEEDS, psi=PSI)  # (9, 28, 28, 1)
    out = page.evaluate("""([images, made]) => {
        const grid = downloads.gridPng(window.images(images), made);
        const gallery = downloads.galleryPngs(window.images(images), made);
        return { name: grid.name, mime: grid.mime, grid: toBase64(grid.bytes), gallery: gallery.map(toBase64) };
    }""", [[image_json(im) for im in images], made(SEEDS, PSI, LABEL)])
    assert out["name"] == grid_name("mnist", SEEDS, PSI, LABEL) + ".png" == "genimg-mnist-seeds-0-7_42-psi0.7.png"
    assert out["mime"] == "image/png"

    sheet = unb64(out["grid"])
    recipe = recipes.read(sheet)
    assert recipe == python_recipe(seeds=SEEDS, psi=PSI, label=LABEL, columns=3, scale=4)
    assert recipes.read_png_text(sheet, recipes.KEY) == recipe_text(recipe)  # the same text, not only the same JSON
    server = recipes.picture(images, recipe)  # what the server's grid PNG holds
    assert pixels(sheet).shape == (4 * (3 * 30 + 2),) * 2
    np.testing.assert_array_equal(pixels(sheet), np.asarray(server))
    np.testing.assert_array_equal(pixels(sheet), np.asarray(recipes.render(mnist_gan(), recipe)))

    assert len(out["gallery"]) == len(SEEDS)
    for seed, image, png in zip(SEEDS, images, map(unb64, out["gallery"])):
        assert recipes.read(png) == python_recipe(seeds=[seed], psi=PSI, label=LABEL, scale=4)
        np.testing.assert_array_equal(pixels(png), np.asarray(upscale(to_pil(image), GALLERY_SIDE)))

    # the command line a reader of the recipe would run, on a PNG the browser made
    made_in_browser, again = tmp_path / "seed0042.png", tmp_path / "again.png"
    made_in_browser.write_bytes(unb64(out["gallery"][-1]))
    run = subprocess.run([PYTHON, "-m", "genimg.sample", "--from-png", str(made_in_browser), "--out", str(again)],
                         cwd=REPO, env=python_env(isolated_cache), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    np.testing.assert_array_equal(pixels(again.read_bytes()), pixels(made_in_browser.read_bytes()))
    assert recipes.read(again.read_bytes()) == recipes.read(made_in_browser.read_bytes())


def test_gallery_zip_opens_with_zipfile_one_png_with_its_recipe_per_seed(page):
    seeds = [3, 1, 4, 1, 5]  # a seed listed twice is one file
    images = genimg.sample(mnist_gan(), seeds, psi=PSI)
    out = page.evaluate("""([images, made]) => {
        const zip = downloads.galleryZip(window.images(images), made);
        return { name: zip.name, mime: zip.mime, bytes: toBase64(zip.bytes) };
    }""", [[image_json(im) for im in images], made(seeds, PSI, LABEL)])
    assert out["name"] == grid_name("mnist", seeds, PSI, LABEL) + ".zip" and out["mime"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(unb64(out["bytes"]))) as archive:
        assert archive.testzip() is None  # every CRC right
        assert archive.namelist() == ["seed0003.png", "seed0001.png", "seed0004.png", "seed0005.png"]
        for info in archive.infolist():
            assert info.date_time == ZIP_TIME and info.compress_type == zipfile.ZIP_STORED
        for seed, image in zip([3, 1, 4, 5], images[[0, 1, 2, 4]]):
            png = archive.read(f"seed{seed:04d}.png")
            assert recipes.read(png) == python_recipe(seeds=[seed], psi=PSI, label=LABEL)
            np.testing.assert_array_equal(pixels(png), image[..., 0])


def test_save_bytes_downloads_the_bytes_under_the_name(page):
    with page.expect_download() as download:
        page.evaluate("downloads.saveBytes(new TextEncoder().encode('genimg'), 'genimg-mnist-seeds-0-3.zip', "
                      "'application/zip')")
    assert download.value.suggested_filename == "genimg-mnist-seeds-0-3.zip"
    assert Path(download.value.path()).read_bytes() == b"genimg"


def test_zip_of_the_same_pngs_is_byte_for_byte_the_servers(page):
    images = genimg.sample(mnist_gan(), [0, 1, 42], psi=PSI)
    files = [(f"seed{s:04d}.png", png_bytes(recipes.picture(im[None], python_recipe(seeds=[s], psi=PSI))))
             for s, im in zip([0, 1, 42], images)]
    browser = page.evaluate("""(files) => toBase64(downloads.zipOfImages(
        files.map(([name, png]) => ({ name, bytes: fromBase64(png) }))))""", [[n, b64(d)] for n, d in files])
    assert unb64(browser) == zip_of(files)


def interpolation_frames(gan, seed_a: int, seed_b: int, frames: int, psi: float = 1.0) -> np.ndarray:
    """The frames the server's interpolation GIF is made of (slerp A -> B, seed A's class throughout)."""
    z_a, z_b = latent_from_seed(seed_a, gan.z_dim), latent_from_seed(seed_b, gan.z_dim)
    z = np.stack([slerp(z_a, z_b, t) for t in np.linspace(0, 1, frames)]) * np.float32(psi)
    return generate(gan, z, labels_for_seeds(gan, [seed_a]) * frames)


def test_gif_decodes_with_pillow_as_the_servers_does(page):
    frames = interpolation_frames(mnist_gan(), 3, 8, 6)  # (6, 28, 28, 1)
    out = page.evaluate("""(frames) => {
        const gif = downloads.interpolationGif(window.images(frames), { model: 'mnist', seedA: 3, seedB: 8 });
        return { ...gif, bytes: toBase64(gif.bytes) };
    }""", [image_json(f) for f in frames])
    assert out["name"] == "genimg-mnist-seed-3-to-8.gif" and out["mime"] == "image/gif"
    browser = unb64(out["bytes"])
    server = gif_bytes([upscale(to_pil(f), GIF_SIDE) for f in frames])
    ours, durations, info = gif_frames(browser)
    theirs, server_durations, _ = gif_frames(server)
    assert len(ours) == len(theirs) == 2 * 6 - 2  # forward, then back without repeating the ends
    assert ours[0].shape == (9 * 28, 9 * 28, 3)  # the largest multiple of 28 <= 256
    assert info["loop"] == 0 and durations == server_durations == [80] * 10
    for k, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_array_equal(a, b, err_msg=f"frame {k}")  # grey: every level kept, in both


def test_rgb_gif_frames_are_the_pictures_within_quantization(page):
    gan = genimg.load(REPO / "checkpoints" / "emoji" / "gan")
    frames = interpolation_frames(gan, 0, 1, 3)  # (3, 64, 64, 3)
    browser = unb64(page.evaluate("(frames) => toBase64(downloads.gifOfFrames(window.images(frames)))",
                                  [image_json(f) for f in frames]))
    ours, durations, info = gif_frames(browser)
    assert len(ours) == 4 and ours[0].shape == (256, 256, 3) and info["loop"] == 0 and durations == [80] * 4
    for k, frame in zip([0, 1, 2, 1], ours):
        expected = np.asarray(upscale(to_pil(frames[k]), GIF_SIDE)).astype(int)
        assert np.abs(frame - expected).mean() < 3, f"frame of image {k}: mean error {np.abs(frame - expected).mean()}"


def test_read_recipe_in_the_page_reads_pythons_pngs_and_fails_as_python_does(page):
    images = genimg.sample(mnist_gan(), [0, 1, 2, 3], psi=PSI, label="7")
    recipe = python_recipe(seeds=[0, 1, 2, 3], psi=PSI, label="7", columns=2, scale=4)
    server_png = png_bytes(recipes.picture(images, recipe))
    plain = png_bytes(to_pil(images[0]))
    read = page.evaluate("""(pngs) => pngs.map((png) => {
        try { return recipes.readRecipe(fromBase64(png)); } catch (e) { return `${e.name}: ${e.message}`; }
    })""", [b64(server_png), b64(plain), b64(b"GIF89a not a png")])
    assert read[0] == recipe
    assert read[1] == read[2] == f"RecipeError: {check_read(plain)}"


if __name__ == "__main__":
    write_fixture()
    print(f"wrote {FIXTURE}")
