"""window.genimg in headless Chromium, offline, against the Python face, on every committed model.

A minimal gr.Blocks serves the browser side (web_assets.setup: browser weights of checkpoints/{mnist,emoji}/
{gan,vae}, the vendored TensorFlow.js, genimg.js in the <head>); the page may reach only the local server.
Then: latentFromSeed == numpy RandomState(seed).randn to 1e-12; bad arguments reject with what is accepted;
decode (32 seeded latents per VAE) and generate (16 seeds, psi 1.0 and 0.7, label 'any' and a class name, per
GAN) equal genimg.decode / genimg.sample within 2 of 255 per pixel. Encoding a picture (preprocess.js + the VAE's
encoder) gives the server's model input and a posterior mean within 0.02 of genimg.encode; a VAE's seed latents
under its learned and standard priors and a GAN's direction edits equal genimg.sampling's to 1e-5 (their images
within 2 of 255); inversion (Adam through the generator and the classifier in tfjs) ends within 1.25x of
genimg.invert's pixel MSE on 3 test-split digits, leaving no tensor behind. One page load for the whole module.
"""

import base64
import json
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
import torch
from conftest import REPO
from PIL import Image, ImageOps

import genimg
from genimg.data.preprocess import model_input
from genimg.directions import load_directions
from genimg.inversion import classifier_beside
from genimg.sampling import latents, latents_for_seeds

CHROMIUM = Path("/usr/bin/chromium")  # Debian's, as in test_e2e.py; Playwright never downloads a browser
pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
DATASETS = ("mnist", "emoji")
TOLERANCE = 2  # of 255, the parity bound
MEAN_TOLERANCE = 0.02  # posterior mean, latent units
LATENT_TOLERANCE = 1e-5
MSE_RATIO = 1.25  # browser inversion's MSE against the server's
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def models():
    torch.set_num_threads(1)
    found = {ds: {kind: genimg.load(REPO / "checkpoints" / ds / kind) for kind in ("gan", "vae")} for ds in DATASETS}
    for ds in DATASETS:  # what rides with the GAN: its classifier (inversion) and its directions
        found[ds]["classifier"] = classifier_beside(REPO / "checkpoints" / ds / "gan")
        found[ds]["directions"] = load_directions(REPO / "checkpoints" / ds / "gan")
    return found


@pytest.fixture(scope="module")
def served(models, tmp_path_factory):
    import gradio as gr  # noqa: PLC0415

    from genimg.app import web_assets  # noqa: PLC0415

    head = web_assets.setup(models, default=("mnist", "vae"), root=tmp_path_factory.mktemp("web-cache"))
    with gr.Blocks() as demo:
        gr.Markdown("genimg browser parity")
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, head=head, app_kwargs=web_assets.app_kwargs())
    yield url, head
    demo.close()


@pytest.fixture(scope="module")
def page(served):
    url, _ = served
    sync_api = pytest.importorskip("playwright.sync_api")
    blocked = []

    def local_only(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.route("**/*", local_only)
        page.goto(url)
        page.wait_for_function("window.genimg !== undefined")
        page.evaluate("window.genimg.ready")
        yield page
        browser.close()


BLANK = "{width: 28, height: 28, channels: 1, data: new Uint8Array(784)}"  # a model input (all black)
# Images leave the page as base64 text: Playwright serialises a long array of numbers slowly.
BASE64 = "im => ({...im, data: btoa(Array.from(im.data, b => String.fromCharCode(b)).join(''))})"


def as_uint8(images: list[dict]) -> np.ndarray:
    """[{width, height, channels, data (base64)}] from the page -> uint8 (N, H, W, C)."""
    return np.stack([np.frombuffer(base64.b64decode(im["data"]), np.uint8).reshape(im["height"], im["width"],
                                                                                   im["channels"])
                     for im in images])


def assert_close(browser: np.ndarray, python: np.ndarray) -> int:
    assert browser.shape == python.shape
    assert python.std() > 5  # real pictures, not a blank: the bound below means something
    diff = int(np.abs(browser.astype(np.int16) - python.astype(np.int16)).max())
    assert diff <= TOLERANCE, f"max |browser - python| = {diff} of 255"
    return diff


def test_runtime_is_the_vendored_wasm_backend_served_locally(page):
    assert page.evaluate("window.genimg.backend") == "wasm", page.evaluate("window.genimg.fallbackReason")
    models = page.evaluate("window.genimg.models()")
    assert {(m["model"], m["kind"]) for m in models} == {(ds, k) for ds in DATASETS for k in ("gan", "vae")}
    mnist_gan = next(m for m in models if m["model"] == "mnist" and m["kind"] == "gan")
    assert mnist_gan == {"model": "mnist", "kind": "gan", "zDim": 64, "shape": [28, 28, 1],
                         "classes": [str(d) for d in range(10)]}
    scripts = page.evaluate("Array.from(document.scripts, s => s.src).filter(Boolean)")
    assert any("/vendor/tfjs/tf.min.js" in s and s.startswith("http://127.0.0.1") for s in scripts)


def test_weights_and_runtime_are_served_with_long_cache_headers(served):
    url, head = served
    config = json.loads(head.split('id="genimg-config">', 1)[1].split("</script>", 1)[0])
    weights = config["models"][0]["manifest"].replace("manifest.json", "weights.bin")
    for path in (weights, config["vendor"]["tfjs"], config["vendor"]["wasmFiles"]["tfjs-backend-wasm-simd.wasm"]):
        with urllib.request.urlopen(url + path) as response:
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", path
            if path.split("?")[0].endswith(".wasm"):
                assert response.headers["Content-Type"] == "application/wasm"
    module = head.split('<script type="module" src="', 1)[1].split('"', 1)[0]
    with urllib.request.urlopen(url + module) as response:
        assert response.headers["Cache-Control"] == "no-cache" and "javascript" in response.headers["Content-Type"]


def test_latent_from_seed_equals_numpy(page):
    seeds = list(range(1000)) + [2**31, 2**32 - 1]
    z_dim = 129  # odd: the cached second Gaussian of the last pair is left over
    latents = np.asarray(page.evaluate(
        "([seeds, zDim]) => seeds.map(s => Array.from(window.genimg.latentFromSeed(s, zDim)))", [seeds, z_dim]))
    expected = np.stack([np.random.RandomState(s).randn(z_dim) for s in seeds])
    assert latents.shape == expected.shape == (len(seeds), z_dim)
    assert np.abs(latents - expected).max() <= 1e-12


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "a"])
def test_latent_from_seed_rejects_what_numpy_rejects(page, seed):
    message = page.evaluate("""seed => {
        try { window.genimg.latentFromSeed(seed, 8); return null; } catch (e) { return e.message; }
    }""", seed)
    assert message is not None and "seed must be an integer from 0 to 4294967295" in message
    assert str(seed) in message


@pytest.mark.parametrize("call, accepted", [
    ("g.generate('cifar', [0], 1, 'any')", "model must be one of mnist, emoji"),
    ("g.decode('cifar', [0])", "model must be one of mnist, emoji"),
    ("g.generate('mnist', [0, -1], 1, 'any')", "seed must be an integer from 0 to 4294967295"),
    ("g.generate('mnist', '0-3', 1, 'any')", "seeds must be an array"),
    ("g.generate('mnist', [0], NaN, 'any')", "psi must be a finite number"),
    ("g.generate('mnist', [0], '0.7', 'any')", "psi must be a finite number"),
    ("g.generate('mnist', [0], 1, 'ten')", "label must be 'any' or a class name of mnist: 0, 1, 2"),
    ("g.generate('emoji', [0], 1, 3)", "Smileys & Emotion"),
    ("g.decode('mnist', [1, 2, 3])", "z must be an array of 16 finite numbers"),
    ("g.decode('mnist', new Array(16).fill(Infinity))", "z[0] is Infinity"),
    ("g.encode('cifar', {width: 1, height: 1, data: [0, 0, 0, 0]})", "model must be one of mnist, emoji"),
    ("g.encode('mnist', 'digit.png')", "imageData must be {width, height, data}"),
    ("g.encode('mnist', {width: 2, height: 2, data: new Uint8Array(3)})", "data holds 3 values for 2x2"),
    ("g.encode('mnist', {width: 28, height: 28, channels: 3, data: new Uint8Array(9)})",
     "a model input must be {width: 28, height: 28, channels: 1"),
    (f"g.invert('mnist', {BLANK}, {{steps: 2001}})", "steps must be a whole number from 0 to 2000"),
    (f"g.invert('mnist', {BLANK}, {{onStep: 3}})", "onStep must be a function"),
    (f"g.invert('mnist', {BLANK}, {{label: 'ten'}})", "label must be 'any' or a class name of mnist"),
    (f"g.invert('mnist', {BLANK}, 100)", "options must be an object {steps, label, seeds, onStep}"),
    ("g.vaeLatentFromSeed('mnist', 0, 1, 'uniform')", "prior must be one of learned, standard"),
    ("g.vaeLatentFromSeed('mnist', -1)", "seed must be an integer from 0 to 4294967295"),
    ("g.editedLatent([0, 0], [1, 'a'], [[1, 0]])", "offsets must be a list of finite numbers"),
    ("g.editedLatent([0, 0], [1, 1], [[1, 0]])", "2 offsets for 1 directions; at most 1 offsets"),
])
def test_bad_arguments_reject_with_what_is_accepted(page, call, accepted):
    message = page.evaluate(f"async () => {{ const g = window.genimg; try {{ await {call}; return null; }} "
                            "catch (e) { return e instanceof Error ? e.message : 'not an Error: ' + e; } }")
    assert message is not None and accepted in message, message


@pytest.mark.parametrize("dataset", DATASETS)
def test_decode_equals_genimg_decode(page, models, dataset):
    vae = models[dataset]["vae"]
    z = np.stack([np.random.RandomState(s).randn(vae.z_dim) for s in range(32)])  # float64, as a user passes
    images = page.evaluate("async ([model, zs]) => { const out = [];"
                           "  for (const z of zs) out.push(await window.genimg.decode(model, z));"
                           f"  return out.map({BASE64}); }}", [dataset, z.tolist()])
    assert_close(as_uint8(images), genimg.decode(vae, z))


@pytest.mark.parametrize("dataset", DATASETS)
def test_conv2d_transpose_path_equals_genimg_sample_too(page, served, models, dataset):
    """The op list's conv_transpose as tf.conv2dTranspose(..., 'same') itself (genimg.js runs the sub-pixel form)."""
    _, head = served
    config = json.loads(head.split('id="genimg-config">', 1)[1].split("</script>", 1)[0])
    manifest = next(m["manifest"] for m in config["models"] if m["model"] == dataset and m["kind"] == "gan")
    models_js = head.split('<script type="module" src="', 1)[1].split("?", 1)[0].replace("genimg.js", "models.js")
    gan, seeds = models[dataset]["gan"], list(range(8))
    z = np.stack([np.random.RandomState(s).randn(gan.z_dim) for s in seeds]).astype(np.float32)
    labels = genimg.sampling.labels_for_seeds(gan, seeds)
    images = page.evaluate("async ([modelsJs, manifest, z, labels]) => {"
                           "  const { loadModel, run } = await import(new URL(modelsJs, document.baseURI).href);"
                           "  const model = await loadModel(window.tf, manifest);"
                           "  const direct = { ...model, subpixel: {} };"  # no sub-pixel kernels: conv2dTranspose
                           "  const zs = Float32Array.from(z.flat());"
                           "  const ims = await run(window.tf, direct, zs, Int32Array.from(labels));"
                           f"  return ims.map({BASE64}); }}", [models_js, manifest, z.tolist(), labels])
    assert_close(as_uint8(images), genimg.sample(gan, seeds))


@pytest.mark.parametrize("dataset", DATASETS)
def test_generate_equals_genimg_sample(page, models, dataset):
    gan = models[dataset]["gan"]
    seeds = list(range(16))
    a_class = gan.class_names[7]  # mnist '7'; emoji 'Smileys & Emotion'
    for psi, label in [(1.0, "any"), (0.7, "any"), (0.7, a_class)]:
        images = page.evaluate("async ([model, seeds, psi, label]) => {"
                               "  const ims = await window.genimg.generate(model, seeds, psi, label);"
                               f"  return ims.map({BASE64}); }}", [dataset, seeds, psi, label])
        assert len(images) == len(seeds)
        assert_close(as_uint8(images), genimg.sample(gan, seeds, psi=psi, label=None if label == "any" else label))


# ---- encode, priors, directions, inversion -------------------------------------------------------------------

ENCODE = f"""async ([model, width, height, rgba]) => {{
  const data = Uint8Array.from(atob(rgba), (c) => c.charCodeAt(0));
  const {{ mu, logvar, input }} = await window.genimg.encode(model, {{ width, height, data }});
  return {{ mu: Array.from(mu), logvar: Array.from(logvar), input: ({BASE64})(input) }};
}}"""


def decoded_rgba(path: Path) -> np.ndarray:
    """A picture as the page hands it over: upright (EXIF), RGBA (H, W, 4) uint8."""
    with Image.open(path) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGBA"))


@pytest.mark.parametrize("dataset", DATASETS)
def test_encode_equals_genimg_encode_of_the_servers_model_input(page, models, dataset):
    vae = models[dataset]["vae"]
    digits = (vae.image_size, vae.channels) == (28, 1)
    pictures = sorted((REPO / "examples" / "encode").glob("*.*"))
    if not digits:
        pictures += sorted((REPO / "examples" / "emoji").glob("*.png"))[:3]
    for path in pictures:
        rgba = decoded_rgba(path)
        expected_input = model_input(rgba, vae.image_size, vae.channels, digits)
        mu, logvar = (t.numpy()[0] for t in genimg.encode(vae, expected_input[None]))
        pixels = base64.b64encode(rgba.tobytes()).decode()
        found = page.evaluate(ENCODE, [dataset, rgba.shape[1], rgba.shape[0], pixels])
        assert_close(as_uint8([found["input"]]), expected_input[None])
        assert np.abs(mu).max() > 0.3  # a real posterior, not zeros: the bound below means something
        assert np.abs(np.asarray(found["mu"]) - mu).max() <= MEAN_TOLERANCE, path.name
        assert np.abs(np.asarray(found["logvar"]) - logvar).max() <= 5 * MEAN_TOLERANCE, path.name


def test_encode_rejects_a_blank_picture_with_the_locale_key(page):
    found = page.evaluate("""async () => {
        const blank = {width: 40, height: 30, data: new Uint8Array(40 * 30 * 4).fill(200)};
        try { await window.genimg.encode('mnist', blank); return null; }
        catch (e) { return {name: e.name, key: e.key, message: e.message}; } }""")
    assert found["name"] == "PreprocessError" and found["key"] == "error_no_digit"
    assert found["message"].startswith("found no digit: the image is one flat colour")


@pytest.mark.parametrize("dataset", DATASETS)
def test_vae_latent_from_seed_under_each_prior_equals_python(page, models, dataset):
    vae = models[dataset]["vae"]
    assert vae.prior is not None  # the committed VAEs have learned priors: both rules are checked
    seeds = list(range(24)) + [2**32 - 1]
    for prior in (None, "learned", "standard"):
        for psi in (1.0, 0.7):
            found = np.asarray(page.evaluate(
                "async ([model, seeds, psi, prior]) => { const g = window.genimg; const out = [];"
                "  for (const s of seeds) out.push(Array.from(await g.vaeLatentFromSeed(model, s, psi, prior)));"
                "  return out; }", [dataset, seeds, psi, prior]))
            expected = latents_for_seeds(vae, seeds, psi, prior)
            assert found.shape == expected.shape
            assert np.abs(found - expected).max() <= LATENT_TOLERANCE, (prior, psi)
    learned = page.evaluate("async ([model, seeds]) => { const g = window.genimg; const zs = [];"
                            "  for (const s of seeds) zs.push(Array.from(await g.vaeLatentFromSeed(model, s, 0.7)));"
                            f"  return (await g.decodeMany(model, zs)).map({BASE64}); }}", [dataset, seeds[:16]])
    assert_close(as_uint8(learned), genimg.sample(vae, seeds[:16], psi=0.7, prior="learned"))


@pytest.mark.parametrize("dataset", DATASETS)
def test_directions_ride_with_the_gan_and_edit_as_python(page, models, dataset):
    gan, found = models[dataset]["gan"], models[dataset]["directions"]
    shipped = page.evaluate("async (model) => { const d = await window.genimg.directions(model);"
                            "  return {vectors: d.vectors.map((v) => Array.from(v)), share: d.varianceShare,"
                            "          labels: d.labels}; }", dataset)
    assert np.array_equal(np.asarray(shipped["vectors"], np.float32), found.vectors)
    assert shipped["labels"] == found.labels() and np.allclose(shipped["share"], found.variance_share)
    seeds, psi, offsets = [0, 1, 2, 3, 5, 8], 0.8, [1.5, -2.0, 0.5]
    edited = page.evaluate(
        "async ([model, seeds, psi, offsets]) => { const g = window.genimg; const d = await g.directions(model);"
        "  const zDim = d.vectors[0].length;"
        "  const scaled = (s) => Float32Array.from(g.latentFromSeed(s, zDim),"
        "                                          (v) => Math.fround(v) * Math.fround(psi));"
        "  const zs = seeds.map((s) => Array.from(g.editedLatent(scaled(s), offsets, d.vectors)));"
        "  const labels = seeds.map((s) => g.classFromSeed(model, s));"
        f"  return {{zs, images: (await g.generateFromLatents(model, zs, labels)).map({BASE64})}}; }}",
        [dataset, seeds, psi, offsets])
    expected = latents(seeds, gan.z_dim, psi, offsets, found.vectors)
    assert np.abs(np.asarray(edited["zs"]) - expected).max() <= LATENT_TOLERANCE
    assert np.abs(expected - latents(seeds, gan.z_dim, psi)).max() > 0.5  # the edit moved z: the bound is not trivial
    assert_close(as_uint8(edited["images"]), genimg.sample(gan, seeds, psi=psi, offsets=offsets,
                                                           directions=found.vectors))


INVERT = f"""async ([data]) => {{
  const g = window.genimg, tf = window.tf;
  const target = {{width: 28, height: 28, channels: 1, data: Uint8Array.from(data)}};
  await g.invert('mnist', target, {{steps: 0, seeds: 1}});  // the classifier's weights are in from here on
  const before = tf.memory().numTensors;
  const progress = [];
  const found = await g.invert('mnist', target, {{onStep: (s) => progress.push([s.step, s.mse, s.image.data.length])}});
  return {{...({BASE64})(found), z: Array.from(found.z), progress, leaked: tf.memory().numTensors - before}};
}}"""


def test_invert_comes_within_1_25x_of_genimg_invert_on_test_digits(page, models):
    gan, classifier = models["mnist"]["gan"], models["mnist"]["classifier"]
    for name in ("0_0.png", "3_0.png", "7_0.png"):  # real test-split digits (examples/mnist)
        with Image.open(REPO / "examples" / "mnist" / name) as image:
            target = np.asarray(image.convert("L"))[..., None]  # (28, 28, 1): taken as it is by both
        server = genimg.invert(gan, target, classifier=classifier)
        found = page.evaluate(INVERT, [target.ravel().tolist()])
        assert found["mse"] <= MSE_RATIO * server.mse, (name, found["mse"], server.mse)
        assert found["leaked"] == 0  # every tensor made by the inversion was disposed
        assert [p[0] for p in found["progress"]] == list(range(0, 101, 10)) and found["progress"][0][2] == 784
        assert found["progress"][-1][1] < found["progress"][0][1]  # Adam improved on the best start
        image = as_uint8([found])  # the generator's image at the z and class found, as the server draws it
        label = gan.class_names.index(found["label"])
        assert_close(image, genimg.sampling.generate(gan, np.float32([found["z"]]), [label]))
        mse = float(((image[0] / 255 - target / 255) ** 2).mean())
        assert abs(mse - found["mse"]) < 1e-9
