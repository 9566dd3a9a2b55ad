"""Inversion in the browser (window.genimg.invert, TensorFlow.js wasm in headless Chromium) against the server's
(genimg.invert, torch on one thread), on the same 20 MNIST targets; prints a table.

The 20 targets (28x28 grey, passed to both as the model's input, so neither preprocesses them):
- examples/mnist/*.png: 10 real test-split digits, one per class;
- examples/encode/*: 3 photos/drawings of digits, through the encode tab's preprocessing (model_input, digits);
- 7 generated-then-noised digits: genimg.sample(gan, seeds 1000-1006) plus Gaussian noise of std 25/255
  (RandomState(seed)), clipped: digits the GAN can make, off its manifold.
For each: the final pixel MSE of the browser and of the server (default steps, seeds and classifier), their ratio
(target: browser <= 1.25 x server) and the seconds each took (target: browser <= 5 s per digit). The browser is
warmed up first (runtime, generator and classifier weights loaded), as a page is after its first inversion. The
machine is shared; the load average is printed with the figures.

    python benchmarks/invert_browser.py [--steps 100]
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REPORT, sys.stdout = sys.stdout, sys.stderr  # Gradio prints progress to stdout; only the table goes there

import gradio as gr  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

import genimg  # noqa: E402
from genimg.app import web_assets  # noqa: E402
from genimg.data.preprocess import model_input  # noqa: E402
from genimg.inversion import STEPS, classifier_beside  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TARGET_RATIO, TARGET_SECONDS = 1.25, 5.0
NOISE = 25  # of 255
INVERT = """async ([data, steps]) => {
  const start = performance.now();
  const found = await window.genimg.invert("mnist", {width: 28, height: 28, channels: 1, data}, {steps});
  return {mse: found.mse, label: found.label, seconds: (performance.now() - start) / 1000};
}"""


def targets(gan) -> dict[str, np.ndarray]:
    """name -> (28, 28, 1) uint8: the 20 targets of the module docstring."""
    found = {f"mnist/{p.name}": np.asarray(Image.open(p).convert("L"))[..., None]
             for p in sorted((ROOT / "examples" / "mnist").glob("*.png"))}
    found.update({f"encode/{p.name}": model_input(p, 28, 1, digits=True)
                  for p in sorted((ROOT / "examples" / "encode").glob("*.*"))})
    for seed in range(1000, 1007):
        image = genimg.sample(gan, [seed])[0].astype(np.float64)
        noisy = image + np.random.RandomState(seed).randn(*image.shape) * NOISE
        found[f"noised/seed-{seed}"] = np.clip(np.round(noisy), 0, 255).astype(np.uint8)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    directory = ROOT / "checkpoints" / "mnist" / "gan"
    gan, classifier = genimg.load(directory), classifier_beside(directory)
    picks = targets(gan)
    server = {}
    for name, target in picks.items():
        start = time.perf_counter()
        found = genimg.invert(gan, target, steps=args.steps, classifier=classifier)
        server[name] = (found.mse, time.perf_counter() - start)

    head = web_assets.setup({"mnist": {"gan": gan, "classifier": classifier}}, default=("mnist", "gan"))
    with gr.Blocks() as demo:
        gr.Markdown("genimg inversion benchmark")
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, head=head, app_kwargs=web_assets.app_kwargs())
    browser = {}
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                  args=["--no-sandbox", "--disable-gpu"])
            page = chromium.new_page()
            page.set_default_timeout(600_000)
            page.goto(url)
            page.wait_for_function("window.genimg !== undefined")
            page.evaluate("window.genimg.ready")
            page.evaluate(INVERT, [list(next(iter(picks.values())).ravel().tolist()), 1])  # warm-up: weights in
            for name, target in picks.items():
                found = page.evaluate(INVERT, [target.ravel().tolist(), args.steps])
                browser[name] = (found["mse"], found["seconds"])
            backend = page.evaluate("window.genimg.backend")
            chromium.close()
    finally:
        demo.close()

    rows = [(name, browser[name][0], server[name][0], browser[name][0] / server[name][0], browser[name][1],
             server[name][1]) for name in picks]
    print(f"{'target':28s} {'browser MSE':>12s} {'server MSE':>11s} {'ratio':>6s} {'browser s':>9s} {'server s':>8s}",
          file=REPORT)
    for name, ours, theirs, ratio, seconds, server_seconds in rows:
        print(f"{name:28s} {ours:12.5f} {theirs:11.5f} {ratio:6.3f} {seconds:9.2f} {server_seconds:8.2f}", file=REPORT)
    ratios, seconds = np.array([r[3] for r in rows]), np.array([r[4] for r in rows])
    print(f"\nratio mean {ratios.mean():.3f}, max {ratios.max():.3f} (target <= {TARGET_RATIO}); "
          f"browser seconds median {np.median(seconds):.2f}, max {seconds.max():.2f} (target <= {TARGET_SECONDS}); "
          f"{args.steps} steps, backend {backend}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
          file=REPORT)


if __name__ == "__main__":
    main()
