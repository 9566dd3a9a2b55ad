"""The training lab's speed in headless Chromium on this machine, as a user sees it: the Lab tab playing, drawing
every frame (benchmark, not a test; the figures go in README).

- GAN (ring preset = the default settings): training steps/s and frames/s while it plays, and the klGrid curve
  until klGrid < 0.3 (target: within 60 s, >= 50 steps/s at >= 20 frames/s). The same for the grid of Gaussians.
- VAE (beta = 1): epochs/minute over the 1,800 training digits while it plays (target >= 5), and frames/s.
The CPU's load average is printed beside them: the machine is shared, and the lab shares the page's one thread.

    python benchmarks/lab.py                  # the repo's checkpoints (the lab needs none; the app loads them)
    python benchmarks/lab.py --limit 60 --width 1366
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
REPORT, sys.stdout = sys.stdout, sys.stderr  # Gradio prints progress to stdout; only the figures go there

CHROMIUM = "/usr/bin/chromium"
SNAPSHOT = """() => { const ui = genimg.lab.ui; return {steps: ui.run.steps, frames: ui.stats.frames,
  epoch: ui.run.kind === 'vae' ? ui.run.model.epoch : null, drawMs: ui.stats.drawMs, t: performance.now()}; }"""


def say(line: str = "") -> None:
    print(line, file=REPORT, flush=True)


def rates(page, seconds: float) -> dict:
    """Steps/s, frames/s (and epochs/min for the VAE) over `seconds` of playing."""
    a = page.evaluate(SNAPSHOT)
    time.sleep(seconds)
    b = page.evaluate(SNAPSHOT)
    elapsed = (b["t"] - a["t"]) / 1000
    out = {"steps_per_s": (b["steps"] - a["steps"]) / elapsed, "frames_per_s": (b["frames"] - a["frames"]) / elapsed,
           "draw_ms": b["drawMs"]}
    if a["epoch"] is not None:
        out["epochs_per_min"] = (b["epoch"] - a["epoch"]) / elapsed * 60
    return out


def time_to_kl(page, limit: float, target: float = 0.3) -> tuple[float | None, list]:
    """Plays from step 0 and samples klGrid once a second: (seconds until klGrid < target or None, the curve)."""
    start = time.perf_counter()
    curve = []
    while time.perf_counter() - start < limit:
        time.sleep(1.0)
        snap = page.evaluate("() => ({steps: genimg.lab.ui.run.steps, kl: genimg.lab.ui.run.quality().klGrid})")
        elapsed = time.perf_counter() - start
        curve.append((round(elapsed, 1), snap["steps"], round(snap["kl"], 3)))
        if snap["kl"] < target:
            return elapsed, curve
    return None, curve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=float, default=60, help="seconds to wait for klGrid < 0.3 (default 60)")
    parser.add_argument("--width", type=int, default=1366, help="viewport width in CSS pixels (default 1366)")
    parser.add_argument("--only", choices=["gan", "vae"], help="run one half only")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    import app  # noqa: PLC0415  (launching the app is part of the benchmark, not of importing this file)

    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        page.goto(url)
        page.click("#tab-lab-button")
        page.wait_for_function("window.genimg?.lab?.ui?.run", timeout=60_000)
        say(f"# genimg lab benchmark: headless Chromium, backend {page.evaluate('tf.getBackend()')}, "
            f"viewport {args.width} px, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
        for name, preset, data in (("ring", "ring", None), ("grid", "ring", "grid")) if args.only != "vae" else ():
            page.click(f"[data-preset={preset}]")  # defaults, seed 0, playing
            if data:
                page.select_option("#lab-data", data)  # a fresh run on that data, still playing
                page.wait_for_function(f"genimg.lab.ui.run?.options.data === '{data}' && genimg.lab.ui.playing")
            seconds, curve = time_to_kl(page, args.limit)
            speed = rates(page, 5)
            reached = f"{seconds:.1f} s" if seconds else f"more than {args.limit:.0f} s"
            say(f"GAN {name}: {speed['steps_per_s']:.0f} steps/s at {speed['frames_per_s']:.1f} frames/s "
                f"(last frame drawn in {speed['draw_ms']:.0f} ms); klGrid < 0.3 after {reached}")
            say("  curve (s, step, klGrid): " + ", ".join(f"({s}, {n}, {k})" for s, n, k in curve))
        if args.only == "gan":
            return 0
        page.click("[data-preset=vae]")
        page.wait_for_function("genimg.lab.ui.run?.kind === 'vae' && genimg.lab.ui.playing")
        time.sleep(2)
        speed = rates(page, 20)
        quality = page.evaluate("genimg.lab.ui.run.quality()")
        say(f"VAE beta=1: {speed['epochs_per_min']:.1f} epochs/min ({speed['steps_per_s']:.0f} steps/s of 100 digits) "
            f"at {speed['frames_per_s']:.1f} frames/s; held-out loss {quality['heldOutLoss']:.1f} nats after "
            f"{page.evaluate('genimg.lab.ui.run.model.epoch'):.1f} epochs")
        say(f"load average at the end: {os.getloadavg()[0]:.1f}")
        browser.close()
    app.demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
