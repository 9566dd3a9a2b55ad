"""First load for a far student: the app's page in headless Chromium over a throttled link, beside a bare Gradio
page (one textbox) served and measured in the same run; prints a table.

The throttle (Chrome DevTools Protocol `Network.emulateNetworkConditions`): 300 ms round trip, 1.5 Mbit/s down,
750 kbit/s up, on every request of a fresh browser context (an empty cache: a first visit). Measured from the
navigation's start (the page's performance.now()), run by run, bare and app alternating:
- text: the first paint with text on it (first-contentful-paint): the blank page ends;
- input: the first text box visible (bare: its textbox; app: the GAN tab's seeds box, #seeds);
- gallery: the GAN gallery drawn (#gan-gallery has data-state: pictures of the page's state are on screen);
- ready: the live runtime ready (window.genimg.status === 'ready');
- bytes and requests: what went over the wire (encoded bytes, headers included) until the gallery, and in all
  (until, after the runtime was ready, nothing has been on its way for --quiet s: idle prefetches included).
Targets: gallery <= 1.5x the bare page's input; ready <= 12 s.

    python benchmarks/load.py                    # serves app.py (the repo's checkpoints) and the bare page
    python benchmarks/load.py --runs 5 --json    # more runs; also print every run as JSON
    python benchmarks/load.py --runs 1 --requests   # also list each request of the app's visit (when, how big)
    python benchmarks/load.py --url http://host:7860/   # an app already running (the bare page still served here)

The servers run in subprocesses (the app: `app.demo.launch(**app.LAUNCH)`, as `python app.py`), so the browser
and the servers share this machine's cores; the load average is printed beside the figures.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
THROTTLE = {"offline": False, "latency": 300, "downloadThroughput": 1_500_000 / 8, "uploadThroughput": 750_000 / 8}
SERVE_APP = "import app; app.demo.launch(server_port={port}, quiet=True, **app.LAUNCH)"
SERVE_BARE = ("import gradio as gr\nwith gr.Blocks() as demo:\n    gr.Textbox(label='name')\n"
              "demo.launch(server_port={port}, quiet=True)")
INPUT = {"bare": "textarea, input[type=text]", "app": "#seeds textarea, #seeds input"}

# Runs in the page before its own scripts: records when each milestone is first true (ms from navigation start).
MARKS = """(selector) => {
  const marks = window.__loadMarks = {};
  const shown = (el) => { if (!el) return false; const r = el.getBoundingClientRect();
                          return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const check = () => {
    const now = performance.now();
    if (marks.input === undefined && shown(document.querySelector(selector))) marks.input = now;
    const gallery = document.getElementById('gan-gallery');
    if (marks.gallery === undefined && gallery && gallery.dataset.state) marks.gallery = now;
    const status = window.genimg && window.genimg.status;
    if (marks.ready === undefined && (status === 'ready' || status === 'failed')) { marks.ready = now;
                                                                                 marks.status = status; }
  };
  setInterval(check, 20);
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
}"""
PAINT = "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? null"


def free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(code: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, OMP_NUM_THREADS="1", GRADIO_ANALYTICS_ENABLED="False")
    server = subprocess.Popen([sys.executable, "-c", code.format(port=port)], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"error: a server exited with code {server.returncode} before answering")
        try:
            urllib.request.urlopen(url + "gradio_api/info", timeout=5).read()
            return server, url
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"error: no server at {url} after 300 s")


def kind_of(url: str) -> str:
    """A request's kind for the breakdown."""
    path = url.split("?", 1)[0]
    if "/vendor/" in path:
        return "runtime"
    if path.endswith((".bin", "/manifest.json")) or "/genimg-web/" in path:
        return "weights"
    if "/genimg/app/web/" in path:
        return "modules"
    if "/gradio_api/" in path and "file=" not in path:
        return "api"
    if "/assets/" in path or "/static/" in path or path.endswith((".js", ".css", ".woff2", ".svg")):
        return "gradio"
    return "html"


def visit(browser, url: str, kind: str, timeout: float, quiet: float) -> dict:
    """One first visit over the throttled link -> {text, input, gallery, ready (s), bytes, requests, ...}."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Network.emulateNetworkConditions", THROTTLE)
    wire = {}  # requestId -> {url, bytes, start, end} (s from the visit's start)
    began = time.monotonic()
    clock = {"last": began}

    def started(event):
        if event["request"]["url"].startswith("data:"):
            return  # not on the wire
        wire.setdefault(event["requestId"], {"url": event["request"]["url"], "bytes": 0,
                                             "start": round(time.monotonic() - began, 2), "end": None})
        clock["last"] = time.monotonic()

    def finished(event):
        entry = wire.get(event["requestId"])
        if entry is not None:
            entry.update(bytes=event.get("encodedDataLength", 0), end=round(time.monotonic() - began, 2))
        clock["last"] = time.monotonic()

    cdp.on("Network.requestWillBeSent", started)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", finished)
    page.add_init_script(f"({MARKS})({json.dumps(INPUT[kind])})")
    page.goto(url, wait_until="commit", timeout=timeout * 1000)
    wanted = ("input",) if kind == "bare" else ("input", "gallery", "ready")
    marks = {}
    gallery_at = None
    while time.monotonic() - began < timeout:
        marks = page.evaluate("window.__loadMarks || {}")
        if "gallery" in marks and gallery_at is None:
            gallery_at = time.monotonic()
            at_gallery = {k: dict(v) for k, v in wire.items()}
        if all(k in marks for k in wanted):
            break
        page.wait_for_timeout(100)
    def busy():
        return any(e["end"] is None for e in wire.values()) or time.monotonic() - clock["last"] < quiet

    while busy() and time.monotonic() - began < timeout + quiet:
        page.wait_for_timeout(200)  # until nothing is on its way and nothing new was asked for (prefetches land)
    paint = page.evaluate(PAINT)
    status = marks.get("status")
    context.close()
    by_kind = {}
    for entry in wire.values():
        row = by_kind.setdefault(kind_of(entry["url"]), {"bytes": 0, "requests": 0})
        row["bytes"] += entry["bytes"]
        row["requests"] += 1
    result = {"text": paint, **{k: marks.get(k) for k in ("input", "gallery", "ready")}, "status": status,
              "bytes": sum(e["bytes"] for e in wire.values()), "requests": len(wire), "by_kind": by_kind,
              "wire": sorted(wire.values(), key=lambda e: e["start"])}
    if gallery_at is not None:
        result["gallery_bytes"] = sum(e["bytes"] for e in at_gallery.values())
        result["gallery_requests"] = len(at_gallery)
    result = {k: (round(v / 1000, 2) if k in ("text", "input", "gallery", "ready") and v is not None else v)
              for k, v in result.items()}
    return result


def summary(runs: list[dict]) -> dict:
    """The median of each figure over runs (None where a run never got there)."""
    out = {}
    for key in ("text", "input", "gallery", "ready", "bytes", "requests", "gallery_bytes", "gallery_requests"):
        values = [r.get(key) for r in runs]
        out[key] = median(values) if values and all(v is not None for v in values) else None
    kinds = sorted({k for r in runs for k in r["by_kind"]})
    out["by_kind"] = {k: {f: median(r["by_kind"].get(k, {}).get(f, 0) for r in runs) for f in ("bytes", "requests")}
                      for k in kinds}
    return out


def table(bare: dict, app: dict, runs: int) -> str:
    def seconds(v):
        return "-" if v is None else f"{v:.1f} s"

    def size(v):
        return "-" if v is None else f"{v / 1e6:.2f} MB"

    target = 1.5 * bare["input"] if bare["input"] else None
    rows = [("", "bare Gradio page", "genimg app", "target"),
            ("first paint with text", seconds(bare["text"]), seconds(app["text"]), ""),
            ("input box visible", seconds(bare["input"]), seconds(app["input"]), ""),
            ("first gallery drawn", "", seconds(app["gallery"]), f"<= {seconds(target)} (1.5x bare input)"),
            ("live runtime ready", "", seconds(app["ready"]), "<= 12.0 s"),
            ("bytes until the gallery", "", size(app["gallery_bytes"]), ""),
            ("requests until the gallery", "", str(app["gallery_requests"] or "-"), ""),
            ("bytes in all", size(bare["bytes"]), size(app["bytes"]), ""),
            ("requests in all", str(bare["requests"]), str(app["requests"]), "")]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"median of {runs} first visits, 300 ms RTT, 1.5 Mbit/s down, 750 kbit/s up "
             f"(load average {os.getloadavg()[0]:.1f})"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append("")
    lines.append("genimg app, in all, by kind: " + ", ".join(
        f"{k} {v['bytes'] / 1e3:.0f} kB / {v['requests']:g}" for k, v in app["by_kind"].items()))
    met = [app["gallery"] is not None and target is not None and app["gallery"] <= target,
           app["ready"] is not None and app["ready"] <= 12.0]
    verdict = ["met" if ok else "MISSED" for ok in met]
    lines.append(f"targets: first gallery {verdict[0]}, live runtime {verdict[1]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="first visits of each page (the median is printed)")
    parser.add_argument("--url", help="an app already running (default: serve app.py here)")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds a visit may take")
    parser.add_argument("--quiet", type=float, default=3.0, help="seconds of no network that end a visit")
    parser.add_argument("--json", action="store_true", help="also print every run as JSON")
    parser.add_argument("--requests", action="store_true", help="also list the app's requests (its last visit)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    servers = []
    try:
        bare_server, bare_url = serve(SERVE_BARE)
        servers.append(bare_server)
        app_url = args.url
        if app_url is None:
            app_server, app_url = serve(SERVE_APP)
            servers.append(app_server)
        results = {"bare": [], "app": []}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for run in range(args.runs):
                for kind, url in (("bare", bare_url), ("app", app_url)):
                    results[kind].append(visit(browser, url, kind, args.timeout, args.quiet))
                    brief = {k: v for k, v in results[kind][-1].items() if k != "wire"}
                    print(f"run {run + 1} {kind}: {json.dumps(brief)}", file=sys.stderr)
            browser.close()
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
    bare, app = summary(results["bare"]), summary(results["app"])
    print(table(bare, app, args.runs))
    if args.requests:
        print("\nthe app's last visit, request by request (start, end s; kB; URL):")
        for e in results["app"][-1]["wire"]:
            end = "-" if e["end"] is None else f"{e['end']:6.2f}"
            print(f"{e['start']:6.2f} {end} {e['bytes'] / 1e3:8.1f}  {e['url'][:150]}")
    if args.json:
        print(json.dumps({kind: [{k: v for k, v in r.items() if k != "wire"} for r in runs]
                          for kind, runs in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
