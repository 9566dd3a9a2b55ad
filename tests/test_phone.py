"""A phone (390 x 844, touch) in headless Chromium (tests/pagekit.py): while a finger moves a control, the picture it
drives stays on screen (the VAE picture over its sliders and the latent pad, the GAN gallery over psi); a vertical
swipe that starts on a slider scrolls the page and leaves the slider where it was; the latent pad is square.

Fingers are CDP touch events (Input.dispatchTouchEvent), which reach the page as a phone's do: the browser decides
between scrolling and sliding, fires pointer and touch events, and moves range inputs itself. The figures (where the
picture is while the finger moves) are printed, and screenshots taken mid-drag go to a folder printed at the end.
"""

from pathlib import Path

import pytest
from pagekit import open_page, open_section, open_tab, state, wait_view
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
PHONE = 390

# For every scroll position of the page: is the control's track where a finger can touch it (its middle on screen
# and not under anything), and is the picture then wholly on screen? -> the positions where it is touchable but the
# picture is not, and how many positions had it touchable.
SWEEP = """([picture, control]) => {
    const seen = [], bad = [];
    const end = document.documentElement.scrollHeight - innerHeight;
    for (let y = 0; y <= end + 40; y += 40) {
        window.scrollTo({top: Math.min(y, end), behavior: 'instant'});
        const track = document.querySelector(control).getBoundingClientRect();
        const [x, middle] = [track.left + track.width / 2, track.top + track.height / 2];
        if (middle < 0 || middle > innerHeight) continue;
        const hit = document.elementFromPoint(x, middle), target = document.querySelector(control);
        if (!hit || !(hit === target || target.contains(hit))) continue;
        seen.push(scrollY);
        const box = document.querySelector(picture).getBoundingClientRect();
        if (box.top < -1 || box.bottom > innerHeight + 1) bad.push([scrollY, box.top, box.bottom].map(Math.round));
    }
    return {touchable: seen.length, bad};
}"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("phone-screenshots")
    yield folder
    print(f"\nphone screenshots taken while dragging: {folder}")


@pytest.fixture
def phone(browser, app_url):
    page, _ = open_page(browser, app_url, width=PHONE)
    assert page.evaluate("window.genimg.status") == "ready"
    page.finger = page.context.new_cdp_session(page)
    yield page
    assert page.page_errors == []
    page.context.close()


def touch(page, kind: str, x: float = 0, y: float = 0) -> None:
    points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
    page.finger.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def box(page, selector: str) -> dict:
    return page.eval_on_selector(selector, """e => { const b = e.getBoundingClientRect();
        return {top: b.top, bottom: b.bottom, left: b.left, right: b.right, width: b.width, height: b.height}; }""")


def wholly_on_screen(page, b: dict) -> bool:
    width, height = page.evaluate("[innerWidth, innerHeight]")
    return b["top"] >= -1 and b["bottom"] <= height + 1 and b["left"] >= -1 and b["right"] <= width + 1


def frames(page, elem_id: str) -> int:
    return page.evaluate(f"Number(document.getElementById('{elem_id}').dataset.frames || 0)")


def scroll_just_under(page, picture: str, control: str) -> None:
    """Scrolls so that the control's top sits just under the (stuck) picture: the highest place on the screen where
    a finger can reach it."""
    page.evaluate("""([picture, control]) => {
        const under = document.querySelector(picture).getBoundingClientRect().height;
        const top = document.querySelector(control).getBoundingClientRect().top + scrollY;
        window.scrollTo({top: top - under - 8, behavior: 'instant'});
    }""", [picture, control])


def drag_sideways(page, track: str, picture: str, view_id: str, field: str, shot: Path) -> tuple[list, list]:
    """A finger lands at 20% of the track and moves to 80% in 6 steps; after each step the picture is redrawn (a
    screenshot after the third). -> the picture's box and the state's `field` after each step."""
    t = box(page, track)
    y, boxes, values = t["top"] + t["height"] / 2, [], []
    touch(page, "touchStart", t["left"] + 0.2 * t["width"], y)
    for step in range(1, 7):
        drawn = frames(page, view_id)
        touch(page, "touchMove", t["left"] + (0.2 + 0.1 * step) * t["width"], y)
        page.wait_for_function("([id, n]) => Number(document.getElementById(id).dataset.frames) > n",
                               arg=[view_id, drawn])
        boxes.append(box(page, picture))
        values.append(state(page)[field])
        if step == 3:
            page.screenshot(path=str(shot))
    touch(page, "touchEnd")
    return boxes, values


def test_the_vae_picture_stays_on_screen_while_a_finger_drags_its_sliders(phone, shots):
    page = phone
    open_tab(page, "vae")
    page.wait_for_function("Number((document.getElementById('vae-image') || {dataset: {}}).dataset.frames) > 0")
    picture = "#vae-image canvas"
    for slider in ("#z-slider-0", "#z-slider-3"):  # the first (most informative) and the last of the tiny VAE's 4
        track = f"{slider} input[type=range]"
        sweep = page.evaluate(SWEEP, [picture, track])
        print(f"\n{slider}: touchable at {sweep['touchable']} scroll positions; picture off screen at {sweep['bad']}")
        assert sweep["touchable"] > 3 and sweep["bad"] == []
        for where in ("bottom", "top"):  # the slider at the bottom of the screen, then just under the picture
            if where == "bottom":
                page.eval_on_selector(track, "e => e.scrollIntoView({block: 'end', behavior: 'instant'})")
            else:
                scroll_just_under(page, "#vae-image", slider)
            seen, zs = drag_sideways(page, track, picture, "vae-image", "z", shots / f"vae-{slider[1:]}-{where}.png")
            print(f"{slider} at the {where}: picture top/bottom while dragging "
                  f"{[(round(b['top']), round(b['bottom'])) for b in seen]} (screen 0-844)")
            assert all(wholly_on_screen(page, b) for b in seen), seen
            assert len({tuple(z) for z in zs}) == len(zs)  # a new z, and a new picture, at every step


def test_the_gan_gallery_stays_on_screen_while_a_finger_drags_psi(phone, shots):
    page = phone
    wait_view(page, "gan-gallery", "mnist|0-15|1|any")
    gallery, track = "#gan-gallery", "#psi input[type=range]"
    sweep = page.evaluate(SWEEP, [gallery, track])
    print(f"\npsi: touchable at {sweep['touchable']} scroll positions; gallery off screen at {sweep['bad']}")
    assert sweep["touchable"] > 3 and sweep["bad"] == []
    for where in ("bottom", "top"):
        if where == "bottom":
            page.eval_on_selector(track, "e => e.scrollIntoView({block: 'end', behavior: 'instant'})")
        else:
            scroll_just_under(page, gallery, "#psi")
        seen, psis = drag_sideways(page, track, gallery, "gan-gallery", "psi", shots / f"gan-psi-{where}.png")
        print(f"psi at the {where}: gallery top/bottom while dragging "
              f"{[(round(b['top']), round(b['bottom'])) for b in seen]} (screen 0-844), psi {psis}")
        assert all(wholly_on_screen(page, b) for b in seen), seen
        assert len(set(psis)) == len(psis)  # a new psi, and a new gallery, at every step


def test_the_pad_is_square_and_the_picture_stays_on_screen_while_a_finger_drags_on_it(phone, shots):
    page = phone
    open_tab(page, "vae")
    open_section(page, "vae-pad")
    page.wait_for_function("(document.getElementById('vae-pad') || {dataset: {}}).dataset.state")
    pad = "#vae-pad canvas"
    sweep = page.evaluate(SWEEP, ["#vae-image canvas", pad])
    print(f"\npad: touchable at {sweep['touchable']} scroll positions; picture off screen at {sweep['bad']}")
    assert sweep["touchable"] > 3 and sweep["bad"] == []
    scroll_just_under(page, "#vae-image", pad)
    p = box(page, pad)
    print(f"pad {p['width']:.0f} x {p['height']:.0f} at {p['top']:.0f}-{p['bottom']:.0f}; "
          f"picture at {box(page, '#vae-image canvas')['top']:.0f}-{box(page, '#vae-image canvas')['bottom']:.0f}")
    assert abs(p["width"] - p["height"]) <= 1 and p["width"] >= 300  # square, and most of the screen's width
    assert wholly_on_screen(page, p) and wholly_on_screen(page, box(page, "#vae-image canvas"))
    before, seen = state(page)["z"], []
    touch(page, "touchStart", p["left"] + 0.3 * p["width"], p["top"] + 0.3 * p["height"])
    for step in range(1, 6):
        drawn = frames(page, "vae-image")
        x, y = p["left"] + (0.3 + 0.08 * step) * p["width"], p["top"] + (0.3 + 0.06 * step) * p["height"]
        touch(page, "touchMove", x, y)
        page.wait_for_function("n => Number(document.getElementById('vae-image').dataset.frames) > n", arg=drawn)
        seen.append(box(page, "#vae-image canvas"))
        if step == 3:
            page.screenshot(path=str(shots / "vae-pad.png"))
    touch(page, "touchEnd")
    print(f"picture top/bottom while dragging on the pad {[(round(b['top']), round(b['bottom'])) for b in seen]}")
    assert all(wholly_on_screen(page, b) for b in seen), seen
    after = state(page)["z"]
    assert sum(a != b for a, b in zip(after, before)) == 2  # the pad's two dimensions moved, nothing else


@pytest.mark.parametrize("tab, picture, slider",
                         [("vae", "#vae-image", "#z-slider-0"), ("gan", "#gan-gallery", "#psi")])
def test_a_vertical_swipe_that_starts_on_a_slider_scrolls_the_page_and_leaves_the_slider(phone, tab, picture, slider):
    page = phone
    open_tab(page, tab)
    page.wait_for_function("id => document.getElementById(id)?.dataset.state", arg=picture[1:])  # laid out, drawn
    scroll_just_under(page, picture, slider)  # high on the screen: room for the thumb to swipe down
    track = f"{slider} input[type=range]"
    before = (page.eval_on_selector(track, "e => e.value"), state(page), page.evaluate("scrollY"))
    t = box(page, track)
    x, y = t["left"] + 0.2 * t["width"], t["top"] + t["height"] / 2  # far from the thumb: landing there would move it
    assert page.evaluate("([x, y, track]) => document.elementFromPoint(x, y) === document.querySelector(track)",
                         [x, y, track])  # the finger lands on the slider
    touch(page, "touchStart", x, y)
    for step in range(1, 13):
        touch(page, "touchMove", x + step * 0.5, y + 20 * step)  # down, a little sideways, as a thumb swipes
        page.wait_for_timeout(16)
    touch(page, "touchEnd")
    try:  # the compositor scrolls; scrollY follows on a later frame
        page.wait_for_function("y => scrollY < y - 100", arg=before[2], timeout=5_000)
    except PlaywrightTimeoutError:
        pass  # the assertions below say what happened
    after = (page.eval_on_selector(track, "e => e.value"), state(page), page.evaluate("scrollY"))
    print(f"\n{tab}: scrollY {before[2]} -> {after[2]}, slider {before[0]} -> {after[0]}")
    assert after[2] < before[2] - 100  # the page scrolled (up: the finger went down)
    assert after[:2] == before[:2]  # the slider and the page state did not move
