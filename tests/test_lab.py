"""The training lab (window.genimg.lab, the Lab tab): in headless Chromium against the app on tiny checkpoints,
offline (every request not to this machine is aborted), plus fast checks of its strings and committed digits.

The lab trains in the page; these tests drive its public JS API and its controls: the ring GAN's klGrid falls,
a seed fixes the trajectory, the VAE's held-out loss falls, training sends no request, presets load their
settings, bad options reject with an Error that says what is accepted. Speed is benchmarks/lab.py's job.
"""

import json
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PIL import Image

from genimg.app.i18n import TABLES
from genimg.app.tabs.lab import LAB, lab_strings

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 60_000
# ---- fast: strings and the committed digits ------------------------------------------------------------------

def preset_ids() -> list[str]:
    return re.findall(r'\{ id: "(\w+)"', (LAB / "presets.js").read_text(encoding="utf-8"))


def test_lab_strings_exist_in_both_languages():
    strings = lab_strings()
    assert strings["en"].keys() == strings["zh"].keys()
    assert len(preset_ids()) == 7
    for preset in preset_ids():
        for part in ("title", "md"):
            assert f"lab_preset_{preset}_{part}" in TABLES["en"] and f"lab_preset_{preset}_{part}" in TABLES["zh"]
    assert "lab_tab" in TABLES["zh"] and TABLES["zh"]["lab_tab"] != TABLES["en"]["lab_tab"]


def test_committed_digits_match_their_description():
    meta = json.loads((LAB / "digits.json").read_text(encoding="utf-8"))
    sheet = Image.open(LAB / "digits.png")
    assert sheet.mode == "L"
    assert sheet.size == (meta["columns"] * 28, -(-meta["count"] // meta["columns"]) * 28)
    assert meta["count"] == meta["train"] + meta["heldOut"] == len(meta["labels"]) <= 2000
    indices = meta["sourceIndices"]
    assert all(i % 10 != 9 for i in indices[:meta["train"]]) and all(i % 10 == 9 for i in indices[meta["train"]:])
    assert "Creative Commons" in meta["licence"] and meta["regenerate"] == "python -m genimg.app.lab_digits"


# ---- in the browser --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is not installed; the browser tests are part of the suite (apt-get install chromium)")
    from test_app import import_app, tiny_mnist_checkpoints  # noqa: PLC0415

    app = import_app(tiny_mnist_checkpoints(tmp_path_factory.mktemp("checkpoints")))
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
    yield url
    app.demo.close()


@pytest.fixture(scope="module")
def lab(app_url):
    """The app's page on the Lab tab, the lab mounted and paused; .requests lists every request it makes."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        local = urlparse(app_url).hostname
        page.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == local
                   else route.abort())
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        page.goto(app_url)
        # the page's runtime first (genimg.js in <head>), as a visitor's click comes after the page has loaded
        page.wait_for_function("window.genimg?.status === 'ready' || window.genimg?.status === 'failed'")
        page.click("#tab-lab-button")
        page.wait_for_function("window.genimg?.lab?.ui?.run")
        yield page
        browser.close()


def evaluate(page, script: str, arg=None):
    return page.evaluate(script, arg)


@pytest.mark.e2e
def test_ring_gan_klgrid_falls_3x_in_1500_steps(lab):
    result = evaluate(lab, """async () => {
        const run = await genimg.lab.create({kind: 'gan', data: 'ring', seed: 0});
        const before = run.quality().klGrid;
        await run.step(1500);
        const after = run.quality().klGrid;
        run.dispose();
        return {before, after};
    }""")
    assert result["after"] * 3 <= result["before"], result


@pytest.mark.e2e
def test_same_seed_same_losses_and_state_restores_exactly(lab):
    result = evaluate(lab, """async () => {
        const tensors = tf.memory().numTensors;
        const a = await genimg.lab.create({kind: 'gan', data: 'moons', seed: 3});
        const b = await genimg.lab.create({kind: 'gan', data: 'moons', seed: 3});
        const c = await genimg.lab.create({kind: 'gan', data: 'moons', seed: 4});
        const [la, lb, lc] = [await a.step(200), await b.step(200), await c.step(200)];
        const saved = JSON.parse(JSON.stringify(await a.state()));   // through JSON, as a user would keep it
        const d = await genimg.lab.create({from: saved});
        const [na, nd] = [await a.step(20), await d.step(20)];
        const same = {losses: la.dLoss === lb.dLoss && la.gLoss === lb.gLoss, other: la.gLoss !== lc.gLoss,
                      restored: na.gLoss === nd.gLoss && a.quality().klGrid === d.quality().klGrid};
        [a, b, c, d].forEach((run) => run.dispose());
        return {...same, leaked: tf.memory().numTensors - tensors};
    }""")
    assert result == {"losses": True, "other": True, "restored": True, "leaked": 0}


@pytest.mark.e2e
def test_vae_held_out_loss_falls(lab):
    result = evaluate(lab, """async () => {
        const run = await genimg.lab.create({kind: 'vae', seed: 0});
        const before = run.quality().heldOutLoss;
        await run.step(2 * run.model.stepsPerEpoch);   // two epochs over the 1,800 training digits
        const after = run.quality();
        run.dispose();
        return {before, after: after.heldOutLoss, kl: after.kl};
    }""")
    assert result["after"] < result["before"] - 50, result  # ~545 nats at the start
    assert result["kl"] > 0


@pytest.mark.e2e
def test_training_sends_no_request(lab):
    lab.click("[data-preset=ring]")
    lab.wait_for_function("genimg.lab.ui.playing && genimg.lab.ui.run?.steps > 0")
    lab.requests.clear()
    start = evaluate(lab, "genimg.lab.ui.run.steps")
    time.sleep(3)
    lab.click("[data-preset=vae]")
    lab.wait_for_function("genimg.lab.ui.run?.kind === 'vae' && genimg.lab.ui.run.steps > 20")
    steps = evaluate(lab, "genimg.lab.ui.run.steps")
    lab.click("#lab-play")  # pause
    assert lab.requests == [], lab.requests
    assert start > 0 and steps > 20


@pytest.mark.e2e
def test_presets_load_their_settings(lab):
    presets = evaluate(lab, "genimg.lab.presets")
    assert {p["id"] for p in presets} == set(preset_ids())
    for preset in presets:
        lab.click(f"[data-preset={preset['id']}]")
        lab.wait_for_function("id => genimg.lab.ui.preset === id && genimg.lab.ui.run", arg=preset["id"])
        options = evaluate(lab, "genimg.lab.ui.run.options")
        assert evaluate(lab, "genimg.lab.ui.run.kind") == preset["kind"]
        assert {k: options[k] for k in preset["options"]} == preset["options"], preset
        assert options["seed"] == 0
        assert lab.inner_text("#lab-lesson").strip()
        if preset["kind"] == "gan":
            assert lab.input_value("#lab-lrD") == str(options["lrD"])
            assert lab.input_value("#lab-loss") == options["loss"]
        else:
            assert float(lab.input_value("#lab-beta")) == options["beta"]
    lab.click("#lab-play")  # pause


@pytest.mark.e2e
def test_bad_options_reject_saying_what_is_accepted(lab):
    messages = evaluate(lab, """async () => {
        const bad = [{kind: 'gan', data: 'donut'}, {kind: 'gan', lrG: -1}, {kind: 'gan', lr_g: 0.1},
                     {kind: 'gan', loss: 'hinge'}, {kind: 'gan', dSteps: 1.5}, {kind: 'gan', data: {points: [[0, 0]]}},
                     {kind: 'vae', beta: 'a'}, {kind: 'diffusion'}, {from: {kind: 'gan'}}, null];
        const out = [];
        for (const options of bad) {
            try { await genimg.lab.create(options); out.push(null); } catch (e) { out.push(e.message); }
        }
        return out;
    }""")
    expected = ["'ring', 'grid', 'moons', 'spiral'", "lrG must be a number from", "accepted options are",
                "loss must be one of 'nonsaturating', 'minimax'", "dSteps must be an integer from 1 to 10",
                "at least 3 [x, y] pairs", "beta must be a number from 0 to 50", "kind must be 'gan' or 'vae'",
                "what run.state() returned", "options must be an object"]
    for message, part in zip(messages, expected):
        assert message is not None and part in message, (message, part)


@pytest.mark.e2e
def test_a_bad_setting_is_one_message_and_the_field_shows_the_value_in_use(lab):
    lab.click("[data-preset=ring]")  # a lesson is in the page's link
    lab.wait_for_function("genimg.lab.ui.preset === 'ring' && genimg.lab.ui.run")
    assert "lesson=ring" in lab.url
    lab.click("#lab-play")  # pause
    in_use = evaluate(lab, "genimg.lab.ui.run.options.lrG")
    lab.fill("#lab-lrG", "-5")
    lab.locator("#lab-lrG").dispatch_event("change")
    lab.wait_for_function("document.getElementById('lab-message').textContent.includes('lrG')")
    message = lab.inner_text("#lab-message")
    assert "from 0.000001 to 10" in message and "-5" in message and "gan lab:" not in message, message
    assert float(lab.input_value("#lab-lrG")) == in_use == evaluate(lab, "genimg.lab.ui.run.options.lrG")
