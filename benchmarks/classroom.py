"""A classroom on the 2-core server: what a class of 60 costs it. Prints two tables.

(a) Sixty students press Generate, then Encode, then Find in the GAN, all at the same moment. A student's click
    runs in the student's own browser, so what the server sees of a student is the requests that browser sends.
    Sixty headless browsers would measure this machine's 2 cores running sixty Chromiums, not the server, so
    --students real pages (each its own browser context: its own cache, as its own machine) click together,
    their requests are counted (Playwright page.on("request"), Gradio's API only: /gradio_api/..., files
    excepted) and each click's result is checked (the gallery's data-state, the encoding, the found image); the
    rest of the class is what one page sends x 60. --before measures the same burst on the API the old page used
    for those buttons (60 simultaneous `sample`, `reconstruct`, `invert` calls), which is what a class cost when
    the buttons went to the server.
(b) Sixty programs call /sample (16 seeds) at the same moment through gradio_client: failures ("Queue is full"
    or any error), p50 and p95. The server runs in a subprocess (`python app.py`), pinned to the first core by
    default (--pin; students' browsers run on their own machines), this process and its Chromium on the others.

    python benchmarks/classroom.py [--students 3] [--clients 60] [--before]
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
from api_load import call, free_port, wait_until_up  # noqa: E402  (benchmarks/api_load.py)

REPO = Path(__file__).resolve().parents[1]
CLASS_SIZE = 60
SERVE = "import app; app.demo.launch(server_port={port}, quiet=True, **app.LAUNCH)"
DIGIT = REPO / "examples" / "encode" / "photo-on-paper.jpg"


def open_student(browser, url: str):
    """A student's page (its own context), ready, on the GAN tab -> (page, requests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
               else route.abort())
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/gradio_api/" in r.url and "file=" not in r.url
            else None)
    page.goto(url)
    page.wait_for_function("window.genimg && window.genimg.page && window.genimg.status === 'ready'")
    page.wait_for_function("document.getElementById('gan-gallery').dataset.state === 'mnist|0-15|1|any'")
    page.wait_for_timeout(2000)  # the page's own load events are done
    return page, requests


def burst(students: list, action: str) -> tuple[list[int], list[bool], float]:
    """Every student does `action` at once -> (requests each sent, each succeeded, seconds until all were done)."""
    before = [len(requests) for _, requests in students]
    start = time.perf_counter()
    for page, _ in students:  # the clicks, as close together as one process can make them
        if action == "generate":
            page.fill("#seeds textarea", "100-115")
            page.evaluate("document.getElementById('generate').click()")
        elif action == "encode":
            page.evaluate("window.genimg.page.selectTab('encode')")
            page.wait_for_selector("#encode-file", state="attached")
            page.locator("#encode-file").set_input_files(str(DIGIT))
            page.evaluate("document.getElementById('encode-button').click()")
        else:
            page.evaluate("window.genimg.page.selectTab('gan')")
            page.evaluate("window.genimg.page.reveal('gan-invert')")
            page.wait_for_selector("#invert-file", state="attached")
            page.locator("#invert-file").set_input_files(str(DIGIT))
            page.evaluate("document.getElementById('invert').click()")
    done = {"generate": "document.getElementById('gan-gallery').dataset.state === 'mnist|100-115|1|any'",
            "encode": "document.getElementById('encode-view').dataset.state === 'mnist'",
            "find": "document.getElementById('gan-invert').dataset.state === 'mnist'"}[action]
    ok = []
    for page, _ in students:
        try:
            page.wait_for_function(done, timeout=120_000)
            ok.append(True)
        except Exception:  # noqa: BLE001  (a click that never finished is a failure, counted)
            ok.append(False)
    seconds = time.perf_counter() - start
    return [len(requests) - b for (_, requests), b in zip(students, before)], ok, seconds


def api_burst(url: str, clients: int, api_name: str, data: list) -> tuple[int, list[float], list[str]]:
    """`clients` simultaneous calls of one endpoint (Gradio's HTTP API) -> (failures, seconds each, reasons)."""
    times, failures = [None] * clients, [None] * clients
    barrier = threading.Barrier(clients)

    def one(k: int) -> None:
        barrier.wait()
        start = time.perf_counter()
        try:
            failures[k] = call(url, api_name, data, timeout=600, fetch=True)
        except Exception as error:  # noqa: BLE001  (every failure is counted, with its message)
            failures[k] = f"{type(error).__name__}: {str(error)[:80]}"
        times[k] = time.perf_counter() - start

    threads = [threading.Thread(target=one, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reasons = [f for f in failures if f]
    return len(reasons), [t for t, f in zip(times, failures) if not f], reasons


def client_burst(url: str, clients: int) -> tuple[int, list[float], list[str]]:
    """`clients` simultaneous gradio_client /sample calls (16 seeds) -> (failures, seconds each, reasons)."""
    from gradio_client import Client  # noqa: PLC0415

    connected = [Client(url, verbose=False) for _ in range(clients)]
    times, failures = [None] * clients, [None] * clients
    barrier = threading.Barrier(clients)

    def one(k: int) -> None:
        barrier.wait()
        start = time.perf_counter()
        try:
            connected[k].predict("mnist", "0-15", 1.0, "any", api_name="/sample")
        except Exception as error:  # noqa: BLE001  (every failure is counted, with its message)
            failures[k] = str(error)[:80]
        times[k] = time.perf_counter() - start

    threads = [threading.Thread(target=one, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in connected:
        client.close()
    reasons = [f for f in failures if f]
    return len(reasons), [t for t, f in zip(times, failures) if not f], reasons


def uploaded(url: str, path: Path) -> dict:
    """A file put in the server's upload folder, as a browser's upload does -> the FileData to pass."""
    import httpx  # noqa: PLC0415  (Gradio's own HTTP client)

    with open(path, "rb") as f:
        response = httpx.post(f"{url}gradio_api/upload", files={"files": (path.name, f)}, timeout=60)
    response.raise_for_status()
    return {"path": response.json()[0], "meta": {"_type": "gradio.FileData"}, "orig_name": path.name}


def ms(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{np.percentile(values, 50):.2f} / {np.percentile(values, 95):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=3, help="real browser pages (the rest is extrapolated)")
    parser.add_argument("--clients", type=int, default=CLASS_SIZE, help="simultaneous gradio_client calls")
    parser.add_argument("--before", action="store_true", help="also the same burst on the server's endpoints")
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
    rows = []
    try:
        wait_until_up(url, server)
        call(url, "sample", ["mnist", "0-15", 1.0, "any"], timeout=60, fetch=True)  # warm
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=["--no-sandbox", "--disable-gpu",
                                                       "--disable-background-networking"])
            students = [open_student(browser, url) for _ in range(args.students)]
            for action, label in (("generate", "Generate"), ("encode", "Encode"), ("find", "Find in the GAN")):
                sent, ok, seconds = burst(students, action)
                per_click = sum(sent) / len(sent)
                rows.append(f"| {label} | {args.students} pages at once, {seconds:.1f} s until all done | "
                            f"{per_click:g} | {per_click * CLASS_SIZE:g} | {ok.count(False)} of {len(ok)} |")
            browser.close()
        before_rows = []
        if args.before:
            upload = uploaded(url, DIGIT)
            for api_name, data, label in (("sample", ["mnist", "100-115", 1.0, "any"], "Generate"),
                                          ("reconstruct", ["mnist", upload], "Encode"),
                                          ("invert", ["mnist", upload], "Find in the GAN")):
                failures, times, reasons = api_burst(url, CLASS_SIZE, api_name, data)
                before_rows.append(f"| {label} (`/{api_name}` x {CLASS_SIZE}) | {failures} | {ms(times)} | "
                                   f"{', '.join(sorted(set(reasons)))[:60]} |")
        failures, times, reasons = client_burst(url, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          + (f"server on core {cores[0]}, students and clients on the others" if pinned else "all cores shared"))
    print("\n(a) a burst of page clicks\n")
    print("| click | measured | server requests per click | for 60 students | failures |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    if before_rows:
        print("\nthe same burst when the buttons called the server (60 simultaneous calls)\n")
        print("| click | failures | p50 / p95 | reasons |")
        print("|---|---|---|---|")
        print("\n".join(before_rows))
    print(f"\n(b) {args.clients} simultaneous gradio_client /sample calls (16 seeds)\n")
    print("| failures | p50 / p95 | reasons |")
    print("|---|---|---|")
    print(f"| {failures} of {args.clients} | {ms(times)} | {', '.join(sorted(set(reasons)))[:80] or '-'} |")


if __name__ == "__main__":
    main()
