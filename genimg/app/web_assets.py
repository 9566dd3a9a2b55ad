"""The browser side, served by the app itself: browser weights for the loaded models, the web folder, the <head>.

    from genimg.app import web_assets
    head = web_assets.setup({"mnist": {"gan": gan, "vae": vae}}, default=("mnist", "vae"))
    demo.launch(head=head, app_kwargs=web_assets.app_kwargs())

What Gradio 6.31 offers, and what this uses:
- `gr.set_static_paths([folder])` lets the app serve a folder's files at `/gradio_api/file=<absolute path>`
  (process-wide, as the docs say), inline and with the mimetype Python guesses (.js text/javascript, .wasm
  application/wasm, .json, .bin octet-stream). Starlette's FileResponse gives them ETag and Last-Modified,
  but Gradio sets no Cache-Control on that route and has no option for it.
- `launch(head=...)` (Blocks(head=) is deprecated in 6.x) puts HTML in the page's <head>; the frontend
  re-creates each element with all its attributes, so `<script type="module" src=...>` runs and a
  `<script type="application/json">` stays data. gr.HTML(head=...) drops the `type` attribute: no modules.
- `launch(app_kwargs={"middleware": [...]})` reaches the FastAPI constructor. CacheHeaders (below) adds
  `Cache-Control: public, max-age=31536000, immutable` to the weights (their folder is named by a hash of
  the weights) and to vendored files asked for with ?v=<sha256 prefix>; the small ES modules get
  `no-cache` (revalidated by ETag on each page load, so an edit shows at once).
No gradio import outside this package (DESIGN.md); nothing here runs a model.
"""

import hashlib
import html
import json
import mimetypes
import os
import tempfile
from pathlib import Path

from starlette.middleware import Middleware
from torch import nn

from .. import browser_weights
from ..models import VAE, Generator

WEB = Path(__file__).resolve().parent / "web"
VENDOR = WEB / "vendor"
FILE_ROUTE = "gradio_api/file="  # Gradio's route for files in allowed/static paths (relative: works under a prefix)
KINDS = {"gan": Generator, "vae": VAE}
LONG_CACHE = "public, max-age=31536000, immutable"

mimetypes.add_type("application/wasm", ".wasm")  # instantiateStreaming needs it; older Pythons do not know .wasm
mimetypes.add_type("text/javascript", ".js")


def cache_root() -> Path:
    """Where browser weights are written: $GENIMG_WEB_CACHE, else <system temp>/genimg-web."""
    return Path(os.environ.get("GENIMG_WEB_CACHE") or Path(tempfile.gettempdir()) / "genimg-web").resolve()


def file_url(path: Path, version: str | None = None) -> str:
    """The URL (relative to the page) at which Gradio serves a file in a static path."""
    return FILE_ROUTE + str(Path(path).resolve()) + (f"?v={version}" if version else "")


def export_models(models: dict[str, dict[str, nn.Module]], root: Path | None = None) -> list[dict]:
    """{"mnist": {"gan": Generator, "vae": VAE}, ...} -> browser weights in root/<key>/, and one config entry each.

    An entry is {model, kind, zDim, shape, classes, classPrior, manifest, dtype, bytes}; `manifest` is its URL.
    """
    root = Path(root) if root is not None else cache_root()
    entries = []
    for name, by_kind in models.items():
        for kind, model in by_kind.items():
            if kind not in KINDS or not isinstance(model, KINDS[kind]):
                raise TypeError(f"{name}/{kind}: expected kind 'gan' (a Generator) or 'vae' (a VAE), "
                                f"got {kind!r} for a {type(model).__name__}")
            folder = browser_weights.write(model, root)
            manifest = json.loads((folder / browser_weights.MANIFEST).read_text(encoding="utf-8"))
            entries.append({"model": name, "kind": kind, "zDim": manifest["zDim"], "shape": manifest["shape"],
                            "classes": manifest["classes"], "classPrior": manifest["classPrior"],
                            "manifest": file_url(folder / browser_weights.MANIFEST), "dtype": manifest["dtype"],
                            "bytes": manifest["weights"]["bytes"]})
    return entries


def vendor_urls() -> dict:
    """URLs of the vendored runtime, each with ?v=<its sha256 prefix> from SOURCES.json (so caching is safe)."""
    sources = json.loads((VENDOR / "SOURCES.json").read_text(encoding="utf-8"))["files"]
    version = {e["path"]: e["sha256"][:12] for e in sources}

    def url(path: str) -> str:
        return file_url(VENDOR / path, version[path])

    wasm = ("tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm")
    return {"tfjs": url("tfjs/tf.min.js"), "wasmBackend": url("tfjs-backend-wasm/tf-backend-wasm.min.js"),
            "wasmFiles": {name: url(f"tfjs-backend-wasm/{name}") for name in wasm}}


def register(root: Path | None = None) -> None:
    """Let Gradio serve the web folder and the browser weights (gr.set_static_paths is process-wide)."""
    import gradio as gr  # noqa: PLC0415  (the library part of genimg never imports gradio)

    root = Path(root) if root is not None else cache_root()
    root.mkdir(parents=True, exist_ok=True)
    gr.set_static_paths([WEB, root])
    CacheHeaders.immutable_roots.update({str(root.resolve()), str(VENDOR)})
    CacheHeaders.revalidate_roots.add(str(WEB))


def head_html(entries: list[dict], default: tuple[str, str] | None = None, backend: str = "wasm") -> str:
    """The <head> HTML: the config as JSON data, then genimg.js as a module (it sets window.genimg)."""
    if backend not in ("wasm", "cpu", "webgl"):
        raise ValueError(f"backend must be 'wasm', 'cpu' or 'webgl', got {backend!r}")
    config = {"models": [{k: e[k] for k in ("model", "kind", "zDim", "shape", "classes", "classPrior", "manifest")}
                         for e in entries],
              "default": {"model": default[0], "kind": default[1]} if default else None,
              "vendor": vendor_urls(), "backend": backend}
    data = json.dumps(config, separators=(",", ":")).replace("</", "<\\/")  # no early </script>
    module = file_url(WEB / "genimg.js", _digest(WEB / "genimg.js"))
    return (f'<script type="application/json" id="genimg-config">{data}</script>\n'
            f'<script type="module" src="{html.escape(module, quote=True)}"></script>\n')


def setup(models: dict[str, dict[str, nn.Module]], default: tuple[str, str] | None = None, backend: str = "wasm",
          root: Path | None = None) -> str:
    """Export, register, and return the <head> HTML to pass to launch(head=...)."""
    entries = export_models(models, root)
    register(root)
    return head_html(entries, default, backend)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


class CacheHeaders:
    """ASGI middleware: Cache-Control on Gradio's file route for the browser side's files (see the docstring)."""

    immutable_roots: set[str] = set()  # hash-named weights; vendored files when asked for with ?v=
    revalidate_roots: set[str] = set()  # the ES modules: no-cache, the ETag makes it cheap

    def __init__(self, app):
        self.app = app

    def cache_control(self, scope) -> str | None:
        prefix = "/" + FILE_ROUTE
        path = scope.get("path", "")
        if scope.get("type") != "http" or prefix not in path:
            return None
        file = os.path.normpath(path.split(prefix, 1)[1])
        versioned = b"v=" in scope.get("query_string", b"")

        def under(roots):
            return any(file == r or file.startswith(r + os.sep) for r in roots)

        if under(self.immutable_roots) and (versioned or not file.startswith(str(VENDOR) + os.sep)):
            return LONG_CACHE
        if under(self.revalidate_roots):
            return "no-cache"
        return None

    async def __call__(self, scope, receive, send):
        value = self.cache_control(scope)
        if value is None:
            return await self.app(scope, receive, send)

        async def send_with_header(message):
            if message["type"] == "http.response.start" and message.get("status") in (200, 206, 304):
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": headers + [(b"cache-control", value.encode())]}
            await send(message)

        return await self.app(scope, receive, send_with_header)


def app_kwargs() -> dict:
    """For launch(app_kwargs=...): a fresh dict each time (Gradio adds keys to the one it gets)."""
    return {"middleware": [Middleware(CacheHeaders)]}
