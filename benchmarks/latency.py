"""Latency of the app's hot paths, printed as JSON: p50/p95 in milliseconds.

- handler: the genimg.app.handlers call itself (slide includes PNG-encoding its image, as Gradio does for the
  browser); sample asks for 16 seeds.
- client: the same endpoints through gradio_client against app.py's demo, launched here, interleaved call by
  call with a bare Gradio endpoint that returns a precomputed result of the same size and the same output
  components (and the same queue setting), so the ratio app/bare is what our code adds to Gradio's own cost.

Targets (2-core CPU): slide <= 10 ms and sample <= 50 ms p50 in the handler; through the client,
each within 1.2x of its bare endpoint.

    python benchmarks/latency.py                 # the repo's checkpoints
    GENIMG_CHECKPOINTS=DIR python benchmarks/latency.py --repeats 20
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
REPORT, sys.stdout = sys.stdout, sys.stderr  # Gradio prints progress to stdout; only the JSON goes there

import gradio as gr  # noqa: E402
from gradio_client import Client, handle_file  # noqa: E402

import app  # noqa: E402  (loads the models and sets torch to one thread, as the app runs)
from genimg.images import png_bytes  # noqa: E402

TARGETS_MS = {"slide": 10.0, "sample": 50.0}
CLIENT_RATIO = 1.2


def percentiles(seconds: list[float]) -> dict:
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "n": len(ms)}


def timed(fn, repeats: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def bare_demo(precomputed: dict) -> gr.Blocks:
    """One endpoint per measured one: same inputs and outputs, returns what the app returned once."""
    with gr.Blocks() as demo:
        model, text, number, z, image = gr.Textbox(), gr.Textbox(), gr.Number(), gr.JSON(), gr.Image(type="filepath")
        out_image = gr.Image(format="png")
        gallery, download = gr.Gallery(format="png"), gr.DownloadButton()
        recon_outputs = [gr.Image(format="png"), gr.Image(format="png"), gr.Markdown(), gr.Image(format="png"),
                         gr.Image(format="png"), gr.JSON()]
        go = gr.Button()
        go.click(lambda m, v: precomputed["slide"], [model, z], out_image, api_name="slide", queue=False,
                 show_progress="hidden")
        go.click(lambda m, s, p, lab: precomputed["sample"], [model, text, number, text], [gallery, download],
                 api_name="sample")
        go.click(lambda m, i: precomputed["reconstruct"], [model, image], recon_outputs, api_name="reconstruct")
    return demo.queue(default_concurrency_limit=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None, help="dataset name (default: the first with a GAN and a VAE)")
    parser.add_argument("--repeats", type=int, default=40, help="client calls per endpoint (handler: 5x that)")
    parser.add_argument("--handler-only", action="store_true", help="only the handler calls (no server, no client)")
    parser.add_argument("--upload", default=str(app.EXAMPLES / "encode" / "photo-on-paper.jpg"))
    args = parser.parse_args()
    model = args.model or next(ds for ds in app.registry.datasets("gan") if ds in app.registry.datasets("vae"))
    z = [0.3] * app.registry.get(model, "vae").model.z_dim
    calls = {
        "slide": (lambda: png_bytes(app.vae_tab.slide(model, z)), (model, z)),
        "sample": (lambda: app.gan_tab.sample(model, "0-15", 1.0, "any"), (model, "0-15", 1.0, "any")),
        "reconstruct": (lambda: app.encode_tab.reconstruct(model, args.upload), (model, handle_file(args.upload))),
    }
    handler = {name: percentiles(timed(fn, 5 * args.repeats)) for name, (fn, _) in calls.items()}
    if args.handler_only:
        print(json.dumps({"model": model, "load_average_1m": round(os.getloadavg()[0], 2), "handler": handler,
                          "targets": {"handler_p50_ms": TARGETS_MS}}, indent=2), file=REPORT)
        return

    precomputed = {"slide": app.vae_tab.slide(model, z), "sample": app.gan_tab.sample(model, "0-15", 1.0, "any"),
                   "reconstruct": app.encode_tab.reconstruct(model, args.upload)}
    _, app_url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
    bare = bare_demo(precomputed)
    _, bare_url, _ = bare.launch(prevent_thread_lock=True, quiet=True)
    app_client, bare_client = Client(app_url, verbose=False), Client(bare_url, verbose=False)
    client = {}
    for name, (_, payload) in calls.items():
        times = {"app": [], "bare": []}
        for _ in range(3):  # warm both
            app_client.predict(*payload, api_name=f"/{name}")
            bare_client.predict(*payload, api_name=f"/{name}")
        for _ in range(args.repeats):  # interleaved, so background load hits both alike
            for side, c in (("app", app_client), ("bare", bare_client)):
                start = time.perf_counter()
                c.predict(*payload, api_name=f"/{name}")
                times[side].append(time.perf_counter() - start)
        app_p, bare_p = percentiles(times["app"]), percentiles(times["bare"])
        client[name] = {"app": app_p, "bare": bare_p, "ratio_p50": round(app_p["p50_ms"] / bare_p["p50_ms"], 3)}
    app_client.close()
    bare_client.close()
    app.demo.close()
    bare.close()

    report = {
        "model": model,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_average_1m": round(os.getloadavg()[0], 2)},
        "handler": handler,
        "client": client,
        "targets": {"handler_p50_ms": TARGETS_MS, "client_ratio_p50": CLIENT_RATIO},
        "met": {**{f"handler_{k}": handler[k]["p50_ms"] <= v for k, v in TARGETS_MS.items()},
                **{f"client_{k}": v["ratio_p50"] <= CLIENT_RATIO for k, v in client.items()}},
    }
    print(json.dumps(report, indent=2), file=REPORT)


if __name__ == "__main__":
    main()
