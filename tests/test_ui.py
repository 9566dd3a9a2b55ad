"""The app as a first-time user meets it (issue "Classroom-ready UI"), in headless Debian Chromium via Playwright:
a model switch leaves no image of the old model; the sketchpad draws at once; buttons that cannot work yet say
why; the gallery fits its box at every size on a laptop (1366 px) and a phone (390 px); a zh-CN browser gets its
error toast and model card in Chinese, and a failure leaves the last good result in place without "Error" badges.

One app launch for the module, on tiny seeded checkpoints: an "mnist" pair (tests/test_app.py) and a 64x64 RGB
"emoji" pair, so that switching models changes the image size. Screenshots of every tab at both widths and in
both languages go to the test's tmp folder (printed at the end; CI keeps them as artifacts), never the repo.
"""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

from genimg.checkpoints import save_model
from genimg.models import VAE, Generator

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
TIMEOUT_MS = 30_000
WIDTHS = {1366: 900, 390: 844}  # a classroom laptop and a phone
TABS = ["gan", "vae", "encode", "card", "how"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
EMOJI_CLASSES = ["Smileys & Emotion", "Animals & Nature", "Food & Drink"]


def tiny_checkpoints(root: Path) -> Path:
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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from test_app import import_app  # noqa: PLC0415

    app = import_app(tiny_checkpoints(tmp_path_factory.mktemp("checkpoints")))
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
    yield url
    app.demo.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


def open_page(browser, url: str, width: int = 1366, locale: str = "en-US"):
    """A fresh page (its own session) at that width and language, with the first gallery drawn."""
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_function("document.querySelectorAll('#gan-gallery img').length >= 16")
    return page


def open_tab(page, tab: str) -> None:
    page.click(f"#tab-{tab}-button")
    page.wait_for_function(f"document.querySelector('#tab-{tab}-button').getAttribute('aria-selected') === 'true'")


def gallery_sources(page) -> list[str]:
    return page.eval_on_selector_all("#gan-gallery img", "imgs => imgs.map(img => img.src)")


def toast_text(page) -> str:
    page.wait_for_selector(".toast-body", state="visible")
    return " ".join(page.locator(".toast-body").all_inner_texts())


def close_toasts(page) -> None:
    for button in page.locator(".toast-close").all():
        button.click()


def visible_error_badges(page) -> int:
    """Gradio's red "Error" badges over outputs that are on screen."""
    return page.evaluate("""() => [...document.querySelectorAll('.block > .wrap span.error')]
        .filter(badge => badge.offsetParent !== null).length""")


def choose_model(page, name: str) -> None:
    page.click("#model input")
    page.get_by_role("option", name=name).first.click()


def upload_digit(page, path: Path) -> None:
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.wait_for_function("document.querySelector('#encode-error-text').innerText.includes('PSNR')")


@pytest.fixture
def digit(tmp_path) -> Path:
    image = np.full((160, 120), 240, np.uint8)
    image[30:130, 55:70] = 20  # a dark '1' on light paper
    path = tmp_path / "one.png"
    Image.fromarray(image).save(path)
    return path


def test_a_model_switch_leaves_no_image_of_the_old_model(browser, app_url, digit):
    page = open_page(browser, app_url)
    try:
        old = set(gallery_sources(page))
        page.click("#interpolate")
        page.wait_for_selector("#gan-gif img")
        open_tab(page, "vae")
        page.locator("#tab-vae .label-wrap", has_text=re.compile("Traversal")).click()
        page.get_by_role("button", name="Draw traversal").click()
        page.wait_for_selector("#vae-traversal img")
        open_tab(page, "encode")
        upload_digit(page, digit)
        assert page.is_visible("#encode-examples-mnist") and not page.is_visible("#encode-examples-emoji")
        choose_model(page, "emoji")
        # the encode results, the traversal and the GIF of mnist: gone; the examples on show are emoji's
        page.wait_for_function("!document.querySelector('#encode-error-text').innerText.includes('PSNR')")
        assert page.locator("#recon img").count() == 0 and page.locator("#model-input img").count() == 0
        assert page.is_visible("#encode-examples-emoji") and not page.is_visible("#encode-examples-mnist")
        assert page.locator("#vae-traversal img").count() == 0 and page.locator("#gan-gif img").count() == 0
        # the gallery is drawn again by the emoji GAN with the same seeds (64 px images, upscaled to 128)
        open_tab(page, "gan")
        page.wait_for_function("""old => {
            const imgs = [...document.querySelectorAll('#gan-gallery img')];
            return imgs.length === 16 && imgs.every(img => !old.includes(img.src) && img.naturalWidth === 128);
        }""", arg=sorted(old))
        assert page.is_visible("#gan-examples-emoji") and not page.is_visible("#gan-examples-mnist")
    finally:
        page.context.close()


def test_the_sketchpad_draws_straight_away(browser, app_url):
    page = open_page(browser, app_url)
    try:
        open_tab(page, "encode")
        page.click("#draw-tab-button")
        canvas = page.locator("#sketch canvas").first
        canvas.wait_for(state="visible")
        page.wait_for_timeout(1500)  # the editor starts its canvas, then the brush is picked
        box = canvas.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.25
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 16):  # a straight downward stroke: a '1'
            page.mouse.move(x, y + step * box["height"] * 0.035)
        page.mouse.up()
        assert "select the draw tool" not in page.locator("#sketch").inner_text()
        page.click("#encode-sketch")
        page.wait_for_function("document.querySelector('#encode-error-text').innerText.includes('PSNR')")
        assert page.locator("#recon img").count() == 1
    finally:
        page.context.close()


def test_buttons_that_cannot_work_yet_say_why(browser, app_url):
    page = open_page(browser, app_url)
    try:
        open_tab(page, "vae")
        page.get_by_role("button", name="from upload").click()
        assert "nothing encoded yet" in toast_text(page)
        close_toasts(page)
        open_tab(page, "encode")
        page.click("#edit-in-sliders")
        assert "nothing encoded yet" in toast_text(page)
        close_toasts(page)
        page.click("#encode-upload")
        assert "no image" in toast_text(page)
        assert visible_error_badges(page) == 0
    finally:
        page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_gallery_fits_its_box_at_every_size(browser, app_url, width):
    page = open_page(browser, app_url, width)
    try:
        seeds = page.locator("#seeds textarea, #seeds input").first
        seeds.fill("0-63")
        seeds.press("Enter")
        page.wait_for_function("document.querySelectorAll('#gan-gallery img').length === 64")
        columns = {}
        for size in ("small", "medium", "large"):
            page.locator(f"#gan-size input[value='{size}']").check()
            page.wait_for_function(f"document.querySelector('#gan-gallery').classList.contains('size-{size}')")
            fit = page.evaluate("""() => {
                const gallery = document.querySelector('#gan-gallery');
                const grid = gallery.querySelector('.grid-container'), wrap = gallery.querySelector('.grid-wrap');
                const tops = new Set([...grid.querySelectorAll('.gallery-item')].map(item => item.offsetTop));
                return {grid: [grid.scrollWidth, grid.clientWidth], box: [gallery.scrollWidth, gallery.clientWidth],
                        wrap: [wrap.scrollHeight, wrap.clientHeight], rows: tops.size};
            }""")
            assert fit["grid"][0] <= fit["grid"][1] + 1 and fit["box"][0] <= fit["box"][1] + 1, (size, fit)
            assert fit["wrap"][0] <= fit["wrap"][1] + 1, (size, fit)  # no scrolling inside: the gallery grows
            columns[size] = -(-64 // fit["rows"])
        assert columns["small"] > columns["medium"] > columns["large"], columns  # the size control does something
    finally:
        page.context.close()


def test_chinese_errors_keep_the_last_good_result_and_the_card_is_chinese(browser, app_url):
    page = open_page(browser, app_url, locale="zh-CN")
    try:
        before = gallery_sources(page)
        assert all("种子" in caption for caption in page.locator("#gan-gallery .caption-label").all_inner_texts())
        seeds = page.locator("#seeds textarea, #seeds input").first
        seeds.fill("seven")
        seeds.press("Enter")
        message = toast_text(page)
        assert CHINESE.search(message) and "seven" in message, message
        title = page.evaluate("""() => getComputedStyle(document.querySelector('.toast-title.error'), '::before')
            .content""")
        assert CHINESE.search(title), title  # Gradio titles toasts "Error"; the page's CSS says it in Chinese
        page.wait_for_timeout(500)
        assert gallery_sources(page) == before and visible_error_badges(page) == 0
        close_toasts(page)
        open_tab(page, "card")
        choose_model(page, "emoji")  # the tiny emoji GAN's card has metrics
        page.wait_for_function("document.querySelector('#card-gan').innerText.includes('FID')")
        card = page.locator("#card-gan").inner_text()
        assert "数值及其含义" in card and "越低越好" in card, card
        assert not re.search(r"(^|\s)/(work|home|root|tmp)/", card)
    finally:
        page.context.close()


def test_screenshots_of_every_tab(browser, app_url, tmp_path_factory):
    """Every tab at both widths in both languages, for a person to look at (CI keeps the folder)."""
    folder = tmp_path_factory.mktemp("screenshots")
    for locale in ("en-US", "zh-CN"):
        for width in WIDTHS:
            page = open_page(browser, app_url, width, locale)
            try:
                for tab in TABS:
                    open_tab(page, tab)
                    page.wait_for_timeout(800)
                    page.screenshot(path=str(folder / f"{locale}-{width}-{tab}.png"), full_page=True)
            finally:
                page.context.close()
    shots = sorted(folder.glob("*.png"))
    assert len(shots) == 2 * len(WIDTHS) * len(TABS)
    print(f"\nscreenshots: {folder}")
