"""Inversion in the browser (window.genimg.invert, TensorFlow.js wasm in headless Chromium) against the server's
(genimg.invert, torch on one thread), on the same 20 MNIST targets; prints a table.

The 20 targets (28x28 grey, passed to both as the model's input, so neither preprocesses them):
- examples/mnist/*.png: 10 real test-split digits, one per class;
- examples/encode/*: 3 photos/drawings of digits, through the encode tab's preprocessing (model_input, digits);
- 7 generated-then-noised digits: genimg.sample(gan, seeds 1000-1006) plus Gaussian noise of std 25/255
  (RandomState(seed)), clipped: digits the GAN can make, off its manifold.
For each: the final pixel MSE of the browser and of the server (default steps, seeds and classifier), their ratio
(target: browser <= 1.25 x server) and the seconds each took (target: browser <= 5 s per digit): wall clock, and
CPU time (the browser's: its Chromium processes', from /proc; the server's: this process's, torch on one thread),
which is what an idle core would take on this shared machine. The browser is warmed up first (runtime, generator
and classifier weights loaded), as a page is after its first inversion. The load average is printed too.

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


def chromium_cpu_seconds() -> float:
    """User + system CPU seconds of this process's Chromium descendants (the browser Playwright started), /proc."""
    tick, parents, cpu = os.sysconf("SC_CLK_TCK"), {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # a process that has just ended
            continue
        name, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        parents[int(stat.parent.name)] = int(fields[1])
        if "chrom" in name:
            cpu[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 1)
            if pid == os.getpid():
                return True
        return False

    return sum(seconds for pid, seconds in cpu.items() if ours(pid))


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
        start, cpu = time.perf_counter(), time.process_time()
        found = genimg.invert(gan, target, steps=args.steps, classifier=classifier)
        server[name] = (found.mse, time.perf_counter() - start, time.process_time() - cpu)

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
                cpu = chromium_cpu_seconds()
                found = page.evaluate(INVERT, [target.ravel().tolist(), args.steps])
                browser[name] = (found["mse"], found["seconds"], chromium_cpu_seconds() - cpu)
            backend = page.evaluate("window.genimg.backend")
            chromium.close()
    finally:
        demo.close()

    print(f"{'target':28s} {'browser MSE':>12s} {'server MSE':>11s} {'ratio':>6s}   {'browser s (cpu)':>15s} "
          f"{'server s (cpu)':>14s}", file=REPORT)
    ratios, walls, cpus = [], [], []
    for name in picks:
        (ours, wall, cpu), (theirs, server_wall, server_cpu) = browser[name], server[name]
        ratios.append(ours / theirs)
        walls.append(wall)
        cpus.append(cpu)
        print(f"{name:28s} {ours:12.5f} {theirs:11.5f} {ours / theirs:6.3f}   {wall:7.2f} ({cpu:5.2f}) "
              f"{server_wall:6.2f} ({server_cpu:5.2f})", file=REPORT)
    print(f"\nratio mean {np.mean(ratios):.3f}, max {np.max(ratios):.3f} (target <= {TARGET_RATIO}); browser seconds "
          f"median {np.median(walls):.2f} wall, {np.median(cpus):.2f} cpu; max {np.max(walls):.2f} wall, "
          f"{np.max(cpus):.2f} cpu (target <= {TARGET_SECONDS}); {args.steps} steps, backend {backend}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", file=REPORT)


if __name__ == "__main__":
    main()
