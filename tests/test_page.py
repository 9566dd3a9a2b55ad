"""One page state, in headless Chromium (tests/pagekit.py): every output on every tab belongs to the current state
after each way the state changes (a model switch both ways, random seeds, an example row); a link reopens the same
view, pixel for pixel; bad link values fall back with one notice; the language switch; one message per failure,
in the page's language.

One app launch for the module, on tiny "mnist" (28x28 grey) and "emoji" (64x64 RGB) checkpoints.
"""

import io
import re
import sys
import time
import zipfile

import pytest
from pagekit import (
    canvases,
    choose_model,
    digit_png,
    gallery_key,
    open_page,
    open_section,
    open_tab,
    pixels,
    set_slider,
    state,
    view_state,
    wait_opening_request,
    wait_until,
    wait_view,
)

from genimg import recipes

pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SIDES = {"mnist": (28, False), "emoji": (64, True)}  # image side, colour


def z_text(z) -> str:
    return ",".join(str(v) for v in z)


def expected_states(page) -> dict:
    """What each view's data-state must be (or start with) for the current state."""
    s = state(page)
    z, psi = f"{s['model']}|{z_text(s['z'])}", gallery_key(page).split("|")[2]
    return {"gan-gallery": (gallery_key(page), True), "vae-image": (z, True), "vae-traversal": (z, True),
            "vae-pad": (z + "|", False), "gan-directions": (f"{s['model']}|{psi}|{s['class']}|", False),
            "gan-nearest": (f"{s['model']}|{psi}|{s['class']}|", False),
            "gan-invert": (s["model"], True), "encode-view": (s["model"], True)}


def assert_every_output_belongs(page) -> None:
    """Every view shows the current state's output or nothing; every picture has the model's size and colour."""
    s = state(page)
    for elem_id, (want, exact) in expected_states(page).items():
        shown = view_state(page, elem_id)
        if shown is not None:
            assert (shown == want) if exact else shown.startswith(want), (elem_id, shown, want)
    outputs = page.evaluate("(document.getElementById('interp-live') || {dataset: {}}).dataset.outputs || null")
    if outputs is not None:  # the GIF or MP4: of this model, seeds, psi and class
        assert outputs.startswith(f"{s['model']}|{s['a']}|{s['b']}|"), outputs
    side, colour = SIDES[s["model"]]
    pictures = ["#gan-gallery canvas", "#interp-live .genimg-frame canvas", "#gan-directions canvas.genimg-picture",
                "#vae-image canvas", "#vae-traversal canvas", "#model-input", "#recon",
                "#gan-invert canvas.genimg-picture"]
    for selector in pictures:
        for picture in canvases(page, selector):
            assert picture["grey"] != colour, (selector, picture, s["model"])
            assert picture["width"] % side == 0 or selector == "#vae-traversal canvas", (selector, picture, side)
    if page.locator("#gan-gallery canvas").count():
        assert canvases(page, "#gan-gallery canvas")[0]["width"] == side * max(1, 128 // side)


def download_zip(page) -> zipfile.ZipFile:
    with page.expect_download() as download:
        page.click("#gan-gallery button:has-text('ZIP')")
    return zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))


def assert_zip_holds_the_gallery(page) -> None:
    s = state(page)
    seeds = [int(f.split("-")[0]) for f in s["seeds"].split(",")]  # the first seed of each run
    with download_zip(page) as archive:
        names = archive.namelist()
        assert len(names) == len(page.locator("#gan-gallery figure").all())
        for seed in seeds:
            recipe = recipes.read(archive.read(f"seed{seed:04d}.png"))
            assert recipe["seeds"] == [seed] and recipe["model"] == s["model"] and recipe["label"] == s["class"]


def fill_every_output(page, digit) -> None:
    """Make every tab show something: gallery, frame, GIF, nearest images, edit, inversion, VAE picture,
    traversal, pad, chart, encoding."""
    page.click("#interp-live button:has-text('Interpolate')")
    page.wait_for_function("document.getElementById('interp-live').dataset.outputs")
    open_section(page, "gan-nearest")
    page.locator("#gan-gallery figure").nth(1).click()
    page.wait_for_function("document.getElementById('gan-nearest').dataset.state")
    open_section(page, "gan-directions")
    page.wait_for_function("document.getElementById('gan-directions').dataset.state")
    open_section(page, "gan-invert")
    page.locator("#invert-file").set_input_files(str(digit))
    page.click("#invert")
    page.wait_for_function("document.getElementById('gan-invert').dataset.state", timeout=60_000)
    open_tab(page, "vae")
    set_slider(page, "#z-slider-0 input[type=range]", 1.5)
    open_section(page, "vae-traversal")
    open_section(page, "vae-pad")
    page.wait_for_function("document.getElementById('vae-traversal').dataset.state && "
                           "document.getElementById('vae-pad').dataset.state")
    page.click("#draw-map")
    open_tab(page, "encode")
    page.locator(".genimg-example").first.click()
    page.wait_for_function("document.getElementById('encode-view').dataset.state")
    open_tab(page, "gan")


def test_every_output_belongs_to_the_current_state(browser, app_url, tmp_path):
    page, _ = open_page(browser, app_url)
    wait_view(page, "gan-gallery", "mnist|0-15|1|any")
    fill_every_output(page, digit_png(tmp_path / "one.png"))
    assert_every_output_belongs(page)

    for model in ("emoji", "mnist"):  # a switch both ways: nothing of the other model is left
        choose_model(page, model)
        wait_view(page, "gan-gallery", gallery_key(page))
        wait_view(page, "vae-image", f"{model}|{z_text(state(page)['z'])}")  # its decoder may come after the GAN
        assert_every_output_belongs(page)
        open_tab(page, "card")  # the server's card follows the model too
        page.wait_for_function("m => document.querySelector('#card-gan').innerText.includes(m + '/gan')", arg=model)
        open_tab(page, "gan")
        assert state(page)["class"] == "any" and set(state(page)["z"]) == {0}

    page.click("#random-seeds")  # random seeds: the gallery, its downloads and the link follow
    page.wait_for_function("document.querySelector('#seeds textarea').value !== '0-15'")
    assert page.input_value("#seeds textarea") == state(page)["seeds"]
    wait_view(page, "gan-gallery", gallery_key(page))
    assert_every_output_belongs(page)
    assert_zip_holds_the_gallery(page)
    assert f"seeds={state(page)['seeds']}" in page.url

    page.locator("#gan-examples-mnist tr.tr-body").nth(1).click()  # an example row
    page.wait_for_function("window.genimg.state().seeds === '100-131'")
    wait_view(page, "gan-gallery", "mnist|100-131|0.7|any")
    assert_every_output_belongs(page)
    assert_zip_holds_the_gallery(page)
    assert page.page_errors == []


def test_a_switch_made_while_the_server_answers_the_last_one_is_not_lost(browser, app_url, monkeypatch):
    """mnist -> emoji -> mnist, the second switch while the server still answers the first (a busy CPU, or page.js
    connecting while the page's opening request is out): the server's parts follow the last model, not the first."""
    app = sys.modules["app"]  # the module app_url serves
    answer, opened, asked = app.model_updates, [], []

    def counted(model, lang, label="any"):
        opened.append(model)
        return answer(model, lang, label)

    def slow_first(model, lang, label="any"):
        asked.append(model)
        if len(asked) == 1:
            time.sleep(2)
        return answer(model, lang, label)

    monkeypatch.setattr(app, "model_updates", counted)
    page, _ = open_page(browser, app_url)
    wait_view(page, "gan-gallery", "mnist|0-15|1|any")  # (from the pictures that come with the page, maybe)
    wait_until(page, lambda: opened, 10)  # the page's opening call has reached the server: a slow one is a switch's
    assert opened == ["mnist"]
    monkeypatch.setattr(app, "model_updates", slow_first)
    choose_model(page, "emoji")
    choose_model(page, "mnist")
    wait_until(page, lambda: len(asked) > 1, 10)  # the first answer takes 2 s, then the second is asked
    assert asked == ["emoji", "mnist"]
    page.wait_for_timeout(1000)  # the first answer (sent before the second was asked) is shown by now
    page.locator("#gan-examples-emoji").wait_for(state="hidden", timeout=10_000)  # then the second's
    page.locator("#gan-examples-mnist").wait_for(state="visible", timeout=10_000)
    page.click("#class input")  # the class list is mnist's digits
    assert page.get_by_role("option", name="7", exact=True).count() == 1
    assert page.get_by_role("option", name="Food & Drink").count() == 0
    page.keyboard.press("Escape")
    open_tab(page, "card")
    assert "mnist/gan" in page.inner_text("#card-gan") and "emoji/gan" not in page.inner_text("#card-gan")
    page.context.close()


def test_a_tab_opened_by_the_page_right_after_loading_stays_open(browser, app_url):
    page, _ = open_page(browser, app_url)  # a plain link: nothing holds the first tab
    page.evaluate("window.genimg.page.selectTab('encode')")  # as "Edit in sliders" or an example row do, at once
    page.wait_for_timeout(1500)
    assert state(page)["tab"] == "encode" and page.get_attribute("#tab-encode-button", "aria-selected") == "true"
    page.context.close()


def test_a_link_reopens_the_same_view(browser, app_url):
    query = ("tab=vae&model=emoji&seeds=3-5,9&psi=0.7&class=Food+%26+Drink&z=0.5,-1,0,2,0,-0.25&prior=standard"
             "&a=4&b=9&t=0.3&lang=en")
    first, _ = open_page(browser, app_url, query)
    wait_view(first, "vae-image", "emoji|0.5,-1,0,2,0,-0.25")
    wait_view(first, "gan-gallery", "emoji|3-5,9|0.7|Food & Drink")
    second, _ = open_page(browser, app_url, query)
    wait_view(second, "vae-image", "emoji|0.5,-1,0,2,0,-0.25")
    wait_view(second, "gan-gallery", "emoji|3-5,9|0.7|Food & Drink")
    for page in (first, second):  # the controls show the link's values
        assert page.get_attribute("#tab-vae-button", "aria-selected") == "true"
        assert page.input_value("#seeds textarea") == "3-5,9"
        assert page.input_value("#psi input[type=number]") == "0.7"
        assert page.input_value("#class input") == "Food & Drink"
        assert page.input_value("#seed-a input") == "4"
    assert pixels(first, "#vae-image canvas") == pixels(second, "#vae-image canvas")
    assert [pixels(first, f"#gan-gallery figure:nth-child({k}) canvas") for k in (1, 4)] == \
        [pixels(second, f"#gan-gallery figure:nth-child({k}) canvas") for k in (1, 4)]
    assert state(first) == state(second) == {"tab": "vae", "model": "emoji", "seeds": "3-5,9", "psi": 0.7,
                                             "class": "Food & Drink", "z": [0.5, -1, 0, 2, 0, -0.25],
                                             "prior": "standard", "a": 4, "b": 9, "t": 0.3, "lesson": None,
                                             "lang": "en", "present": False, "quiz": None}
    values = first.evaluate("[0, 1, 2].map(k => Number(document.querySelector("
                            "`#z-slider-${k} input[type=range]`).value))")
    order = first.evaluate("window.genimg.page.vaeInfo('emoji').order")
    assert values == [[0.5, -1, 0, 2, 0, -0.25][d] for d in order[:3]]  # slider k shows dimension order[k]

    first.click("#copy-link")  # "Copy link": the link is the page's own, and it says so
    first.wait_for_selector("[data-notice=link-copied]")
    assert first.url in first.inner_text("#genimg-notice") or "tab=vae" in first.inner_text("#genimg-notice")


@pytest.mark.parametrize("locale, words", [("en-US", "not used"), ("zh-CN", "未被采用")])
def test_bad_link_values_fall_back_with_one_notice(browser, app_url, locale, words):
    page, _ = open_page(browser, app_url, "model=cifar&seeds=5-&psi=9&colour=red", locale=locale)
    wait_view(page, "gan-gallery", "mnist|0-15|1|any")
    page.wait_for_selector(".genimg-notice")  # the notice view mounts on its own, maybe after the first pictures
    notices = page.locator(".genimg-notice").all_inner_texts()
    assert len(notices) == 1 and words in notices[0]
    for param in ("model=cifar", "seeds=5-", "psi=9", "colour=red"):
        assert param in notices[0]
    assert ("mnist" in notices[0]) and ("2" in notices[0])  # what is accepted: the models, psi's range
    assert bool(CHINESE.search(notices[0])) == (locale == "zh-CN")


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_a_bad_seed_list_is_one_message_in_the_page_language(browser, app_url, locale):
    page, requests = open_page(browser, app_url, locale=locale)
    wait_view(page, "gan-gallery", "mnist|0-15|1|any")
    wait_opening_request(page, requests)
    before = len(requests)
    for text in ("abc", "5-", "0-100", ""):
        page.fill("#seeds textarea", text)
        page.click("#generate")
        page.wait_for_selector("[data-notice=seeds]")
        messages = page.locator(".genimg-notice").all_inner_texts()
        assert len(messages) == 1 and page.locator(".toast-body").count() == 0, messages
        assert bool(CHINESE.search(messages[0])) == (locale == "zh-CN"), messages
        assert view_state(page, "gan-gallery") == "mnist|0-15|1|any"  # the last good gallery stays
    assert requests[before:] == []  # said by the page, not the server
    page.fill("#seeds textarea", "1-2")
    page.click("#generate")
    wait_view(page, "gan-gallery", "mnist|1-2|1|any")
    assert page.locator("[data-notice=seeds]").count() == 0


def test_the_language_switch_reloads_the_page_in_that_language(browser, app_url):
    page, _ = open_page(browser, app_url, "seeds=2-3")
    assert "GAN: sample from seeds" in page.inner_text("#tab-gan-button")
    with page.expect_navigation():  # the switch reloads the page
        page.get_by_label("中文").check()
    page.wait_for_url(re.compile(r"lang=zh"))
    page.wait_for_function("window.genimg && window.genimg.page && window.genimg.state().lang === 'zh'")
    wait_view(page, "gan-gallery", "mnist|2-3|1|any")  # the view is kept across the reload
    assert CHINESE.search(page.inner_text("#tab-gan-button"))
    assert "种子" in page.inner_text("#gan-gallery")  # the browser's captions
    open_tab(page, "vae")
    set_slider(page, "#z-slider-0 input[type=range]", 1)
    page.wait_for_function("document.querySelector('#vae-help, #tab-vae').innerText.match(/[\\u4e00-\\u9fff]/)")
    open_tab(page, "how")  # the server answers in the chosen language too (the genimg-lang cookie)
    page.wait_for_function("document.querySelector('#how-verdict') && "
                           "/[\\u4e00-\\u9fff]/.test(document.querySelector('#how-verdict').innerText)")
    english, _ = open_page(browser, app_url, "lang=en", locale="zh-CN")  # the link overrides the browser
    assert "GAN: sample from seeds" in english.inner_text("#tab-gan-button")


def test_presenter_mode_is_in_the_link_and_driven_by_keys(browser, app_url):
    page, requests = open_page(browser, app_url, "seeds=0-7")
    wait_view(page, "gan-gallery", "mnist|0-7|1|any")
    page.click("#present")
    page.wait_for_url(re.compile(r"present=1"))
    page.wait_for_function("document.getElementById('genimg-present').dataset.state === 'mnist|0-7|1|any'")
    wait_opening_request(page, requests)
    before = len(requests)
    page.keyboard.press("ArrowRight")  # the next 8 seeds
    page.keyboard.press("ArrowUp")  # psi + 0.05
    page.wait_for_function("document.getElementById('genimg-present').dataset.state === 'mnist|8-15|1.05|any'")
    assert page.input_value("#seeds textarea") == "8-15" and requests[before:] == []  # the controls follow
    again, _ = open_page(browser, app_url, page.url.split("?", 1)[1])  # a presenter's link reopens it
    wait_view(again, "genimg-present", "mnist|8-15|1.05|any")  # (drawn once Gradio has put the view there)
    page.keyboard.press("Escape")
    page.wait_for_function("!window.genimg.state().present")
    assert "present" not in page.url
