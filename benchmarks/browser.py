"""The live page in headless Chromium, beside the bare-Gradio floor measured in the same run; prints a table.

Measured (p50 / p95 over --steps steps, after warm-up steps):
- VAE slider input -> new pixels on screen, mnist and emoji: from dispatching the slider's input event to the
  first animation frame after the picture's canvas (#vae-image, web/views/vae.js) has been drawn. "work" is the
  decode alone: window.genimg.decode called directly.
- psi input -> the 16 seeds 0-15 redrawn in the gallery (#gan-gallery, web/views/gallery.js), mnist and emoji, on
  screen and as work (window.genimg.generate called directly).
- the server path of the same VAE slider (the page with the runtime's files blocked), for comparison.
- the floor: a bare Gradio app, one slider -> a precomputed 256 px PNG (two of them, alternating, so the picture
  changes), queue=False: what any server round trip costs in this browser on this machine.
- first load: bytes of the runtime files and the default model's weights the page fetched (Resource Timing),
  and the time from navigation to window.genimg.ready; the browser weights' bytes of every model.

Targets: VAE slider p50 <= 33 ms on screen, <= 16 ms of work; 16 mnist seeds p50 <= 100 ms.
The machine is shared (2 cores); the load average is printed beside the figures.

    python benchmarks/browser.py [--steps 40]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
REPORT, sys.stdout = sys.stdout, sys.stderr  # Gradio prints progress to stdout; only the table goes there

import gradio as gr  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

import app  # noqa: E402  (the app as it runs: its models, its LAUNCH with the browser side)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# One step: set the slider as a hand does, then wait for the new picture to be decoded and painted.
STEP_IMG = """async ([slider, picture, value]) => {
  const before = document.querySelector(picture).src;
  const input = document.querySelector(slider);
  const start = performance.now();
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, String(value));
  input.dispatchEvent(new Event('input', {bubbles: true}));
  for (;;) {
    const img = document.querySelector(picture);
    if (img && img.src !== before) { await img.decode().catch(() => {}); break; }  // (a replaced <img>)
    await new Promise((r) => setTimeout(r, 0));
  }
  await new Promise((r) => requestAnimationFrame(() => r()));
  return performance.now() - start;
}"""

STEP_CANVAS = """async ([slider, box, value]) => {
  const element = document.querySelector(box);
  const before = element.dataset.frames;
  const input = document.querySelector(slider);
  const start = performance.now();
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, String(value));
  input.dispatchEvent(new Event('input', {bubbles: true}));
  while (element.dataset.frames === before) await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => requestAnimationFrame(() => r()));
  return performance.now() - start;
}"""

PICTURE_SHOWN = "Number(document.getElementById('vae-image').dataset.frames || 0) > 0"  # the server's, at load

READY_PROBE = """(() => {
  const poll = () => {
    if (window.genimg && window.genimg.status === 'ready') window.__readyAt = performance.now();
    else setTimeout(poll, 5);
  };
  poll();
})();"""


def stats(ms: list[float]) -> str:
    return f"{np.percentile(ms, 50):.0f} / {np.percentile(ms, 95):.0f}"


def slider_values(steps: int) -> list[float]:
    """A drag back and forth over [-2.5, 2.5] in steps of 0.1: each value differs from the one before."""
    ramp = [round(-2.5 + 0.1 * k, 2) for k in range(51)]
    return [(ramp + ramp[::-1][1:-1])[k % 100] for k in range(steps)]


def floor_app(folder: Path) -> gr.Blocks:
    """The floor: a Gradio slider -> one of two precomputed 256 px PNGs (alternating), queue=False."""
    paths = []
    for k, shade in enumerate((40, 200)):
        path = folder / f"floor{k}.png"
        Image.fromarray(np.full((256, 256), shade, np.uint8)).save(path)
        paths.append(str(path))
    counter = {"n": 0}

    def show(_value: float) -> str:
        counter["n"] += 1
        return paths[counter["n"] % 2]

    with gr.Blocks() as demo:
        slider = gr.Slider(-3, 3, value=0, step=0.01, elem_id="floor-slider")
        image = gr.Image(value=paths[0], type="filepath", format="png", elem_id="floor-image")
        slider.input(show, slider, image, queue=False, show_progress="hidden")
    return demo


def new_page(browser, url: str, block_runtime: bool = False):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(120_000)

    def route(route):
        if urlparse(route.request.url).hostname not in ("127.0.0.1", "localhost"):
            return route.abort()
        if block_runtime and "/vendor/tfjs" in route.request.url:
            return route.abort()
        return route.continue_()

    page.route("**/*", route)
    page.add_init_script(READY_PROBE)
    page.goto(url)
    return page


def pick_model(page, model: str, requests: list) -> None:
    """Pick a model in the selector, then wait until the page's requests for it (the server's model_changed,
    the browser weights) have stopped for 2 s: they belong to the pick, not to the drag measured next."""
    page.click("#model input")
    page.get_by_role("option", name=model, exact=True).click()
    page.locator("#model input").blur()
    page.evaluate("""async (model) => {  // its networks, fetched and run once
        await window.genimg.generate(model, [0], 1, 'any');
        await window.genimg.decode(model, new Array(window.genimg.models().find(
            (m) => m.model === model && m.kind === 'vae').zDim).fill(0)); }""", model)
    count = -1
    while count != len(requests):
        count = len(requests)
        page.wait_for_timeout(2000)


def drag(page, step_js: str, slider: str, target: str, steps: int, warmup: int, start: int = 0) -> list[float]:
    values = slider_values(start + warmup + steps)[start:]
    times = [page.evaluate(step_js, [slider, target, v]) for v in values]
    return times[warmup:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    rows = []
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
    floor = floor_app(Path(tempfile.mkdtemp(prefix="genimg-floor-")))
    _, floor_url, _ = floor.launch(prevent_thread_lock=True, quiet=True)
    config = json.loads(app.LAUNCH["head"].split('id="genimg-config">', 1)[1].split("</script>", 1)[0])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)

        # first load: a fresh page (and a fresh browser cache)
        page = new_page(browser, url)
        page.wait_for_function("window.__readyAt !== undefined && window.genimg.page", timeout=120_000)
        ready_ms = page.evaluate("window.__readyAt")
        fetched = page.evaluate("""() => performance.getEntriesByType('resource')
            .filter(e => e.name.includes('/vendor/') || e.name.includes('/weights.bin') || e.name.includes('manifest'))
            .map(e => [e.name, e.encodedBodySize])""")
        runtime_bytes = sum(size for name, size in fetched if "/vendor/" in name)
        model_bytes = sum(size for name, size in fetched if "/vendor/" not in name)

        # VAE slider, live, mnist then emoji
        page.locator("[role=tablist]").first.get_by_role("tab").nth(1).click()
        page.wait_for_selector("#z-slider-0 input[type=range]", state="visible")
        page.wait_for_function(PICTURE_SHOWN)
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        for model in ("mnist", "emoji"):
            if model != "mnist":
                pick_model(page, model, requests)
            before = len(requests)
            screen = drag(page, STEP_CANVAS, "#z-slider-0 input[type=range]", "#vae-image", args.steps, args.warmup)
            during = len(requests) - before
            print(model, "VAE drag requests:", requests[before:], file=sys.stderr)
            work = [page.evaluate("""async ([model, value]) => {
                const z = window.genimg.state().z;
                z[0] = value;
                const start = performance.now();
                await window.genimg.decode(model, z);
                return performance.now() - start; }""", [model, v]) for v in slider_values(args.steps)]
            rows.append((f"VAE slider -> picture, {model} (browser)", stats(screen), stats(work), during))

        # psi -> 16 seeds, live grid
        page.locator("[role=tablist]").first.get_by_role("tab").nth(0).click()
        for model in ("mnist", "emoji"):
            pick_model(page, model, requests)
            page.locator("#seeds textarea, #seeds input").first.fill("0-15")
            before = len(requests)
            page.locator("#generate").click()
            psi = "#psi input[type=range]"
            screen = []
            for k in range(args.warmup + args.steps):
                value = round(0.5 + 0.05 * (k % 20), 2)
                screen.append(page.evaluate(STEP_CANVAS, [psi, "#gan-gallery", value]))
            during = len(requests) - before
            print(model, "psi drag requests:", requests[before:], file=sys.stderr)
            screen = screen[args.warmup:]
            work = [page.evaluate("""async ([model, psi]) => {
                const start = performance.now();
                await window.genimg.generate(model, [...Array(16).keys()], psi, 'any');
                return performance.now() - start; }""", [model, round(0.5 + 0.05 * (k % 20), 2)])
                for k in range(args.steps)]
            rows.append((f"psi -> 16 seeds, {model} (browser)", stats(screen), stats(work), during))
        page.close()

        # the server path of the VAE slider (runtime blocked) and the floor, in the same run
        page = new_page(browser, url, block_runtime=True)
        page.wait_for_function("window.genimg && window.genimg.status === 'failed'")
        page.locator("[role=tablist]").first.get_by_role("tab").nth(1).click()
        page.wait_for_function(PICTURE_SHOWN)
        screen = drag(page, STEP_CANVAS, "#z-slider-0 input[type=range]", "#vae-image", args.steps, args.warmup)
        rows.append(("VAE slider -> picture, mnist (server path)", stats(screen), "-", "1 POST + 1 GET / step"))
        page.close()
        page = new_page(browser, floor_url)
        page.wait_for_selector("#floor-slider input[type=range]")
        page.wait_for_function("document.querySelector('#floor-image img') !== null")
        screen = drag(page, STEP_IMG, "#floor-slider input[type=range]", "#floor-image img", args.steps, args.warmup)
        rows.append(("floor: bare Gradio slider -> 256 px PNG", stats(screen), "-", "1 POST + 1 GET / step"))
        page.close()
        browser.close()
    app.demo.close()
    floor.close()

    out = [f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; headless Chromium, --disable-gpu",
           "", "| step | on screen p50 / p95 (ms) | work p50 / p95 (ms) | server requests while dragging |",
           "|---|---|---|---|"]
    out += [f"| {name} | {screen} | {work} | {during} |" for name, screen, work, during in rows]
    out += ["", f"first load: runtime {runtime_bytes:,} B + default model weights {model_bytes:,} B fetched; "
            f"window.genimg.ready at {ready_ms / 1000:.2f} s after navigation",
            "", "| model | browser weights (B) |", "|---|---|"]
    for entry in config["models"]:
        manifest = Path(entry["manifest"].split("file=", 1)[1])
        weights = json.loads(manifest.read_text())["weights"]["bytes"]
        out.append(f"| {entry['model']} {entry['kind']} | {weights:,} |")
    print("\n".join(out), file=REPORT)


if __name__ == "__main__":
    t0 = time.time()
    main()
    print(f"({time.time() - t0:.0f} s)", file=sys.stderr)
