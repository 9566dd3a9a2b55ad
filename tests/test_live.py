"""Live in the browser (tests/pagekit.py): while a hand moves a control the page draws in the browser and sends the
server nothing; Generate, Encode and Find in the GAN send nothing either; with the runtime's files blocked the page
says so once and every button still works, through the server.

One app launch for the module (tiny "mnist" and "emoji" checkpoints); one page per scenario.
"""

import io
import zipfile

import pytest
from pagekit import (
    choose_model,
    digit_png,
    open_page,
    open_section,
    open_tab,
    pixels,
    set_slider,
    state,
    view_state,
    wait_opening_request,
    wait_view,
)

from genimg import recipes

pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
STEPS = 30


@pytest.fixture(scope="module")
def live(browser, app_url):
    page, requests = open_page(browser, app_url)
    assert page.evaluate("window.genimg.status") == "ready"
    wait_view(page, "gan-gallery", "mnist|0-15|1|any")
    wait_opening_request(page, requests)  # later requests are the tests' own
    yield page, requests
    page.close()


def frames(page, elem_id: str) -> int:
    return page.evaluate(f"Number(document.getElementById('{elem_id}').dataset.frames || 0)")


def test_vae_slider_drag_draws_in_the_browser_with_no_request(live):
    page, requests = live
    open_tab(page, "vae")
    page.wait_for_function("Number((document.getElementById('vae-image') || {dataset: {}}).dataset.frames) > 0")
    before, seen = len(requests), [pixels(page, "#vae-image canvas")]
    for step in range(STEPS):
        drawn = frames(page, "vae-image")
        set_slider(page, "#z-slider-0 input[type=range]", round(-3 + 0.2 * step, 2))
        page.wait_for_function("n => Number(document.getElementById('vae-image').dataset.frames) > n", arg=drawn)
        seen.append(pixels(page, "#vae-image canvas"))
    assert requests[before:] == []
    assert len(seen) == STEPS + 1 and all(a != b for a, b in zip(seen, seen[1:]))  # a new picture at every step


def test_latent_pad_click_and_keys_move_two_sliders_and_the_picture(live):
    page, requests = live
    open_tab(page, "vae")
    open_section(page, "vae-pad")
    page.wait_for_function("document.getElementById('vae-pad').dataset.state")
    before, picture = len(requests), pixels(page, "#vae-image canvas")
    pad = page.locator("#vae-pad canvas")
    box = pad.bounding_box()  # its size; the click waits until the section's smooth scroll has stopped moving it
    pad.click(position={"x": 0.9 * box["width"], "y": 0.1 * box["height"]})  # x near +3, y near -3
    page.wait_for_function("p => document.querySelector('#vae-image canvas').toDataURL() !== p", arg=picture)
    values = page.evaluate("() => [0, 1, 2, 3].map(k => Number(document.querySelector("
                           "`#z-slider-${k} input[type=range]`).value))")
    assert sorted(round(v, 1) for v in values if abs(v) > 2) == [-2.4, 2.4], values  # the sliders follow
    x = state(page)["z"][page.evaluate("window.genimg.page.settings.dims[0]")]
    page.locator("#vae-pad canvas").press("ArrowLeft")  # the pad works from the keyboard: a tenth a press
    page.wait_for_function("([d, x]) => Math.abs(window.genimg.state().z[d] - (x - 0.1)) < 1e-9",
                           arg=[page.evaluate("window.genimg.page.settings.dims[0]"), x])
    assert requests[before:] == []


def test_psi_drag_redraws_the_gallery_in_the_browser_with_no_request(live):
    page, requests = live
    open_tab(page, "gan")
    before, seen = len(requests), []
    for step in range(STEPS):
        psi = round(0.5 + 0.05 * step, 2)
        set_slider(page, "#psi input[type=range]", psi)
        wait_view(page, "gan-gallery", f"mnist|0-15|{psi:g}|any")
        seen.append(pixels(page, "#gan-gallery figure:nth-child(2) canvas"))
    assert requests[before:] == []
    assert len(set(seen)) == STEPS
    assert "psi=1.95" in page.url  # the link follows


def test_interpolation_scrubber_draws_frames_in_the_browser(live):
    page, requests = live
    open_tab(page, "gan")
    before, seen = len(requests), []
    for t in (0.25, 0.5, 1.0):
        drawn = frames(page, "interp-live")
        set_slider(page, "#interp-t input[type=range]", t)
        page.wait_for_function("n => Number(document.getElementById('interp-live').dataset.frames) > n", arg=drawn)
        seen.append(pixels(page, "#interp-live canvas"))
    assert requests[before:] == [] and len(set(seen)) == 3


def test_generate_encode_and_find_send_no_request(live, tmp_path):
    page, requests = live
    open_tab(page, "gan")
    before = len(requests)
    page.fill("#seeds textarea", "20-35")
    page.click("#generate")
    wait_view(page, "gan-gallery", state(page)["seeds"] and f"mnist|20-35|{state(page)['psi']:g}|any")
    with page.expect_download() as download:  # the ZIP is made in the browser
        page.click("#gan-gallery button:has-text('ZIP')")
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as archive:
        assert len(archive.namelist()) == 16 and recipes.read(archive.read("seed0027.png"))["seeds"] == [27]
    page.click("#interp-live button:has-text('Interpolate')")  # the GIF too
    page.wait_for_selector("#interp-live img.genimg-gif")
    digit = digit_png(tmp_path / "one.png")
    open_section(page, "gan-invert")
    page.locator("#invert-file").set_input_files(str(digit))
    page.evaluate("document.getElementById('invert').click()")  # at once: the file may still be being read
    page.wait_for_function("document.getElementById('gan-invert').dataset.state === 'mnist'", timeout=60_000)
    open_tab(page, "encode")
    page.locator("#encode-file").set_input_files(str(digit))
    page.evaluate("document.getElementById('encode-button').click()")  # at once, as above
    page.wait_for_function("document.getElementById('encode-view').dataset.state === 'mnist'")
    assert "PSNR" in page.inner_text("#encode-error-text")
    assert requests[before:] == []  # a class of 60 pressing these costs the server nothing
    open_tab(page, "gan")


def test_without_the_runtime_the_page_says_so_and_every_button_works_through_the_server(browser, app_url, tmp_path):
    page, requests = open_page(browser, app_url, block_runtime=True)
    try:
        assert page.evaluate("window.genimg.status") == "failed"
        page.wait_for_selector("[data-notice=runtime]")
        assert "WebAssembly" in page.inner_text("#genimg-notice") and page.locator(".genimg-notice").count() == 1
        wait_view(page, "gan-gallery", "mnist|0-15|1|any")  # the first gallery came with the page (server-made)
        assert page.locator("#gan-gallery canvas").count() == 16
        before = len(requests)
        page.fill("#seeds textarea", "3-4")
        page.click("#generate")
        wait_view(page, "gan-gallery", "mnist|3-4|1|any")
        assert any("/call/sample" in url for url in requests[before:])
        with page.expect_download() as download:
            page.click("#gan-gallery button:has-text('ZIP')")
        assert download.value.suggested_filename.endswith(".zip")
        page.click("#interp-live button:has-text('Interpolate')")
        page.wait_for_selector("#interp-live img.genimg-gif")
        open_tab(page, "vae")
        page.wait_for_function("Number((document.getElementById('vae-image') || {dataset: {}}).dataset.frames) > 0")
        for value in (2.5, -2.5):
            picture = pixels(page, "#vae-image canvas")
            set_slider(page, "#z-slider-0 input[type=range]", value)
            page.wait_for_function("p => document.querySelector('#vae-image canvas').toDataURL() !== p", arg=picture)
        assert any("/call/slide" in url for url in requests)
        page.click("#vae-random")
        page.wait_for_function("window.genimg.state().z.some(v => v !== 0 && Math.abs(v) !== 2.5)")
        digit = digit_png(tmp_path / "one.png")
        open_tab(page, "encode")
        page.locator("#encode-file").set_input_files(str(digit))
        page.click("#encode-button")
        page.wait_for_function("document.getElementById('encode-view').dataset.state === 'mnist'")
        open_tab(page, "gan")
        open_section(page, "gan-invert")
        page.locator("#invert-file").set_input_files(str(digit))
        page.click("#invert")
        page.wait_for_function("document.getElementById('gan-invert').dataset.state === 'mnist'", timeout=60_000)
        open_section(page, "gan-directions")
        page.wait_for_function("document.getElementById('gan-directions').dataset.state")
        choose_model(page, "emoji")
        wait_view(page, "gan-gallery", "emoji|3-4|1|any")
        assert view_state(page, "vae-image") in (None, "emoji|0,0,0,0,0,0")
        assert page.page_errors == []
    finally:
        page.close()
