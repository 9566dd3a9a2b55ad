"""The static site (python -m genimg.app.site): built once for the module from tiny checkpoints (tests/pagekit.py),
checked as files (a Static Space's README, every file the page is given is in the folder, the sizes), then served by
a local static server from a sub-path (/genimg/) and opened in Debian's Chromium: the gallery and the VAE picture
match genimg.sample / genimg.decode (<= 2/255), a slider drag redraws, a link restores its view, the Lab trains,
Chinese, every tab, and that no request leaves the folder (each page aborts and records any that would). One test
serves the folder as the README says, with `python -m http.server` run in it.
"""

import contextlib
import functools
import http.server
import io
import json
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from pagekit import SET_SLIDER, TIMEOUT_MS, digit_png, tiny_checkpoints

import genimg
from genimg.app import site
from genimg.app.i18n import TABLES

pytestmark = pytest.mark.e2e  # without Chromium these fail (tests/conftest.py), they do not skip
TOLERANCE = 2  # of 255, the parity bound
EMOJI_CLASS = "Animals & Nature"  # one of pagekit.EMOJI_CLASSES
FILE_URL = re.compile(r"^[\w./-]+\.(?:json|js|css|png|jpg|wasm|bin|woff2)(?:\?v=\w+)?$")

# The pixels of each canvas under a selector at the model's own size (the centre of each upscaled cell), RGB.
CANVAS_PIXELS = """([selector, size]) => Array.from(document.querySelectorAll(selector)).map((canvas) => {
    const factor = canvas.width / size;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const out = [];
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
        const i = 4 * (Math.floor((y + 0.5) * factor) * canvas.width + Math.floor((x + 0.5) * factor));
        out.push(data[i], data[i + 1], data[i + 2]);
    }
    return out;
})"""


@dataclass
class Built:
    checkpoints: Path
    out: Path
    printed: str


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    checkpoints = tiny_checkpoints(tmp_path_factory.mktemp("checkpoints"))
    out = tmp_path_factory.mktemp("served") / "genimg"  # its parent is served: the site lives under /genimg/
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        assert site.main([str(out), "--checkpoints", str(checkpoints)]) == 0
    return Built(checkpoints, out, printed.getvalue())


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base(built):
    """The site's URL, served from its parent folder by a plain static server: http://127.0.0.1:PORT/genimg/."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(QuietHandler, directory=str(built.out.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{built.out.name}/"
    server.shutdown()
    server.server_close()


@contextlib.contextmanager
def opened(browser, base: str, query: str = "", locale: str = "en-US", blocked: tuple[str, ...] = ()):
    """A page of the site in a fresh context; any request outside the site's folder is aborted and recorded
    (page.outside), and so are page errors (page.errors); both must be empty when the page closes. `blocked`: parts
    of the site's URLs that fail to load, as behind a filter (aborted, not recorded)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.outside, page.errors = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))

    def route(route):
        if route.request.url.startswith(base) and not any(part in route.request.url for part in blocked):
            return route.continue_()
        if route.request.url.startswith(base):
            return route.abort()
        page.outside.append(route.request.url)
        return route.abort()

    page.route("**/*", route)
    page.goto(base + (f"?{query}" if query else ""))
    page.wait_for_function("window.genimg && window.genimg.site && window.genimg.status !== 'loading'")
    try:
        yield page
        assert page.outside == [], f"requests outside the site's folder: {page.outside}"
        assert page.errors == []
    finally:
        context.close()


def wait_state(page, elem_id: str, expected: str) -> None:
    page.wait_for_function("([id, want]) => document.getElementById(id).dataset.state === want",
                           arg=[elem_id, expected])


def canvas_images(page, selector: str, size: int) -> np.ndarray:
    """(N, size, size, 3) uint8: what the canvases under `selector` show, at the model's size."""
    pixels = page.evaluate(CANVAS_PIXELS, [selector, size])
    return np.array(pixels, dtype=np.uint8).reshape(len(pixels), size, size, 3)


def assert_close(shown: np.ndarray, expected: np.ndarray) -> None:
    """shown (N, H, W, 3) vs genimg's uint8 (N, H, W, C), grey broadcast to RGB: within TOLERANCE everywhere."""
    expected = np.broadcast_to(expected, expected.shape[:3] + (3,)) if expected.shape[-1] == 1 else expected
    assert shown.shape == expected.shape
    assert np.abs(shown.astype(int) - expected.astype(int)).max() <= TOLERANCE


def front_matter(readme: str) -> dict[str, str]:
    head = readme.split("---\n")[1]
    return dict(line.split(": ", 1) for line in head.strip().splitlines())


# ---- the folder ---------------------------------------------------------------------------------------------------

def test_the_build_writes_a_static_space_within_its_sizes_and_prints_them(built):
    sizes = {p.relative_to(built.out).as_posix(): p.stat().st_size for p in built.out.rglob("*") if p.is_file()}
    assert front_matter((built.out / "README.md").read_text(encoding="utf-8"))["sdk"] == "static"
    assert front_matter((built.out / "README.md").read_text(encoding="utf-8"))["app_file"] == "index.html"
    for name in ("index.html", "web/page.js", "web/static.js", "web/static.css", "web/style.css", "web/boot.js",
                 "web/markdown.js", "web/views/gallery.js", "web/views/lab.js", "web/lab/index.js",
                 "web/lab/digits.png", "web/lab/digits.json", "web/vendor/tfjs/tf.min.js", "web/vendor/tfjs/LICENSE",
                 "web/vendor/tfjs-backend-wasm/tfjs-backend-wasm-simd.wasm", "web/vendor/katex/katex.min.js",
                 "web/vendor/katex/katex.min.css", "web/vendor/katex/fonts/KaTeX_Main-Regular.woff2",
                 "web/vendor/katex/LICENSE", "text-en.json", "text-zh.json", ".nojekyll"):
        assert name in sizes, name
    assert not any(name.endswith(".py") for name in sizes)
    assert max(sizes.values()) < site.MAX_FILE_BYTES and sum(sizes.values()) <= site.MAX_SITE_BYTES
    assert f"{sum(sizes.values()) / 1e6:.2f} MB" in built.printed and "python -m http.server" in built.printed
    assert not list(built.out.parent.glob(".*partial"))  # built beside, then moved into place


def test_every_file_the_page_is_given_is_in_the_folder(built):
    index = (built.out / "index.html").read_text(encoding="utf-8")
    assert "gradio_api" not in index and not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", index)
    configs = [json.loads(m) for m in re.findall(r'<script type="application/json" id="[\w-]+">(.*?)</script>', index)]
    texts = [json.loads((built.out / f"text-{lang}.json").read_text(encoding="utf-8")) for lang in TABLES]
    urls = []

    def collect(value):
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str) and FILE_URL.match(value):
            urls.append(value)

    for value in configs + texts:
        collect(value)
    runtime = configs[0]
    assert {e["model"] + "/" + e["kind"] for e in runtime["models"]} == {"mnist/gan", "mnist/vae", "emoji/gan",
                                                                         "emoji/vae"}
    manifests = [e[k] for e in runtime["models"] for k in ("manifest", "encoder") if e.get(k)]
    assert len(manifests) == 6 and set(manifests) <= set(urls)
    assert any("/katex/" in u for u in urls) and any(u.startswith("data/") for u in urls)
    assert any(u.startswith("examples/") for u in urls) and any(u.startswith("web/quiz/") for u in urls)
    for url in urls:
        assert (built.out / url.split("?")[0]).is_file(), url
    for manifest in manifests:  # and what each manifest names beside it
        folder = (built.out / manifest).parent
        spec = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert (folder / spec["weights"]["file"]).is_file()


def test_a_folder_in_the_way_is_refused_and_left_as_it_was(tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me")
    assert site.main([str(folder), "--checkpoints", str(tmp_path)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["mine.txt"] and not list(tmp_path.glob(".*partial"))


def test_over_budget_the_largest_classifier_leaves_first(tmp_path):
    for name, size in (("gan-a", 500), ("cls-a", 3000), ("gan-b", 500), ("cls-b", 1000)):
        (tmp_path / "weights" / name).mkdir(parents=True)
        (tmp_path / "weights" / name / "weights.bin").write_bytes(b"0" * size)
    entries = [{"model": "a", "kind": "gan", "classifier": "weights/cls-a/manifest.json"},
               {"model": "b", "kind": "gan", "classifier": "weights/cls-b/manifest.json"}]
    assert site.drop_classifiers(tmp_path, entries, budget=2500) == ["a/classifier (a inversion matches pixels only)"]
    assert entries[0]["classifier"] is None and entries[1]["classifier"] == "weights/cls-b/manifest.json"
    assert not (tmp_path / "weights" / "cls-a").exists() and (tmp_path / "weights" / "cls-b").exists()
    assert site.drop_classifiers(tmp_path, entries, budget=10_000) == []


def test_a_file_of_10_mb_is_refused(tmp_path):
    with open(tmp_path / "big.bin", "wb") as f:
        f.truncate(site.MAX_FILE_BYTES)  # sparse: no 10 MB written
    with pytest.raises(site.SiteError, match="big.bin"):
        site.check_sizes(tmp_path)


# ---- in Chromium ----------------------------------------------------------------------------------------------------

def test_the_gallery_and_the_vae_picture_match_python(browser, base, built):
    gan, vae = genimg.load(built.checkpoints / "mnist" / "gan"), genimg.load(built.checkpoints / "mnist" / "vae")
    with opened(browser, base) as page:
        wait_state(page, "gan-gallery", "mnist|0-15|1|any")
        assert_close(canvas_images(page, "#gan-gallery canvas", 28), genimg.sample(gan, list(range(16))))
    z = [0.5, -1.0, 1.5, 0.25]
    text = ",".join(f"{v:g}" for v in z)
    with opened(browser, base, f"tab=vae&z={text}") as page:  # a link that names z: its picture
        wait_state(page, "vae-image", f"mnist|{text}")
        assert_close(canvas_images(page, "#vae-image canvas", 28), genimg.decode(vae, np.array([z], np.float32)))


def test_a_link_restores_its_view_in_the_controls_and_the_pictures(browser, base, built):
    query = "tab=gan&model=emoji&seeds=3-5&psi=0.7&class=Animals+%26+Nature&a=7&b=9&t=0.25"
    gan = genimg.load(built.checkpoints / "emoji" / "gan")
    with opened(browser, base, query) as page:
        wait_state(page, "gan-gallery", f"emoji|3-5|0.7|{EMOJI_CLASS}")
        controls = page.evaluate("""() => Object.fromEntries(['model', 'seeds', 'psi', 'class', 'seed-a', 'seed-b',
            'interp-t'].map((id) => [id, document.getElementById(id).value]))""")
        assert controls == {"model": "emoji", "seeds": "3-5", "psi": "0.7", "class": EMOJI_CLASS, "seed-a": "7",
                            "seed-b": "9", "interp-t": "0.25"}
        assert page.evaluate("document.querySelector('#tab-gan-button').getAttribute('aria-selected')") == "true"
        assert_close(canvas_images(page, "#gan-gallery canvas", 64),
                     genimg.sample(gan, [3, 4, 5], psi=0.7, label=EMOJI_CLASS))
        assert "seeds=3-5" in page.evaluate("location.search")


def test_dragging_a_slider_redraws_the_picture_at_each_step(browser, base, built):
    vae = genimg.load(built.checkpoints / "mnist" / "vae")
    with opened(browser, base, "tab=vae") as page:
        page.wait_for_function("Number(document.getElementById('vae-image').dataset.frames) > 0")
        frames = page.evaluate("Number(document.getElementById('vae-image').dataset.frames)")
        box = page.locator("#z-slider-0").bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] / 2, y)
        page.mouse.down()
        for step in range(1, 9):  # a hand moving right, a little at a time
            page.mouse.move(box["x"] + box["width"] * (0.5 + 0.05 * step), y)
            page.wait_for_timeout(80)
        page.mouse.up()
        z = page.evaluate("window.genimg.state().z")
        page.wait_for_function("want => document.getElementById('vae-image').dataset.state === want",
                               arg="mnist|" + ",".join(f"{v:g}" for v in z))
        assert page.evaluate("Number(document.getElementById('vae-image').dataset.frames)") >= frames + 2
        first = page.evaluate("window.genimg.page.vaeInfo('mnist').order[0]")
        assert z[first] > 1.5 and sum(abs(v) for k, v in enumerate(z) if k != first) == 0
        assert_close(canvas_images(page, "#vae-image canvas", 28), genimg.decode(vae, np.array([z], np.float32)))
        page.click("#tab-gan-button")
        page.evaluate(SET_SLIDER, ["#psi", 0.5])
        wait_state(page, "gan-gallery", "mnist|0-15|0.5|any")


def test_the_lab_trains_in_the_page(browser, base):
    with opened(browser, base, "tab=lab") as page:
        page.wait_for_function("window.genimg.lab && window.genimg.lab.ui && document.getElementById('lab-play')")
        page.click("#lab-play")
        page.wait_for_function("window.genimg.lab.ui.run && window.genimg.lab.ui.run.steps > 0")
        first = page.evaluate("window.genimg.lab.ui.run.steps")
        page.wait_for_timeout(3000)
        assert page.evaluate("window.genimg.lab.ui.run.steps") > first
        assert page.evaluate("window.genimg.lab.ui.stats.frames") > 10


def test_chinese_from_the_link_and_from_the_switch(browser, base):
    zh = TABLES["zh"]
    with opened(browser, base, "lang=zh") as page:
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert page.inner_text("#tab-gan-button") == zh["gan_tab"] and page.inner_text("#site-usb") == zh["site_usb"]
        page.click("#tab-how-button")
        page.wait_for_selector("#how-view .katex")
        assert zh["how_section_pitfalls"] in page.inner_text("#how-view")
        page.click("#tab-lab-button")
        page.wait_for_function("document.getElementById('lab-play')")
        assert page.inner_text("#lab-play") == zh["lab_play"]
    with opened(browser, base) as page:
        assert page.inner_text("#tab-gan-button") == TABLES["en"]["gan_tab"]
        with page.expect_navigation():
            page.check("#language input[value=zh]")
        page.wait_for_function("window.genimg && window.genimg.site")
        assert page.evaluate("document.documentElement.lang") == "zh-CN" and "lang=zh" in page.url
        assert page.inner_text("#tab-gan-button") == zh["gan_tab"]


def test_every_tab_works_and_no_request_leaves_the_folder(browser, base, tmp_path):
    with opened(browser, base) as page:
        wait_state(page, "gan-gallery", "mnist|0-15|1|any")
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        page.wait_for_function("document.getElementById('gan-directions').dataset.state")
        page.wait_for_function("document.querySelectorAll('[data-needs=server]').length === 2")  # views mount lazily
        needs_server = page.eval_on_selector_all("[data-needs=server]", "lines => lines.map((l) => l.textContent)")
        assert needs_server == [TABLES["en"]["page_mp4_needs_server"], TABLES["en"]["page_needs_server"]]
        page.locator("#invert-file").set_input_files(str(digit_png(tmp_path / "digit.png")))
        page.click("#invert")  # found in the GAN, in the browser; then sent to the (closed) direction editor
        page.wait_for_function("document.getElementById('gan-invert').dataset.state === 'mnist'")
        page.evaluate("document.getElementById('gan-directions-section').open = false")
        page.get_by_role("button", name=TABLES["en"]["gan_invert_to_directions_button"]).click()
        page.wait_for_function("document.getElementById('gan-directions-section').open")
        for tab, ready in (("vae", "document.getElementById('vae-image').dataset.state"),
                           ("encode", "document.querySelector('#encode-view .genimg-example')"),
                           ("card", "document.getElementById('card-view').dataset.state === 'mnist'"),
                           ("how", "document.querySelector('#how-view .katex')"),
                           ("lab", "document.getElementById('lab-play')"),
                           ("quiz", "document.getElementById('quiz-view').querySelector('canvas, button')")):
            page.click(f"#tab-{tab}-button")
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            page.wait_for_function(ready)
        page.click("#tab-encode-button")
        page.click("#encode-view .genimg-example")  # an example encoded in the browser
        page.wait_for_function("document.getElementById('encode-view').dataset.state === 'mnist'")
        page.select_option("#model", "emoji")
        page.click("#tab-gan-button")
        wait_state(page, "gan-gallery", "emoji|0-15|1|any")
        page.wait_for_timeout(500)  # what the model switch fetches has been asked for


def test_without_its_runtime_the_page_says_so_in_one_line(browser, base):
    needs_runtime = TABLES["en"]["page_needs_runtime"]
    with opened(browser, base, blocked=("/vendor/tfjs",)) as page:  # a filter that blocks the runtime's files
        assert page.evaluate("window.genimg.status") == "failed"
        page.wait_for_function("document.querySelector('#gan-gallery .genimg-message')?.textContent")  # once mounted
        assert page.inner_text("#gan-gallery .genimg-message") == needs_runtime
        page.wait_for_selector("[data-notice=runtime]")  # the notice view mounts from its own module
        notices = page.eval_on_selector_all(".genimg-notice", "lines => lines.map((l) => l.textContent)")
        assert notices == [needs_runtime]


def test_served_from_its_own_folder_with_python_m_http_server(browser, built):
    server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"], cwd=built.out,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = re.search(r"port (\d+)", server.stdout.readline()).group(1)
        with opened(browser, f"http://127.0.0.1:{port}/") as page:
            wait_state(page, "gan-gallery", "mnist|0-15|1|any")
    finally:
        server.kill()
        server.wait()
