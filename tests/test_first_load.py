"""Opening the page (tests/pagekit.py): the first gallery comes with the page (no runtime, no weights, no server
call); the browser then fetches the runtime, the shown model's GAN and, after the first picture, its VAE decoder,
and nothing of another model until the page shows that model; a VAE appears when its tab needs it.

One app launch for the module (tiny "mnist" and "emoji" checkpoints); each visit is a fresh browser context (an
empty cache), its requests recorded from the first.
"""

from urllib.parse import urlparse

import pytest
from pagekit import TIMEOUT_MS, choose_model, open_tab, wait_until, wait_view

pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
FIRST_GALLERY = "mnist|0-15|1|any"


def visit(browser, url: str, query: str = "", block: tuple[str, ...] = ()):
    """A first visit -> (page, urls): every URL the page asked for, from the page itself on. block: URL parts whose
    requests fail (as behind a filter)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    urls, errors = [], []
    page.on("request", lambda request: urls.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.page_errors = errors

    def route(route):
        blocked = urlparse(route.request.url).hostname not in ("127.0.0.1", "localhost")
        return route.abort() if blocked or any(part in route.request.url for part in block) else route.continue_()

    page.route("**/*", route)
    page.goto(url + query)
    page.wait_for_function("window.genimg && window.genimg.page")
    return page, urls


def parts(page) -> dict[str, str]:
    """The folder of each browser-weights part the page can fetch -> "model/part" (gan, vae: its decoder, encoder,
    classifier), from the page's runtime config."""
    config = page.evaluate("JSON.parse(document.getElementById('genimg-config').textContent)")
    found = {}
    for entry in config["models"]:
        found[entry["manifest"]] = f"{entry['model']}/{entry['kind']}"
        for part in ("encoder", "classifier"):
            if entry.get(part):
                found[entry[part]] = f"{entry['model']}/{part}"
    return {url.rsplit("/", 1)[0]: name for url, name in found.items()}


def fetched(page, urls: list[str]) -> list[str]:
    """The weights parts among urls, each once, in the order first asked for."""
    folders = parts(page)
    named = [name for url in urls for folder, name in folders.items() if folder in url]
    return list(dict.fromkeys(named))


def wait_for_parts(page, urls: list[str], count: int, seconds: float = 30) -> list[str]:
    wait_until(page, lambda: len(fetched(page, urls)) >= count, seconds)
    return fetched(page, urls)


def test_a_plain_link_fetches_the_shown_gan_then_its_vae_decoder_and_no_other_model(browser, app_url):
    page, urls = visit(browser, app_url)
    try:
        wait_view(page, "gan-gallery", FIRST_GALLERY)
        page.wait_for_function("window.genimg.status === 'ready'")
        assert wait_for_parts(page, urls, 2) == ["mnist/gan", "mnist/vae"]  # the VAE decoder: the idle prefetch
        page.wait_for_timeout(2000)
        assert fetched(page, urls) == ["mnist/gan", "mnist/vae"]  # no encoder, no classifier, nothing of emoji
        assert not [url for url in urls if "/hls-" in url or "/Video-" in url]  # no video player code
        assert page.page_errors == []
    finally:
        page.close()


def test_a_link_to_another_model_fetches_that_model_alone(browser, app_url):
    page, urls = visit(browser, app_url, "?model=emoji")
    try:
        wait_view(page, "gan-gallery", "emoji|0-15|1|any")
        assert wait_for_parts(page, urls, 2) == ["emoji/gan", "emoji/vae"]
        page.wait_for_timeout(2000)
        assert fetched(page, urls) == ["emoji/gan", "emoji/vae"]
    finally:
        page.close()


def test_the_first_gallery_comes_with_the_page(browser, app_url):
    """With the runtime and every weights file blocked, and no server call, the opening gallery is drawn."""
    page, urls = visit(browser, app_url, block=("/vendor/tfjs", "weights.bin", "/gradio_api/call/"))
    try:
        wait_view(page, "gan-gallery", FIRST_GALLERY)
        assert page.locator("#gan-gallery canvas").count() == 16
        assert not [url for url in urls if "/gradio_api/call/" in url or "weights.bin" in url]
    finally:
        page.close()


def test_gradio_draws_with_what_the_page_announced(browser, app_url):
    """The page's HTML announces Gradio's modules (none is asked for that it did not announce, none twice) and
    brings its components' stylesheets (none is fetched), and they apply: Generate wears the theme's primary fill."""
    page, urls = visit(browser, app_url)
    try:
        wait_view(page, "gan-gallery", FIRST_GALLERY)
        gradio = [url for url in list(urls) if "/assets/" in url]  # until the first gallery
        announced = set(page.evaluate("[...document.querySelectorAll('link[rel=modulepreload]')].map((l) => l.href)"))
        inlined = page.evaluate("[...document.querySelectorAll('link[rel=stylesheet][disabled]')].map((l) => l.href)")
        assert len(inlined) > 20 and not set(inlined) & set(urls)
        assert len(gradio) == len(set(gradio))
        assert [url for url in gradio if url.endswith(".js") and url not in announced] == []
        fill, theme = page.evaluate("""() => {
            const probe = document.createElement('div');
            probe.style.background = 'var(--button-primary-background-fill)';
            document.querySelector('#generate').parentElement.append(probe);
            const theme = getComputedStyle(probe).backgroundColor;
            probe.remove();
            return [getComputedStyle(document.querySelector('#generate')).backgroundColor, theme];
        }""")
        assert fill == theme and fill != "rgba(0, 0, 0, 0)"
        assert page.page_errors == []
    finally:
        page.close()


def test_the_pictures_sent_with_the_page_are_the_browsers_own(browser, app_url):
    page, _ = visit(browser, app_url)
    try:
        page.wait_for_function("window.genimg.status === 'ready'")
        seeds = list(range(16))
        differences = page.evaluate("""async (seeds) => {
            const sent = await window.genimg.pictures('mnist', seeds, 1, 'any');
            const made = await window.genimg.generate('mnist', seeds, 1, 'any');
            return sent.map((picture, i) => {
                const other = made[i];
                if (picture.width !== other.width || picture.channels !== other.channels) return 255;
                return picture.data.reduce((most, v, k) => Math.max(most, Math.abs(v - other.data[k])), 0);
            });
        }""", seeds)
        assert len(differences) == 16 and max(differences) <= 2  # the server's pixels, as the parity tests bound
        assert page.evaluate("window.genimg.pictures('mnist', [0, 1], 1, 'any')") is None  # other seeds: none
        assert page.evaluate("window.genimg.pictures('mnist', " + str(seeds) + ", 0.5, 'any')") is None
    finally:
        page.close()


def test_another_models_vae_comes_when_its_tab_needs_it(browser, app_url):
    page, urls = visit(browser, app_url)
    try:
        wait_view(page, "gan-gallery", FIRST_GALLERY)
        wait_for_parts(page, urls, 2)
        choose_model(page, "emoji")
        wait_view(page, "gan-gallery", "emoji|0-15|1|any")
        page.wait_for_timeout(3000)  # time for any idle prefetch: there is none for a second model
        assert fetched(page, urls) == ["mnist/gan", "mnist/vae", "emoji/gan"]
        open_tab(page, "vae")
        page.wait_for_function("Number((document.getElementById('vae-image') || {dataset: {}}).dataset.frames) > 0")
        assert fetched(page, urls) == ["mnist/gan", "mnist/vae", "emoji/gan", "emoji/vae"]
    finally:
        page.close()
