"""API load test: N clients call one endpoint back to back for S seconds; prints JSON with the request count,
failures (by message), p50/p95/p99 latency and throughput.

Each client is a thread speaking Gradio's HTTP API directly (POST /gradio_api/call/<api_name>, then read the
event stream until `complete` or `error`), so the numbers are the server's, without gradio_client's polling.
A request fails on an HTTP error (a full queue answers 503 "Queue is full ..."), an `error` event or a timeout.

    python app.py &                                                      # then, from another shell:
    python benchmarks/api_load.py --clients 32 --seconds 30              # sample 16 seeds, http://127.0.0.1:7860/
    python benchmarks/api_load.py --url http://host:7860/ --api-name slide --data '["mnist", [0, 0, 0, 0]]'
    python benchmarks/api_load.py --serve unbatched --clients 32 --seconds 30   # serves its own Blocks (below)
    python benchmarks/api_load.py --serve batched --clients 32 --seconds 30     # the same with batch=True

(benchmarks/load.py measures something else: opening the page over a slow link.)

--serve builds a small Blocks around the GAN tab's handlers in a subprocess (the repo's checkpoints, or
$GENIMG_CHECKPOINTS) with the same queue settings as app.py: `unbatched` wires GallerySection.sample as app.py does
(concurrency_limit=2), `batched` wires GallerySection.sample_batch with batch=True and max_batch_size=--max-batch-size.
That compares Gradio batching without touching app.py.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def call(url: str, api_name: str, data: list, timeout: float, fetch: bool) -> str | None:
    """One request through the queue; None on success, else a short reason."""
    body = json.dumps({"data": data}).encode()
    request = urllib.request.Request(f"{url}gradio_api/call/{api_name}", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            event_id = json.loads(response.read())["event_id"]
        with urllib.request.urlopen(f"{url}gradio_api/call/{api_name}/{event_id}", timeout=timeout) as stream:
            event = None
            for raw in stream:
                line = raw.decode().strip()
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    if event == "error":
                        return f"error event: {line[5:].strip()[:120]}"
                    if fetch:  # what a browser does next: download each output file
                        for path in files_in(json.loads(line[5:])):
                            urllib.request.urlopen(path, timeout=timeout).read()
                    return None
        return "stream ended without a result"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}: {e.read().decode(errors='replace')[:120]}"
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError, ValueError, KeyError) as e:
        return f"{type(e).__name__}: {str(e)[:120]}"


def files_in(value) -> list[str]:
    if isinstance(value, dict):
        return [value["url"]] if isinstance(value.get("url"), str) else [u for v in value.values() for u in files_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in files_in(v)]
    return []


def run_load(url: str, api_name: str, data: list, clients: int, seconds: float, timeout: float, fetch: bool) -> dict:
    url = url if url.endswith("/") else url + "/"
    latencies: list[float] = []
    failures: Counter = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            reason = call(url, api_name, data, timeout, fetch)
            elapsed = time.perf_counter() - start
            with lock:
                if reason is None:
                    latencies.append(elapsed)
                else:
                    failures[reason] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + timeout + 5)
    wall = time.monotonic() - started
    ms = np.asarray(latencies) * 1000 if latencies else np.zeros(1)
    return {"url": url, "api_name": api_name, "clients": clients, "seconds": round(wall, 1),
            "requests": len(latencies) + sum(failures.values()), "ok": len(latencies),
            "failed": sum(failures.values()), "failures": dict(failures.most_common(5)),
            "p50_ms": round(float(np.percentile(ms, 50)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1),
            "p99_ms": round(float(np.percentile(ms, 99)), 1),
            "throughput_rps": round(len(latencies) / wall, 2)}


# ---- --serve: a small Blocks around the handlers, in its own process -------------------------------------------


def serve(mode: str, port: int, max_batch_size: int) -> None:
    """Blocks with app.py's sample wiring (unbatched) or the batched alternative; blocks until killed."""
    import gradio as gr  # noqa: PLC0415
    import torch  # noqa: PLC0415

    sys.path.insert(0, str(REPO))
    from genimg.app.registry import Registry  # noqa: PLC0415
    from genimg.app.tabs.gan.gallery import GallerySection  # noqa: PLC0415

    torch.set_num_threads(1)  # as app.py
    registry = Registry()
    gan = GallerySection(registry)
    if not registry.datasets("gan"):
        raise SystemExit(f"error: no GAN under {registry.root}: {registry.problems}")
    with gr.Blocks() as demo:
        model = gr.Dropdown(registry.datasets("gan"), value=registry.datasets("gan")[0])
        seeds, psi, label = gr.Textbox("0-15"), gr.Slider(0, 2, value=1.0), gr.Textbox("any")
        gallery, grid_png = gr.Gallery(format="png"), gr.DownloadButton()
        button = gr.Button()
        if mode == "batched":
            button.click(gan.sample_batch, [model, seeds, psi, label], [gallery, grid_png], api_name="sample",
                         batch=True, max_batch_size=max_batch_size, concurrency_id="gan", concurrency_limit=2)
        else:
            button.click(gan.sample, [model, seeds, psi, label], [gallery, grid_png], api_name="sample",
                         concurrency_id="gan", concurrency_limit=2)
    demo.queue(max_size=None, default_concurrency_limit=2)  # as app.py
    demo.launch(server_port=port, quiet=True, max_file_size="5mb", show_error=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen | None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"error: the server exited with code {server.returncode} before answering")
        try:
            urllib.request.urlopen(f"{url}gradio_api/info", timeout=5).read()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit(f"error: no server at {url} after {seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860/", help="a running app (ignored with --serve)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--api-name", default="sample")
    parser.add_argument("--data", default='["mnist", "0-15", 1.0, "any"]', help="the request's inputs, JSON list")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request counts as failed")
    parser.add_argument("--fetch", action="store_true", help="also download each output file, as a browser does")
    parser.add_argument("--serve", choices=["unbatched", "batched"], help="serve a Blocks around the handlers")
    parser.add_argument("--max-batch-size", type=int, default=8)
    parser.add_argument("--port", type=int, help="port for --serve (default: a free one)")
    parser.add_argument("--server-only", choices=["unbatched", "batched"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be at least 1 and --seconds positive")
    try:
        data = json.loads(args.data)
    except json.JSONDecodeError as e:
        parser.error(f"--data must be a JSON list: {e}")
    if args.server_only:
        serve(args.server_only, args.port, args.max_batch_size)
        return 0
    server = None
    url = args.url
    if args.serve:
        args.port = args.port or free_port()
        url = f"http://127.0.0.1:{args.port}/"
        env = dict(os.environ, OMP_NUM_THREADS="1")
        server = subprocess.Popen([sys.executable, __file__, "--server-only", args.serve, "--port", str(args.port),
                                   "--max-batch-size", str(args.max_batch_size)], env=env)
    try:
        wait_until_up(url if url.endswith("/") else url + "/", server)
        result = run_load(url, args.api_name, data, args.clients, args.seconds, args.timeout, args.fetch)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    if args.serve:
        result["serve"] = {"mode": args.serve, "max_batch_size": args.max_batch_size if args.serve == "batched"
                           else None}
    print(json.dumps(result, indent=2))
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
