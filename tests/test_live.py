"""Live in the browser: app.py's page in headless Chromium, offline, on tiny seeded checkpoints.

While the in-browser runtime is live, dragging a VAE slider or psi sends no request to the server and the picture
changes at every step; with the runtime's files blocked (page.route(...).abort()) the page says so once and the
slider still changes the picture, through the server. Also the latent pad and the interpolation scrubber.
One app launch for the module; one page per scenario.
"""

from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
TIMEOUT_MS = 30_000
STEPS = 30

# Drives a Gradio 6 slider as a hand does: the native value setter, then an input event.
SET_SLIDER = """([selector, value]) => {
    const input = document.querySelector(selector);
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, String(value));
    input.dispatchEvent(new Event('input', {bubbles: true}));
}"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from test_app import import_app, tiny_mnist_checkpoints  # noqa: PLC0415

    app = import_app(tiny_mnist_checkpoints(tmp_path_factory.mktemp("checkpoints")))
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


def open_page(browser, url: str, block_runtime: bool = False):
    """A page of the app that may reach only the local server; block_runtime: the vendored runtime's files fail.
    Returns (page, requests): every request the page sends from now on, as URLs."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)

    def route(route):
        if urlparse(route.request.url).hostname not in ("127.0.0.1", "localhost"):
            return route.abort()
        if block_runtime and "/vendor/" in route.request.url:
            return route.abort()
        return route.continue_()

    page.route("**/*", route)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    return page, requests


def open_tab(page, elem_id: str) -> None:
    page.locator("[role=tablist]").first.get_by_role("tab").nth(0 if elem_id == "tab-gan" else 1).click()
    page.wait_for_selector(f"#{elem_id}", state="visible")


@pytest.fixture(scope="module")
def live_page(browser, app_url):
    page, requests = open_page(browser, app_url)
    page.wait_for_function("window.genimg && window.genimg.status === 'ready' && window.genimgLive")
    page.evaluate("window.genimgLive.warmed")  # both tiny networks fetched and run once, at page load
    yield page, requests
    page.close()


def vae_frames(page) -> int:
    """How many pictures #vae-image's canvas has shown (live.js and the server's hook count them)."""
    return page.evaluate("() => Number(document.getElementById('vae-image').dataset.frames || 0)")


def vae_pixels(page) -> str:
    return page.eval_on_selector("#vae-image canvas", "canvas => canvas.toDataURL()")


def wait_for_vae_picture(page, after: int) -> None:
    page.wait_for_function("n => Number(document.getElementById('vae-image').dataset.frames || 0) > n", arg=after)


def test_vae_slider_drag_draws_in_the_browser_with_no_request(live_page):
    page, requests = live_page
    open_tab(page, "tab-vae")
    wait_for_vae_picture(page, 0)  # the server's, at load
    page.wait_for_timeout(300)  # let the page's load events finish
    before, seen = len(requests), [vae_pixels(page)]
    for step in range(STEPS):
        frames = vae_frames(page)
        page.evaluate(SET_SLIDER, ["#z-slider-0 input[type=range]", round(-3 + 0.2 * step, 2)])
        wait_for_vae_picture(page, frames)
        seen.append(vae_pixels(page))
    assert requests[before:] == []
    assert len(seen) == STEPS + 1 and all(a != b for a, b in zip(seen, seen[1:]))  # a new picture at every step


def test_latent_pad_click_moves_two_sliders_and_the_picture(live_page):
    page, requests = live_page
    open_tab(page, "tab-vae")
    page.get_by_text("2-D latent map").click()
    page.locator("#tab-vae button", has_text="Draw map").click()
    page.wait_for_selector("#vae-pad canvas", state="visible")
    before, frames = vae_pixels(page), vae_frames(page)
    page.locator("#vae-pad canvas").scroll_into_view_if_needed()
    box = page.locator("#vae-pad canvas").bounding_box()
    page.mouse.click(box["x"] + 0.9 * box["width"], box["y"] + 0.1 * box["height"])  # x near +3, y near -3
    wait_for_vae_picture(page, frames)
    assert vae_pixels(page) != before
    values = page.evaluate("() => [0, 1, 2, 3].map(k => Number(document.querySelector("
                           "`#z-slider-${k} input[type=range]`).value))")
    assert sum(abs(v) > 2 for v in values) == 2, values  # the two map dimensions, at about +2.4 and -2.4


def canvas_data(page, selector: str) -> str:
    return page.eval_on_selector(selector, "canvas => canvas.toDataURL()")


def test_psi_drag_redraws_the_seeds_in_the_browser_with_no_request(live_page):
    page, requests = live_page
    open_tab(page, "tab-gan")
    page.wait_for_function("document.querySelectorAll('#gan-gallery img').length >= 16")  # the server's, at load
    page.wait_for_timeout(300)
    before, seen = len(requests), []
    for step in range(STEPS):
        page.evaluate(SET_SLIDER, ["#tab-gan input[type=range]", round(0.5 + 0.05 * step, 2)])  # psi: first slider
        page.wait_for_function("""([selector, previous]) => {
            const canvas = document.querySelector(selector);
            return canvas.width > 0 && canvas.toDataURL() !== previous;
        }""", arg=["#gan-live canvas", seen[-1] if seen else ""])
        seen.append(canvas_data(page, "#gan-live canvas"))
    assert requests[before:] == []
    assert len(set(seen)) == STEPS
    assert page.is_visible("#gan-live") and "psi 1.95" in page.inner_text("#gan-live")


def test_interpolation_scrubber_draws_frames_in_the_browser(live_page):
    page, requests = live_page
    open_tab(page, "tab-gan")
    before, seen = len(requests), []
    for t in (0.0, 0.5, 1.0):
        page.evaluate(SET_SLIDER, ["#interp-t input[type=range]", t])
        page.wait_for_function("""([selector, previous]) => {
            const canvas = document.querySelector(selector);
            return canvas.width > 0 && canvas.toDataURL() !== previous;
        }""", arg=["#interp-live canvas", seen[-1] if seen else ""])
        seen.append(canvas_data(page, "#interp-live canvas"))
    assert requests[before:] == [] and len(set(seen)) == 3


def test_without_the_runtime_the_page_says_so_and_the_server_draws(browser, app_url):
    page, requests = open_page(browser, app_url, block_runtime=True)
    try:
        page.wait_for_function("window.genimg && window.genimg.status === 'failed'")
        page.wait_for_selector("#genimg-notice .genimg-notice", state="visible")
        assert "WebAssembly" in page.inner_text("#genimg-notice")  # English: the browser's language
        assert page.locator(".genimg-notice:visible").count() == 1  # said once
        open_tab(page, "tab-vae")
        wait_for_vae_picture(page, 0)
        for value in (2.5, -2.5):
            before, pixels, frames = len(requests), vae_pixels(page), vae_frames(page)
            page.evaluate(SET_SLIDER, ["#z-slider-0 input[type=range]", value])
            wait_for_vae_picture(page, frames)
            assert vae_pixels(page) != pixels
            assert page.eval_on_selector("#vae-image-server img", "img => img.src").find("data:") != 0  # a file
            assert any("/gradio_api/" in url for url in requests[before:])
        assert not page.is_visible("#gan-live")
    finally:
        page.close()
