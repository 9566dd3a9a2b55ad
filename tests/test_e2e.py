"""The app in a real browser: headless Debian Chromium driven by Playwright (no browser download).

Starts app.py's demo on tiny seeded checkpoints ($GENIMG_CHECKPOINTS), opens every top-level tab, types seeds
and sees the gallery fill, drags a latent slider and sees the image change, uploads a file and sees the
reconstruction. A failing step leaves a screenshot and the page's HTML in test-artifacts/ (git-ignored).

Selectors use the components' elem_ids where app.py has them (#seeds, #gan-gallery, #vae-image,
#z-slider-K) and page structure elsewhere (tab order, the upload panel's file input, the PSNR text), so the
test does not depend on the UI language.
"""

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from test_app import import_app, tiny_mnist_checkpoints  # noqa: PLC0415

    app = import_app(tiny_mnist_checkpoints(tmp_path_factory.mktemp("checkpoints")))
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
    yield url
    app.demo.close()


@pytest.fixture(scope="module")
def page(app_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(app_url)
        yield page
        browser.close()


@contextmanager
def step(page, name: str):
    """On failure: a screenshot and the HTML of the page in test-artifacts/, then the error as it was."""
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=True)
        (ARTIFACTS / f"e2e-{name}.html").write_text(page.content())
        raise


def top_tabs(page):
    return page.locator("[role=tablist]").first.get_by_role("tab")


def open_tab(page, index: int) -> None:
    tab = top_tabs(page).nth(index)
    tab.click()
    page.wait_for_function("el => el.getAttribute('aria-selected') === 'true'", arg=tab.element_handle())


def gallery_captions(page) -> list[str]:
    return page.locator("#gan-gallery").inner_text().split()


def test_gan_tab_types_seeds_and_the_gallery_fills(page):
    with step(page, "gan-load"):
        page.wait_for_function("document.querySelectorAll('#gan-gallery img').length >= 16")  # demo.load: 0-15
    with step(page, "gan-seeds"):
        seeds = page.locator("#seeds textarea, #seeds input").first
        seeds.fill("5-7")
        seeds.press("Enter")
        page.wait_for_function("document.querySelectorAll('#gan-gallery img').length === 3")
        text = page.locator("#gan-gallery").inner_text()
        assert "5" in text and "7" in text, text


def test_every_top_level_tab_opens(page):
    with step(page, "tabs"):
        count = top_tabs(page).count()
        assert count >= 4
        for index in range(count):
            open_tab(page, index)
        open_tab(page, 0)


def test_vae_slider_changes_the_image(page):
    with step(page, "vae-slider"):
        open_tab(page, 1)
        page.wait_for_selector("#z-slider-0 input[type=range]", state="visible")
        page.wait_for_function("Number(document.getElementById('vae-image').dataset.frames || 0) > 0")  # at load
        before = page.eval_on_selector("#vae-image canvas", "canvas => canvas.toDataURL()")
        page.eval_on_selector("#z-slider-0 input[type=range]", """input => {
            const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
            set.call(input, '2.5');
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }""")
        page.wait_for_function("before => document.querySelector('#vae-image canvas').toDataURL() !== before",
                               arg=before)


def test_upload_shows_the_reconstruction(page, tmp_path):
    digit = np.full((160, 120), 240, np.uint8)
    digit[30:130, 55:70] = 20  # a dark '1' on light paper
    path = tmp_path / "one.png"
    Image.fromarray(digit).save(path)
    with step(page, "encode-upload"):
        open_tab(page, 2)
        panel = page.locator("[role=tabpanel]:visible").first
        assert "PSNR" not in page.inner_text("body")  # nothing encoded yet
        before = page.evaluate("document.querySelectorAll('[role=tabpanel] img').length")
        panel.locator("input[type=file]").first.set_input_files(str(path))
        page.wait_for_function("document.body.innerText.includes('PSNR')")  # the reconstruction's error line
        page.wait_for_function(f"document.querySelectorAll('[role=tabpanel] img').length >= {before + 3}")
