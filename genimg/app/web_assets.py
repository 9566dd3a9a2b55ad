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
- Gradio wraps its app in its own brotli middleware, which compresses a response only when its path ends in a text
  extension (.js .css .json .html ...): the page itself (at "/", ~450 KB of config), the .wasm runtime, the
  weights (.bin) and the API's JSON answers go out as they are. Compression (below) gzips those (Starlette's
  GZipMiddleware), and leaves event streams (the queue, /gradio_api/call/...), ranges, pictures and videos alone.
  Precompressed answers for the immutable files (weights, runtime) from copies compressed once (brotli 11, gzip 9).
gradio is imported only under genimg/app/ (docs/ARCHITECTURE.md); nothing here runs a model but first_pictures (the
gallery a plain link opens on, made once at start).
"""

import base64
import gzip
import hashlib
import html
import json
import mimetypes
import os
import tempfile
import threading
from pathlib import Path

import numpy as np
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse
from torch import nn

from .. import browser_weights
from ..checkpoints import atomic_write_bytes
from ..directions import Directions
from ..images import png_bytes, to_pil
from ..models import VAE, Classifier, Generator
from ..sampling import sample

try:
    import brotli  # a dependency of gradio's own compression; without it the copies are gzip alone
except ImportError:  # pragma: no cover
    brotli = None

WEB = Path(__file__).resolve().parent / "web"
VENDOR = WEB / "vendor"
FILE_ROUTE = "gradio_api/file="  # Gradio's route for files in allowed/static paths (relative: works under a prefix)
KINDS = {"gan": Generator, "vae": VAE}
EXTRAS = {"classifier": Classifier, "directions": Directions}  # ride with a dataset's GAN
CONFIG_FIELDS = ("model", "kind", "zDim", "shape", "classes", "classPrior", "manifest", "classifier", "directions",
                 "encoder", "hasPrior")  # what the page's config holds of each entry
LONG_CACHE = "public, max-age=31536000, immutable"
FIRST_PICTURES_MAX_BYTES = 24_000  # sent with the page only while they cost less than ~0.15 s on a slow link

mimetypes.add_type("application/wasm", ".wasm")  # instantiateStreaming needs it; older Pythons do not know .wasm
mimetypes.add_type("text/javascript", ".js")


def cache_root() -> Path:
    """Where browser weights are written: $GENIMG_WEB_CACHE, else <system temp>/genimg-web."""
    return Path(os.environ.get("GENIMG_WEB_CACHE") or Path(tempfile.gettempdir()) / "genimg-web").resolve()


def file_url(path: Path, version: str | None = None) -> str:
    """The URL (relative to the page) at which Gradio serves a file in a static path."""
    return FILE_ROUTE + str(Path(path).resolve()) + (f"?v={version}" if version else "")


def export_models(models: dict[str, dict[str, nn.Module | Directions]], root: Path | None = None,
                  url=file_url) -> list[dict]:
    """{"mnist": {"gan": Generator, "vae": VAE, "classifier": Classifier, "directions": Directions}, ...} -> browser
    weights in root/<key>/, and one config entry per GAN and VAE. "classifier" and "directions" are optional and
    ride with the dataset's GAN (inversion's feature loss and start classes; genimg.directions.load_directions).

    An entry is {model, kind, zDim, shape, classes, classPrior, manifest, dtype, bytes}, `manifest` its URL, plus
    for a GAN `classifier` (the classifier's manifest URL or None) and `directions` (how many, 0 for none), for a
    VAE `encoder` (the encoder's manifest URL) and `hasPrior` (a learned prior rides with the decoder). Each
    part is fetched by the page when first needed. `url(path)`: a written file's URL (Gradio's file route; the
    static site's relative paths).
    """
    root = Path(root) if root is not None else cache_root()
    entries = []
    for name, by_kind in models.items():
        extras = {k: by_kind[k] for k in EXTRAS if k in by_kind}
        for kind, expected in EXTRAS.items():
            if kind in extras and not isinstance(extras[kind], expected):
                raise TypeError(f"{name}/{kind}: expected a {expected.__name__}, got a {type(extras[kind]).__name__}")
        for kind, model in by_kind.items():
            if kind in EXTRAS:
                continue
            if kind not in KINDS or not isinstance(model, KINDS[kind]):
                raise TypeError(f"{name}/{kind}: expected kind 'gan' (a Generator) or 'vae' (a VAE), or the "
                                f"extras {', '.join(EXTRAS)}; got {kind!r} for a {type(model).__name__}")
            directions = extras.get("directions") if kind == "gan" else None
            folder = browser_weights.write(model, root, directions=directions)
            manifest = json.loads((folder / browser_weights.MANIFEST).read_text(encoding="utf-8"))
            entry = {"model": name, "kind": kind, "zDim": manifest["zDim"], "shape": manifest["shape"],
                     "classes": manifest["classes"], "classPrior": manifest["classPrior"],
                     "manifest": url(folder / browser_weights.MANIFEST), "dtype": manifest["dtype"],
                     "bytes": manifest["weights"]["bytes"]}
            if kind == "gan":
                classifier = extras.get("classifier")
                fits = classifier is not None and (classifier.image_size, classifier.channels) == (
                    model.image_size, model.channels)
                entry["classifier"] = url(browser_weights.write(classifier, root) / browser_weights.MANIFEST) \
                    if fits else None
                entry["directions"] = len(directions.vectors) if directions is not None else 0
            else:
                encoder = browser_weights.write(model, root, part="encoder")
                entry["encoder"] = url(encoder / browser_weights.MANIFEST)
                entry["hasPrior"] = manifest["prior"] is not None
            entries.append(entry)
    return entries


def vendor_urls(url_of=file_url) -> dict:
    """URLs of the vendored runtime, each with ?v=<its sha256 prefix> from SOURCES.json (so caching is safe);
    `url_of(path, version)` makes one (Gradio's file route; the static site's relative paths)."""
    sources = json.loads((VENDOR / "SOURCES.json").read_text(encoding="utf-8"))["files"]
    version = {e["path"]: e["sha256"][:12] for e in sources}

    def url(path: str) -> str:
        return url_of(VENDOR / path, version[path])

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


def head_html(entries: list[dict], default: tuple[str, str] | None = None, backend: str = "wasm",
              entry: Path | None = WEB / "genimg.js", vendor: dict | None = None, pictures: dict | None = None) -> str:
    """The <head> HTML: the config as JSON data, then `entry` as a module: genimg.js (it sets window.genimg), or
    None when the page loads a module that imports it (page.js: one module instance, one URL). `vendor`: the
    runtime's URLs (default: vendor_urls(), on Gradio's file route). `default`: the model genimg.ready waits for
    besides the runtime (None: the runtime alone; each model's weights come when first used). `pictures`: the
    page's first pictures (first_pictures), or None."""
    if backend not in ("wasm", "cpu", "webgl"):
        raise ValueError(f"backend must be 'wasm', 'cpu' or 'webgl', got {backend!r}")
    config = {"models": [{k: e[k] for k in CONFIG_FIELDS if k in e} for e in entries],
              "default": {"model": default[0], "kind": default[1]} if default else None,
              "vendor": vendor or vendor_urls(), "backend": backend, "pictures": pictures}
    script = f"{module_script(entry)}\n" if entry is not None else ""
    return f'<script type="application/json" id="genimg-config">{script_json(config)}</script>\n' + script


def script_json(value) -> str:
    """JSON for inside a <script type="application/json">: compact, UTF-8, no early </script>."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def versioned_url(path: Path) -> str:
    """A web folder file's URL with ?v=<its content hash>: the same URL wherever the page asks for it."""
    return file_url(path, _digest(path))


def module_script(path: Path) -> str:
    """<script type="module"> for a file of the web folder (versioned URL)."""
    return f'<script type="module" src="{html.escape(versioned_url(path), quote=True)}"></script>'


def test_points(stats, root: Path | None = None, url=file_url) -> str | None:
    """A VAE's test-split posterior means and labels ({mu, labels}, rounded) as a JSON file named by its content, for
    the latent pad; its URL (`url(path)`, as export_models), or None when the VAE has none (registry.LatentStats)."""
    if stats.test_mu is None:
        return None
    blob = json.dumps({"mu": np.round(stats.test_mu, 2).tolist(), "labels": stats.test_labels.tolist()},
                      separators=(",", ":")).encode()
    folder = (Path(root) if root is not None else cache_root()) / "live"
    path = folder / f"points-{hashlib.sha256(blob).hexdigest()[:16]}.json"  # named by content: cached forever
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, blob)
    return url(path)


def setup(models: dict[str, dict[str, nn.Module]], default: tuple[str, str] | None = None, backend: str = "wasm",
          root: Path | None = None, entry: Path | None = WEB / "genimg.js", pictures: dict | None = None) -> str:
    """Export, register, and return the <head> HTML to pass to launch(head=...) (`entry`, `pictures`: see
    head_html)."""
    entries = export_models(models, root)
    register(root)
    return head_html(entries, default, backend, entry, pictures=pictures)


def first_pictures(model: str, gan: Generator, seeds: list[int], psi: float = 1.0, label: str = "any") -> dict | None:
    """The page's first pictures, made here: what genimg.sample(gan, seeds, psi, label) draws, as {model, seeds,
    psi, label, png: [base64 PNG per seed]}. genimg.js hands them to the gallery while the runtime and the GAN's
    weights (~0.5 MB and ~2 MB on a slow link) are still on their way; None when they would weigh more than
    FIRST_PICTURES_MAX_BYTES (64x64 colour pictures), as the page then waits for the runtime instead."""
    images = sample(gan, seeds, psi, label)  # (N, H, W, C) uint8
    png = [base64.b64encode(png_bytes(to_pil(image), optimize=True)).decode("ascii") for image in images]
    if sum(map(len, png)) > FIRST_PICTURES_MAX_BYTES:
        return None
    return {"model": model, "seeds": list(seeds), "psi": psi, "label": label, "png": png}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


class CacheHeaders:
    """ASGI middleware: Cache-Control on Gradio's file route for the browser side's files (see the docstring)."""

    immutable_roots: set[str] = set()  # hash-named weights; vendored files when asked for with ?v=
    revalidate_roots: set[str] = set()  # the ES modules: no-cache, the ETag makes it cheap

    def __init__(self, app):
        self.app = app

    @classmethod
    def cache_control(cls, scope) -> str | None:
        prefix = "/" + FILE_ROUTE
        path = scope.get("path", "")
        if scope.get("type") != "http" or prefix not in path:
            return None
        file = os.path.normpath(path.split(prefix, 1)[1])
        versioned = b"v=" in scope.get("query_string", b"")

        def under(roots):
            return any(file == r or file.startswith(r + os.sep) for r in roots)

        if under(cls.immutable_roots) and (versioned or not file.startswith(str(VENDOR) + os.sep)):
            return LONG_CACHE
        if under(cls.revalidate_roots):
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


# What Gradio 6.31's BrotliMiddleware (gradio/brotli_middleware.py) compresses, by the path's extension; it sits
# outside ours and passes on what is already encoded, so Compression leaves these paths to it (brotli is smaller).
GRADIO_COMPRESSES = (".html", ".htm", ".js", ".css", ".json", ".md", ".txt", ".csv", ".tsv", ".xml", ".svg")
GZIP_MINIMUM_BYTES = 1024  # smaller answers fit a packet or two either way (the queue's small JSON, 304s)
GZIP_LEVEL = 6  # level 9 (Starlette's default) takes ~8x the CPU on tf.min.js for 0.5% fewer bytes
NOT_COMPRESSED = ("/gradio_api/mcp",)  # the MCP server's streamable HTTP (Gradio's brotli skips it too)


class Compression:
    """ASGI middleware: gzip for what Gradio's own compression leaves as it is (see the module docstring): the
    page's HTML, .wasm, weights, the API's JSON. Starlette's GZipMiddleware does the work: it sends small answers,
    206 ranges, answers already encoded, pictures, videos and text/event-stream (Gradio's queue and the
    /gradio_api/call/ results) as they are, and compresses a streamed file chunk by chunk."""

    def __init__(self, app):
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL,
                                   thread_minimum_size=0)  # never on the event loop: a classroom's queue runs there

    @staticmethod
    def wanted(scope) -> bool:
        path = scope.get("path", "")
        return (scope.get("type") == "http" and not path.lower().endswith(GRADIO_COMPRESSES)
                and not any(part in path for part in NOT_COMPRESSED))

    async def __call__(self, scope, receive, send):
        return await (self.gzip if self.wanted(scope) else self.app)(scope, receive, send)


class Precompressed:
    """ASGI middleware: an immutable file (weights, versioned vendored files: what CacheHeaders caches for a year)
    from a copy compressed once at the smallest setting, brotli 11 or gzip 9, as the browser accepts. That is ~20%
    fewer bytes than Gradio's and Compression's on-the-fly settings for tf.min.js and the wasm, ~5% for weights,
    and no CPU per answer when a class opens the page at once. A file's copies are made in a background thread
    the first time it is asked for (kept under cache_root()/compressed, named by the file's path, size and time);
    until then the answer is compressed on the fly."""

    ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
    made: set[str] = set()  # files whose copies exist or are being made (by this process)
    one_at_a_time = threading.Lock()  # a background thread per file, compressing one file at a time

    def __init__(self, app):
        self.app = app

    @staticmethod
    def copy_path(file: str, extension: str) -> Path:
        stat = os.stat(file)
        key = hashlib.sha256(f"{file}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:24]
        return cache_root() / "compressed" / (key + extension)

    @classmethod
    def make_copies(cls, file: str) -> None:
        """Writes the file's brotli and gzip copies (each only when smaller than the file)."""
        with cls.one_at_a_time:
            data = Path(file).read_bytes()
            for encoding, extension in cls.ENCODINGS:
                target = cls.copy_path(file, extension)
                if target.exists() or (encoding == "br" and brotli is None):
                    continue
                packed = brotli.compress(data, quality=11) if encoding == "br" else gzip.compress(data, 9, mtime=0)
                if len(packed) < len(data):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write_bytes(target, packed)

    @classmethod
    def copy_for(cls, scope) -> tuple[Path, str, str] | None:
        """(copy, encoding, file) for a request the copies can answer, else None (making them if they are due)."""
        if scope.get("method") not in ("GET", "HEAD") or CacheHeaders.cache_control(scope) != LONG_CACHE:
            return None
        headers = Headers(scope=scope)
        accepted = headers.get("accept-encoding", "")
        file = os.path.normpath(scope["path"].split("/" + FILE_ROUTE, 1)[1])
        if "range" in headers or not os.path.isfile(file):
            return None
        for encoding, extension in cls.ENCODINGS:
            if encoding in accepted and (encoding != "br" or brotli is not None):
                copy = cls.copy_path(file, extension)
                if copy.is_file():
                    return copy, encoding, file
                break
        if file not in cls.made:  # a daemon thread: a copy half made at exit is never seen (atomic writes)
            cls.made.add(file)
            threading.Thread(target=cls.make_copies, args=(file,), daemon=True, name="genimg-precompress").start()
        return None

    async def __call__(self, scope, receive, send):
        found = self.copy_for(scope) if scope.get("type") == "http" else None
        if found is None:
            return await self.app(scope, receive, send)
        copy, encoding, file = found
        media_type = mimetypes.guess_type(file)[0] or "application/octet-stream"
        response = FileResponse(copy, media_type=media_type, headers={
            "content-encoding": encoding, "vary": "Accept-Encoding", "cache-control": LONG_CACHE})
        await response(scope, receive, send)


def app_kwargs() -> dict:
    """For launch(app_kwargs=...): a fresh dict each time (Gradio adds keys to the one it gets). Compression is the
    outermost of ours: it sees the page after the other middlewares have written it, and passes on what
    Precompressed has answered."""
    return {"middleware": [Middleware(Compression), Middleware(CacheHeaders), Middleware(Precompressed)]}
