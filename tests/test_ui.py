"""The page as a first-time user meets it, in headless Debian Chromium (tests/pagekit.py): a drawing encodes straight
away; buttons that cannot work yet say why, once; the gallery fits its box at every size on a laptop (1366 px) and a
phone (390 px); a zh-CN browser gets its captions, its server errors and the model card in Chinese. (Screenshots of
every tab for a person to look at: `python tests/screenshots.py OUT`.)

One app launch for the module, on tiny seeded checkpoints (an "mnist" pair and a 64x64 RGB "emoji" pair).
"""

import re

import pytest
from pagekit import HEIGHTS, choose_model, open_page, open_tab, wait_opening_request, wait_view

pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def notices(page) -> list[str]:
    return page.locator(".genimg-notice").all_inner_texts()


def test_a_drawing_encodes_straight_away(browser, app_url):
    page, requests = open_page(browser, app_url)
    open_tab(page, "encode")
    page.get_by_role("tab", name="draw").click()
    canvas = page.locator("#encode-draw")
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.25
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 16):  # a straight downward stroke: a '1'
        page.mouse.move(x, y + step * box["height"] * 0.035)
    page.mouse.up()
    wait_opening_request(page, requests)
    before = len(requests)
    page.click("#encode-button")
    page.wait_for_function("document.getElementById('encode-view').dataset.state === 'mnist'")
    assert "PSNR" in page.inner_text("#encode-error-text") and requests[before:] == []


def test_buttons_that_cannot_work_yet_say_why(browser, app_url):
    page, _ = open_page(browser, app_url)
    open_tab(page, "vae")
    page.click("#vae-from-upload")
    page.wait_for_selector("[data-notice=input]")
    assert ["nothing encoded yet" in text for text in notices(page)] == [True]
    open_tab(page, "encode")
    page.click("#encode-button")  # nothing given yet: said beside the button
    assert "no image" in page.inner_text("#encode-view .genimg-message")
    assert page.locator(".toast-body").count() == 0  # the page says it; no server error toast


@pytest.mark.parametrize("width", list(HEIGHTS))
def test_the_gallery_fits_its_box_at_every_size(browser, app_url, width):
    page, _ = open_page(browser, app_url, "seeds=0-63", width=width)
    wait_view(page, "gan-gallery", "mnist|0-63|1|any")
    columns = {}
    for size in ("small", "medium", "large"):
        choice = page.locator(f"#gan-size input[value='{size}']")
        choice.evaluate("input => input.scrollIntoView({block: 'end'})")  # below a phone's sticky gallery (a thumb)
        choice.check()
        page.wait_for_function(f"document.getElementById('gan-gallery').dataset.size === '{size}'")
        fit = page.evaluate("""() => {
            const gallery = document.getElementById('gan-gallery'), grid = gallery.querySelector('.genimg-grid');
            const tops = new Set([...grid.children].map(item => item.offsetTop));
            return {grid: [grid.scrollWidth, grid.clientWidth], box: [gallery.scrollWidth, gallery.clientWidth],
                    page: [document.documentElement.scrollWidth, window.innerWidth], rows: tops.size};
        }""")
        assert fit["grid"][0] <= fit["grid"][1] + 1 and fit["box"][0] <= fit["box"][1] + 1, (size, fit)
        assert fit["page"][0] <= fit["page"][1] + 1, (size, fit)  # nothing scrolls sideways
        columns[size] = -(-64 // fit["rows"])
    assert columns["small"] > columns["medium"] > columns["large"], columns  # the size control does something


def test_chinese_captions_errors_and_card(browser, app_url):
    page, _ = open_page(browser, app_url, locale="zh-CN")
    wait_view(page, "gan-gallery", "mnist|0-15|1|any")
    assert all("种子" in caption for caption in page.locator("#gan-gallery figcaption").all_inner_texts())
    open_tab(page, "how")  # a server error, in the page's language, titled in it too
    page.fill("#tab-how input[type=number]", "-1")
    page.locator("#tab-how input[type=number]").press("Enter")
    page.wait_for_selector(".toast-body", state="visible")
    message = " ".join(page.locator(".toast-body").all_inner_texts())
    assert CHINESE.search(message), message
    title = page.evaluate("getComputedStyle(document.querySelector('.toast-title.error'), '::before').content")
    assert CHINESE.search(title), title  # Gradio titles toasts "Error"; the page's CSS says it in Chinese
    open_tab(page, "card")
    choose_model(page, "emoji")  # the tiny emoji GAN's card has metrics
    page.wait_for_function("document.querySelector('#card-gan').innerText.includes('FID')")
    card = page.locator("#card-gan").inner_text()
    assert "数值及其含义" in card and "越低越好" in card, card
    assert not re.search(r"(^|\s)/(work|home|root|tmp)/", card)
