"""A classroom on the 2-core server: 60 students dragging VAE sliders at 20 events/s for 30 s, while one more
client asks for /sample (16 seeds) back to back; prints a table.

Method (what is simulated, and why so):
- With the live page a student's drag runs in the student's own browser, so what the server sees of a student
  is the requests that browser sends. Sixty headless browsers would measure this machine's 2 cores running
  sixty copies of Chromium, not the server, so a few real students are measured and the rest extrapolated:
  --students real pages (each its own browser context: its own cache, as its own machine), opened on the app
  (served by `python app.py` in a subprocess), each dragging the first VAE slider with input events every 50 ms
  for --seconds s while its requests are counted (Playwright page.on("request")). Requests per dragging student
  x 60 = what 60 students send while dragging (the issue wants 0). Each page's picture changes are counted
  too, to show the drags were drawn.
- The concurrent client: benchmarks/load.py's HTTP client (POST /gradio_api/call/sample, read the stream, GET
  the grid PNG, as a browser does), one call after another: p50/p95 with no students (idle), then during the
  real students' drags. The real pages run on this same machine; students' browsers run on their own machines,
  so by default (--pin) the server process gets the first CPU core to itself (in both measurements, idle and
  during) and this process, its client and the Chromium it starts get the others: the server pays for what
  the students send, not for their Chromium. --no-pin shares every core: an upper bound.
- Opening the page is not free: its requests and bytes (Resource Timing) per student, from a cold cache, and
  x 60 for a class opening the page at once; a reload within a year revalidates or reuses the cached runtime.

For comparison, the server-side sliders this replaces (issue 15, same machine): the server saturates near 35
slider events/s in total; 10 dragging students saw 298 ms p50, 30 saw 841 ms, 60 saw 2.1 s.

    python benchmarks/classroom.py [--students 3] [--seconds 30]
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import call, free_port, wait_until_up  # noqa: E402  (benchmarks/load.py)

REPO = Path(__file__).resolve().parents[1]
CLASS_SIZE = 60
EVENTS_PER_SECOND = 20
SERVE = "import app; app.demo.launch(server_port={port}, quiet=True, **app.LAUNCH)"

# A student's hand: an input event on the first VAE slider every 50 ms, sweeping -2.5..2.5 and back.
DRAG = """([seconds, perSecond]) => {
  const input = document.querySelector('#z-slider-0 input[type=range]');
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const box = document.getElementById('vae-image');
  let k = 0, pictures = 0, last = box.dataset.frames;
  window.__drag = new Promise((resolve) => {
    const timer = setInterval(() => {
      const value = -2.5 + 0.1 * Math.abs((k++ % 100) - 50);
      set.call(input, value.toFixed(2));
      input.dispatchEvent(new Event('input', {bubbles: true}));
      if (box.dataset.frames !== last) { pictures += 1; last = box.dataset.frames; }
    }, 1000 / perSecond);
    setTimeout(() => { clearInterval(timer); resolve({events: k, pictures}); }, seconds * 1000);
  });
}"""


def sample_latencies(url: str, stop: threading.Event, out: list) -> None:
    """Back-to-back /sample calls (16 seeds, + the grid PNG GET) until stop; seconds per call into out."""
    while not stop.is_set():
        start = time.perf_counter()
        failure = call(url, "sample", ["mnist", "0-15", 1.0, "any"], timeout=60, fetch=True)
        if failure is None:
            out.append(time.perf_counter() - start)


def measure_sample(url: str, seconds: float) -> list[float]:
    stop, out = threading.Event(), []
    thread = threading.Thread(target=sample_latencies, args=(url, stop, out))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    return out


def ms(values: list[float]) -> str:
    return f"{np.percentile(values, 50) * 1000:.0f} / {np.percentile(values, 95) * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=3, help="real browser pages (the rest is extrapolated)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True,
                        help="server on the first core, the students' Chromium on the others (default)")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    pinned = args.pin and len(cores) > 1
    server_cores = {cores[0]} if pinned else set(cores)

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-c", SERVE.format(port=port)], cwd=REPO,
                              env={**os.environ, "OMP_NUM_THREADS": str(len(server_cores))},
                              preexec_fn=lambda: os.sched_setaffinity(0, server_cores),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if pinned:
        os.sched_setaffinity(0, set(cores[1:]))  # this process, its client threads and the Chromium it starts
    try:
        wait_until_up(url, server)
        call(url, "sample", ["mnist", "0-15", 1.0, "any"], timeout=60, fetch=True)  # warm
        idle = measure_sample(url, args.seconds)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=["--no-sandbox", "--disable-gpu",
                                                       "--disable-background-networking"])
            students = []
            for _ in range(args.students):
                context = browser.new_context(viewport={"width": 1280, "height": 1000})  # its own cache
                page = context.new_page()
                page.set_default_timeout(180_000)
                page.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname
                           == "127.0.0.1" else route.abort())
                requests = []
                page.on("request", lambda r, requests=requests: requests.append(r.url))
                page.goto(url)
                page.wait_for_function("window.genimg && window.genimg.status === 'ready' && window.genimgLive")
                page.evaluate("window.genimgLive.warmed")
                page.wait_for_timeout(3000)  # let the page's first loads settle ("networkidle" never comes: the
                # page keeps an open event stream to the server)
                loaded = page.evaluate("performance.getEntriesByType('resource').reduce((s, e) => s + "
                                       "e.transferSize, 0) + performance.getEntriesByType('navigation')[0]"
                                       ".transferSize")
                page.locator("[role=tablist]").first.get_by_role("tab").nth(1).click()
                page.wait_for_function("Number(document.getElementById('vae-image').dataset.frames || 0) > 0")
                page.wait_for_timeout(500)
                students.append({"page": page, "requests": requests, "opened": (len(requests), loaded)})

            for student in students:
                student["before"] = len(student["requests"])
                student["page"].evaluate(DRAG, [args.seconds, EVENTS_PER_SECOND])
            during = measure_sample(url, args.seconds)
            for student in students:
                student["drag"] = student["page"].evaluate("window.__drag")
                student["sent"] = student["requests"][student["before"]:]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    sent = [len(s["sent"]) for s in students]
    per_student = sum(sent) / len(sent)
    opened_requests = np.mean([s["opened"][0] for s in students])
    opened_bytes = np.mean([s["opened"][1] for s in students])
    drags = ", ".join(f"{s['drag']['events']} ({s['drag']['pictures']})" for s in students)
    out = [f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.students} real students, "
           f"{args.seconds:.0f} s at {EVENTS_PER_SECOND} events/s each; "
           + (f"server on core {cores[0]}, students and client on the others" if pinned else "all cores shared"),
           "", "| | value |", "|---|---|",
           f"| input events per real student (pictures drawn) | {drags} |",
           f"| server requests per dragging student (measured) | {per_student:g} |",
           f"| server requests from {CLASS_SIZE} dragging students (extrapolated) | {per_student * CLASS_SIZE:g} |",
           f"| /sample 16 seeds p50 / p95, idle (ms) | {ms(idle)} (n={len(idle)}) |",
           f"| /sample p50 / p95 during the real students' drags (ms) | {ms(during)} (n={len(during)}) |",
           f"| ratio of p50s (want <= 1.2) | {np.percentile(during, 50) / np.percentile(idle, 50):.2f} |",
           f"| opening the page, per student: requests, bytes (cold cache) | {opened_requests:.0f}, "
           f"{opened_bytes / 1e6:.1f} MB |",
           f"| {CLASS_SIZE} students opening the page | {opened_bytes * CLASS_SIZE / 1e6:.0f} MB |"]
    print("\n".join(out))
    if any(sent):
        print("requests sent while dragging:", [s["sent"][:5] for s in students], file=sys.stderr)


if __name__ == "__main__":
    main()
