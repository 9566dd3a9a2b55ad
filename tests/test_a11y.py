"""Accessibility in headless Chromium (tests/pagekit.py): axe-core on every tab, with every section open, in light and
dark mode, in English and Chinese (each pair once, at a laptop's width or a phone's): no critical and no serious
violation. Then
the keyboard: the VAE's latent sliders step 0.1 per arrow key (0.01 with Shift), the pad moves with arrow keys,
what has the focus shows it, and tabbing through the model dropdown leaves no list open.

axe-core is vendored for the tests only (tests/vendor/axe-core, pinned, sha256 in tests/vendor/SOURCES.json;
`python -m genimg.app.vendor --tests --check` verifies it, `--tests --fetch` fetches it again with npm pack) and
injected into the page under test; the app never serves it.
"""

import json

import pytest
from pagekit import open_page, open_section, open_tab, state, wait_view

from genimg.app import vendor
from genimg.app.page import TABS

pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
AXE = vendor.TEST_VENDOR / "axe-core" / "axe.min.js"
SECTIONS = {"gan": ["gan-nearest", "gan-directions", "gan-invert", "gan-recipe"], "vae": ["vae-traversal", "vae-pad"]}
HOW_SECTIONS = 5  # How it works: GAN, VAE, pitfalls, FAQ, real or generated (its own tabs, one at a time)

# Violations inside Gradio's own components that its props and the page's CSS cannot remove: {rule: [(selector,
# why)]}. None today: Gradio's placeholder in an empty image or plot (an aria-label on a bare <div>) is hidden by
# style.css, its images get alt_text (an image is a button: it needs a name).
EXCLUDED: dict[str, list[tuple[str, str]]] = {}

# axe's critical and serious violations as {rule: [target, ...]}, less EXCLUDED.
RUN_AXE = """async (excluded) => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    const found = {};
    for (const v of result.violations) {
        if (v.impact !== 'critical' && v.impact !== 'serious') continue;
        const targets = v.nodes.map((n) => n.target.join(' '))
            .filter((t) => !(excluded[v.id] || []).some((s) => document.querySelector(t)?.closest(s)));
        if (targets.length) found[v.id] = targets;
    }
    return found;
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    problems = vendor.check(vendor.TEST_VENDOR)
    assert problems == [], problems  # the pinned axe-core, byte for byte
    return AXE.read_text(encoding="utf-8")


def settle(page, tab: str) -> None:
    """Waits until what the tab shows first is drawn (axe then sees the pictures, not the placeholders)."""
    if tab == "gan":
        wait_view(page, "gan-gallery", "mnist|0-15|1|any")
    elif tab == "vae":
        page.wait_for_function("Number((document.getElementById('vae-image') || {dataset: {}}).dataset.frames) > 0")
    elif tab == "card":
        page.wait_for_function("(document.getElementById('card-gan') || {}).innerText?.includes('mnist')")
    elif tab == "how":
        page.wait_for_function("document.querySelector('#how-verdict [data-testid=markdown]')?.innerText.trim()")
    elif tab == "lab":
        page.wait_for_function("document.getElementById('lab-canvas')?.getAttribute('aria-label')")
    page.wait_for_timeout(500)


def check_tab(page, tab: str, axe_source: str) -> dict:
    """axe on the tab with every section open (the How tab: each of its sections in turn) -> its violations."""
    open_tab(page, tab)
    settle(page, tab)
    for section in SECTIONS.get(tab, []):
        open_section(page, section)
    page.wait_for_timeout(1000 if tab in SECTIONS else 0)
    if not page.evaluate("!!window.axe"):
        page.add_script_tag(content=axe_source)
    found = {}
    for part in range(HOW_SECTIONS if tab == "how" else 1):
        if part:
            page.locator("#tab-how [role=tab]").nth(part).click()
            page.wait_for_timeout(500)
        for rule, targets in page.evaluate(RUN_AXE, {k: [s for s, _ in v] for k, v in EXCLUDED.items()}).items():
            found.setdefault(rule, []).extend(targets)
    return found


# each language in each mode once, each width twice (the four pairs of language and mode, at alternating widths)
@pytest.mark.parametrize(("locale", "dark", "width"), [("en-US", False, 1366), ("en-US", True, 390),
                                                       ("zh-CN", False, 390), ("zh-CN", True, 1366)],
                         ids=["en-light-laptop", "en-dark-phone", "zh-light-phone", "zh-dark-laptop"])
def test_no_critical_or_serious_axe_violation_on_any_tab(browser, app_url, axe_source, locale, dark, width):
    page, _ = open_page(browser, app_url, width=width, locale=locale, dark=dark)
    assert page.evaluate("window.genimg.status") == "ready"
    found = {tab: check_tab(page, tab, axe_source) for tab in TABS}
    print(f"\n{locale} {'dark' if dark else 'light'} {width}px: "
          + ", ".join(f"{tab} {sum(len(t) for t in v.values())}" for tab, v in found.items()))
    assert page.page_errors == []
    page.context.close()
    assert {tab: v for tab, v in found.items() if v} == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.fixture
def laptop(browser, app_url):
    page, _ = open_page(browser, app_url)
    assert page.evaluate("window.genimg.status") == "ready"
    yield page
    assert page.page_errors == []
    page.context.close()


def test_a_latent_slider_steps_a_tenth_per_arrow_key_and_a_hundredth_with_shift(laptop):
    page = laptop
    open_tab(page, "vae")
    page.wait_for_function("Number((document.getElementById('vae-image') || {dataset: {}}).dataset.frames) > 0")
    order = page.evaluate("window.genimg.page.vaeInfo('mnist').order")
    track = page.locator("#z-slider-0 input[type=range]")
    track.focus()
    for key, value in [("ArrowRight", 0.1), ("ArrowRight", 0.2), ("ArrowLeft", 0.1), ("Shift+ArrowRight", 0.11),
                       ("ArrowUp", 0.21), ("Shift+ArrowDown", 0.2)]:
        page.keyboard.press(key)
        page.wait_for_function("([d, v]) => window.genimg.state().z[d] === v", arg=[order[0], value])
    assert float(track.input_value()) == 0.2
    assert page.eval_on_selector("#z-slider-0 input[type=number]", "e => Number(e.value)") == 0.2  # Gradio's box too
    for _ in range(40):  # end to end in 60 presses; the range stops at its end
        page.keyboard.press("ArrowRight")
    page.wait_for_function("([d]) => window.genimg.state().z[d] === 3", arg=[order[0]])
    # a slider is two tab stops (its number and its track), no reset button each
    assert page.locator("#z-slider-0 button").count() == 0


def test_every_control_of_the_gan_and_vae_tabs_is_reached_with_tab(laptop):
    """From each tab's button, Tab visits every control (the elements with an id that hold the focus, in order)."""
    page = laptop

    def visited(tab: str, presses: int, controls: list[str]) -> list[str]:
        """Tab `presses` times from the tab's button -> for each press, the control (of `controls`) with the focus."""
        open_tab(page, tab)
        page.focus(f"#tab-{tab}-button")
        seen = []
        for _ in range(presses):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("ids => ids.find((id) => document.getElementById(id)?.contains("
                                      "document.activeElement)) || document.activeElement.tagName", controls))
        return seen

    wait_view(page, "gan-gallery", "mnist|0-15|1|any")
    controls = ["seeds", "random-seeds", "generate", "psi", "class", "gan-size", "gan-gallery", "interp-live"]
    gan = visited("gan", 60, controls)
    assert set(controls) <= set(gan), gan
    # (the prior's switch is disabled: the tiny VAE has no learned prior)
    controls = ["vae-seed", "vae-random", "vae-zero", "vae-from-upload", "z-slider-0", "z-slider-1", "z-slider-2",
                "z-slider-3", "vae-traversal-section", "vae-pad-section"]
    vae = visited("vae", 30, controls)
    assert set(controls) <= set(vae), vae
    assert vae.count("z-slider-0") == 2  # its number box and its track


def test_the_latent_pad_moves_with_arrow_keys(laptop):
    page = laptop
    open_tab(page, "vae")
    open_section(page, "vae-pad")
    page.wait_for_function("(document.getElementById('vae-pad') || {dataset: {}}).dataset.state")
    dims = page.evaluate("window.genimg.page.settings.dims")
    page.focus("#vae-pad canvas")
    for key in ["ArrowRight", "ArrowRight", "ArrowDown", "Shift+ArrowLeft"]:
        page.keyboard.press(key)
    page.wait_for_function("([x, y]) => window.genimg.state().z[x] === 0.19 && window.genimg.state().z[y] === 0.1",
                           arg=dims)
    label = page.get_attribute("#vae-pad canvas", "aria-label")
    assert "0.19" in label and "0.10" in label  # the pad says where its cross is


def test_what_has_the_focus_shows_it(laptop):
    """Tab through the page's first controls: each, when focused by the keyboard, has a visible outline (or Gradio's
    own focus ring: a changed border or shadow)."""
    page = laptop
    page.locator("#seeds textarea, #seeds input").first.focus()
    unseen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        shown = page.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e);
            const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
            return {what: e.tagName + '#' + e.id + '.' + String(e.className).slice(0, 30),
                    shown: ring || s.boxShadow !== 'none'};
        }""")
        if not shown["shown"]:
            unseen.append(shown["what"])
    assert unseen == []


def test_tabbing_through_the_model_dropdown_leaves_no_list_open(laptop):
    page = laptop
    page.locator("#model input").focus()
    page.wait_for_selector("#model [role=listbox]")  # focus opens the list (Gradio's way)
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)
    assert page.locator("[role=listbox]").count() == 0  # nothing left open over the tab bar
    assert page.get_attribute("#model input", "aria-expanded") == "false"
    assert state(page)["model"] == "mnist"  # and passing through chose nothing
    page.click("#model input")  # the mouse still picks a model
    page.get_by_role("option", name="emoji").first.click()
    page.wait_for_function("window.genimg.state().model === 'emoji'")
