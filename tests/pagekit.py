"""What the browser tests share: tiny seeded checkpoints for two models (a 28x28 grey "mnist" pair and a 64x64 RGB
"emoji" pair, so that a model switch changes every picture's size and colour), the app launched on them, and
Playwright helpers over Debian's Chromium (never a downloaded browser), with the page kept to the local server.
"""

from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

from genimg.checkpoints import save_model
from genimg.models import VAE, Generator

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 30_000
EMOJI_CLASSES = ["Smileys & Emotion", "Animals & Nature", "Food & Drink"]
HEIGHTS = {1366: 900, 390: 844}  # a classroom laptop and a phone

# Drives a Gradio 6 slider as a hand does: the native value setter, then an input event.
SET_SLIDER = """([selector, value]) => {
    const input = document.querySelector(selector);
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, String(value));
    input.dispatchEvent(new Event('input', {bubbles: true}));
}"""


def tiny_checkpoints(root: Path) -> Path:
    """tests/test_app.py's tiny "mnist" pair plus a tiny 64x64 RGB "emoji" GAN (3 classes) and VAE (z 6)."""
    from test_app import tiny_mnist_checkpoints  # noqa: PLC0415

    tiny_mnist_checkpoints(root)
    torch.manual_seed(1)
    card = {"dataset": "emoji", "command": "python -m genimg.train ... (tiny test model)", "epochs": 1,
            "history": [{"epoch": e, "loss_d": 1.4 - 0.02 * e, "loss_g": 0.8 + 0.01 * e, "d_real": 0.1,
                         "d_fake": -0.1} for e in range(1, 11)],
            "metrics": {"fid": 37.9, "kid": -0.2, "kid_std": 2.1, "floor": {"fid": 1.6, "kid": -3.0},
                        "num_samples": 10000, "precision": 0.84, "recall": 0.7}}
    save_model(Generator(z_dim=8, image_size=64, channels=3, width=8, num_classes=3, class_names=EMOJI_CLASSES,
                         class_prior=[1 / 3] * 3), root / "emoji" / "gan", card=card)
    save_model(VAE(z_dim=6, image_size=64, channels=3, width=8, hidden=16, likelihood="logistic",
                   class_names=EMOJI_CLASSES), root / "emoji" / "vae", card={"dataset": "emoji", "epochs": 1})
    save_file({"test_mu": torch.randn(30, 6), "test_logvar": torch.zeros(30, 6), "test_labels": torch.arange(30) % 3,
               "kl_per_dim": torch.tensor([0.5, 3.0, 0.01, 1.0, 2.0, 0.2])},
              root / "emoji" / "vae" / "latents.safetensors")
    return root


@contextmanager
def served_app(root: Path):
    """app.py's page on the checkpoints under root, on a free local port -> (app module, url)."""
    from test_app import import_app  # noqa: PLC0415

    app = import_app(root)
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
    try:
        yield app, url
    finally:
        app.demo.close()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str, query: str = "", width: int = 1366, locale: str = "en-US", dark: bool = False,
              block_runtime: bool = False, ready: bool = True):
    """A fresh page (its own context) that may reach only the local server -> (page, requests): every request
    to the app's API from then on (gradio_api/..., files excepted). block_runtime: the vendored TensorFlow.js and its
    wasm fail to load, as behind a filter that blocks WebAssembly (the small JS libraries still load). ready: wait
    for the page's runtime (or its failure)."""
    context = browser.new_context(viewport={"width": width, "height": HEIGHTS.get(width, 900)}, locale=locale,
                                  color_scheme="dark" if dark else "light", has_touch=width < 500,
                                  is_mobile=width < 500, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.page_errors = errors

    def route(route):
        if urlparse(route.request.url).hostname not in ("127.0.0.1", "localhost"):
            return route.abort()
        if block_runtime and "/vendor/tfjs" in route.request.url:
            return route.abort()
        return route.continue_()

    page.route("**/*", route)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/gradio_api/" in r.url and "file=" not in r.url else None)
    page.goto(url + (f"?{query}" if query else ""))
    page.wait_for_function("window.genimg && window.genimg.page")
    if ready:
        page.wait_for_function("window.genimg.status !== 'loading'")
    return page, requests


def wait_until(page, condition, seconds: float) -> bool:
    """Until condition() (a test-side check: requests seen, server calls made) holds or `seconds` pass -> whether it
    holds. The page keeps running meanwhile (page.wait_for_timeout), as it does not while Python sleeps."""
    for _ in range(int(seconds * 10)):
        if condition():
            return True
        page.wait_for_timeout(100)
    return bool(condition())


def wait_opening_request(page, requests) -> None:
    """Until the page's opening server call (Gradio's load event: queue/join, then queue/data) has gone out, so that
    a count of requests taken after it holds only what the test does. A busy machine can have the runtime ready
    (open_page's wait) before Gradio has connected."""
    if not wait_until(page, lambda: any("/gradio_api/queue/data" in url for url in requests), 20):
        raise AssertionError(f"the page's opening server call never went out: {requests}")


def state(page) -> dict:
    return page.evaluate("window.genimg.state()")


def view_state(page, elem_id: str) -> str | None:
    """The state a view's output was made for (its data-state), or None when it shows nothing."""
    return page.evaluate(f"(document.getElementById('{elem_id}') || {{dataset: {{}}}}).dataset.state || null")


def wait_view(page, elem_id: str, expected: str) -> None:
    page.wait_for_function("([id, want]) => (document.getElementById(id) || {dataset: {}}).dataset.state === want",
                           arg=[elem_id, expected])


def gallery_key(page) -> str:
    s = state(page)
    psi = int(s["psi"]) if float(s["psi"]).is_integer() else s["psi"]
    return f"{s['model']}|{s['seeds']}|{psi}|{s['class']}"


def set_slider(page, selector: str, value) -> None:
    page.evaluate(SET_SLIDER, [selector, value])


def choose_model(page, name: str) -> None:
    page.click("#model input")
    page.get_by_role("option", name=name).first.click()
    page.wait_for_function("want => window.genimg.state().model === want", arg=name)


def open_tab(page, tab: str) -> None:
    page.click(f"#tab-{tab}-button")
    page.wait_for_function(f"document.querySelector('#tab-{tab}-button').getAttribute('aria-selected') === 'true'")


def open_section(page, elem_id: str) -> None:
    """Opens the accordion around view `elem_id` (Gradio builds a closed accordion's contents when it opens) and waits
    for the view to be mounted: its module arrives later, and only then does it listen to the page's events."""
    page.evaluate("id => window.genimg.page.reveal(id)", elem_id)
    page.wait_for_selector(f"#{elem_id} .genimg-view", state="attached")


def canvases(page, selector: str) -> list[dict]:
    """Each canvas under selector: {width, height, grey: every pixel has r == g == b}."""
    return page.eval_on_selector_all(selector, """cs => cs.filter(c => c.width && c.height).map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let grey = true;
        for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) { grey = false; break; }
        return {width: c.width, height: c.height, grey};
    })""")


def pixels(page, selector: str) -> str:
    return page.eval_on_selector(selector, "canvas => canvas.toDataURL()")


def digit_png(path: Path) -> Path:
    """A dark '1' on light paper: what a student photographs or draws."""
    image = np.full((160, 120), 240, np.uint8)
    image[30:130, 55:70] = 20
    Image.fromarray(image).save(path)
    return path
