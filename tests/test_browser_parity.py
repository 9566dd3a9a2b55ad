"""window.genimg in headless Chromium, offline, against the Python face, on every committed model.

A minimal gr.Blocks serves the browser side (web_assets.setup: browser weights of checkpoints/{mnist,emoji}/
{gan,vae}, the vendored TensorFlow.js, genimg.js in the <head>); the page may reach only the local server.
Then: latentFromSeed == numpy RandomState(seed).randn to 1e-12; bad arguments reject with what is accepted;
decode (32 seeded latents per VAE) and generate (16 seeds, psi 1.0 and 0.7, label 'any' and a class name, per
GAN) equal genimg.decode / genimg.sample within 2 of 255 per pixel. One page load for the whole module.
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

import genimg

CHROMIUM = Path("/usr/bin/chromium")  # Debian's, as in test_e2e.py; Playwright never downloads a browser
pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
DATASETS = ("mnist", "emoji")
TOLERANCE = 2  # of 255, the parity bound
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def models():
    torch.set_num_threads(1)
    return {ds: {kind: genimg.load(REPO / "checkpoints" / ds / kind) for kind in ("gan", "vae")} for ds in DATASETS}


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
