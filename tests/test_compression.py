"""What a slow link gets from the app (genimg/app/web_assets.py Compression and Precompressed, page.py PageHtml),
over plain HTTP with `Accept-Encoding`: the page, its modules, the API's JSON, the wasm runtime and the weights come
compressed; event streams, ranges and gradio_client's calls go through the compression untouched; the page carries
its skeleton in the link's language and its first pictures. Tiny "mnist" checkpoints; the browser weights and their
compressed copies in a tmp folder (GENIMG_WEB_CACHE)."""

import base64
import gzip
import io
import json
import re
import time
import urllib.request
from pathlib import Path

import brotli
import numpy as np
import pytest
from gradio_client import Client
from PIL import Image
from test_app import import_app, tiny_mnist_checkpoints

from genimg.app import gradio_assets, web_assets
from genimg.app import page as page_module
from genimg.app.i18n import EN, ZH
from genimg.models import Generator
from genimg.sampling import sample


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GENIMG_WEB_CACHE", str(tmp_path_factory.mktemp("web-cache")))
        app = import_app(tiny_mnist_checkpoints(tmp_path_factory.mktemp("checkpoints")))
        _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
        try:
            yield app, url
        finally:
            app.demo.close()


def get(url: str, encoding: str | None = None, **headers) -> tuple[dict, bytes]:
    """GET -> (headers with lower-case names, the body as sent: still compressed)."""
    if encoding:
        headers["Accept-Encoding"] = encoding
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


def decoded(headers: dict, body: bytes) -> bytes:
    return {"gzip": gzip.decompress, "br": brotli.decompress}.get(headers.get("content-encoding"), bytes)(body)


def runtime_config(app) -> dict:
    """The page's runtime config (genimg-config, as head_html wrote it)."""
    found = re.search(r'<script type="application/json" id="genimg-config">(.*?)</script>', app.LAUNCH["head"])
    return json.loads(found.group(1).replace("<\\/", "</"))


def path_of(url: str) -> Path:
    return Path(url.split(web_assets.FILE_ROUTE, 1)[1].split("?")[0])


def test_the_page_comes_gzipped_with_its_skeleton_and_early_fetches(served):
    _, url = served
    headers, body = get(url, "gzip, deflate")
    page = gzip.decompress(body).decode()
    assert headers["content-encoding"] == "gzip" and len(body) < len(page) / 3
    assert int(headers["content-length"]) == len(body)
    assert 'id="genimg-skeleton"' in page and EN["page_loading"] in page
    head = page[:page.index("</head>")]
    assert head.index("<base ") < head.index('<link rel="modulepreload" crossorigin href="./assets/') < head.index(
        "window.gradio_config")  # after <base>: relative to it, as Gradio's own
    assert page_module.page_url() in head.split("window.gradio_config")[0]  # page.js announced, at the top
    assert "navigator.language" in head.split("window.gradio_config")[0]  # boot.js inline, before Gradio's code
    plain_headers, plain = get(url)  # no Accept-Encoding: as it is
    assert "content-encoding" not in plain_headers and b'id="genimg-skeleton"' in plain


def test_the_page_announces_what_gradio_draws_with(served):
    """Each kind of component Gradio draws: its module asked for at the top of <head>, before Gradio's config; its
    stylesheets inline at the end of <head>, each with a disabled <link> (Vite's loader then fetches none)."""
    _, url = served
    _, body = get(url)
    page = body.decode()
    head = page[:page.index("</head>")]
    top, rest = head.split("window.gradio_config", 1)
    drawn, examples = gradio_assets.shown_kinds(json.loads(gradio_assets.config_json(body)))
    assert {"textbox", "slider", "dropdown", "button", "html", "tabs", "accordion"} <= set(drawn)
    assert "video" not in drawn and "json" not in drawn  # hidden: Gradio does not load them, neither does the page
    assert {"textbox", "slider", "dropdown"} <= set(examples)  # the GAN tab's examples
    table = gradio_assets.kinds()
    static = set(re.findall(r'<link rel="stylesheet" crossorigin href="\./assets/([^"]+)"', head))  # Gradio's own
    inlined = 0
    for kind, variant in [(k, "component") for k in drawn] + [(k, "example") for k in examples]:
        module, *files = table[kind][variant]
        assert f'<link rel="modulepreload" crossorigin href="./assets/{module}">' in top
        for sheet in files:
            if sheet.endswith(".css") and sheet not in static and gradio_assets.inlinable(sheet) is not None:
                assert f'<link rel="stylesheet" disabled href="./assets/{sheet}">' in rest
                assert gradio_assets.inlinable(sheet) in rest
                inlined += 1
    assert inlined > 20


def test_gradios_table_of_components_is_read_whole():
    """The pinned Gradio's table (core-*.js): every kind the app uses, each file it names on disk."""
    table = gradio_assets.kinds()
    assert {"accordion", "button", "dataset", "dropdown", "gallery", "html", "image", "json", "markdown",
            "nativeplot", "number", "radio", "slider", "textbox", "video"} <= set(table)
    for variants in table.values():
        for files in variants.values():
            assert files and all((gradio_assets.ASSETS / f).is_file() for f in files)
    core = next(gradio_assets.ASSETS.glob("core-*.js")).read_text(encoding="utf-8")
    listed = set(re.findall(r":\(\)=>[\w$]+\(\(\)=>import\(`\./([^`]+)`\)[^`]{0,40}?__vite__mapDeps", core))
    assert len(listed) > 80 and listed <= {files[0] for variants in table.values() for files in variants.values()}
    assert gradio_assets.early_links(b"<html><head><title>x</title></head><body></body></html>") == (b"", b"")
    page = b'<head><script type="module" crossorigin src="./assets/index.js"></script>'
    assert gradio_assets.early_links(page + b"<script>window.gradio_config = {not json;</script></head>") == (b"", b"")


@pytest.mark.parametrize(("query", "header", "words"), [("?lang=zh", "en-US", ZH), ("", "zh-CN,zh;q=0.9", ZH),
                                                        ("", "fr-FR", EN), ("?lang=en", "zh-CN", EN)])
def test_the_skeleton_speaks_the_page_language(served, query, header, words):
    _, url = served
    _, page = get(url + query, **{"Accept-Language": header})
    skeleton = re.search(r'<div id="genimg-skeleton"[^>]*>.*?</div>', page.decode(), re.S).group(0)
    assert words["page_loading"] in skeleton and words["site_title"] in skeleton
    assert f'lang="{"zh" if words is ZH else "en"}"' in skeleton


def test_modules_json_wasm_and_weights_come_compressed(served):
    app, url = served
    config = runtime_config(app)
    module = url + page_module.page_url()
    for encoding, expected in (("gzip", "gzip"), ("gzip, br", "br")):  # Gradio's brotli (gzip when br is not sent)
        headers, body = get(module, encoding)
        assert headers.get("content-encoding") == expected
        assert decoded(headers, body) == page_module.PAGE_JS.read_bytes()
    headers, body = get(url + "gradio_api/info", "gzip")  # the API's JSON: ours
    assert headers["content-encoding"] == "gzip" and "/sample" in json.loads(gzip.decompress(body))["named_endpoints"]
    wasm = config["vendor"]["wasmFiles"]["tfjs-backend-wasm-simd.wasm"]
    gan = next(m for m in config["models"] if m["model"] == "mnist" and m["kind"] == "gan")
    weights = gan["manifest"].replace("manifest.json", "weights.bin")
    for file_url, mime in ((wasm, "application/wasm"), (gan["manifest"], "application/json"),
                           (weights, "application/octet-stream")):
        headers, body = get(url + file_url, "gzip")
        assert headers["content-encoding"] == "gzip" and headers["content-type"].startswith(mime), file_url
        assert gzip.decompress(body) == path_of(file_url).read_bytes()
        assert len(body) < path_of(file_url).stat().st_size


def test_immutable_files_are_answered_from_copies_compressed_once(served):
    app, url = served
    gan = next(m for m in runtime_config(app)["models"] if m["model"] == "mnist" and m["kind"] == "gan")
    file_url = gan["manifest"].replace("manifest.json", "weights.bin")
    file = str(path_of(file_url))
    get(url + file_url, "gzip, br")  # the first answer asks for the copies
    copies = {encoding: web_assets.Precompressed.copy_path(file, extension)
              for encoding, extension in web_assets.Precompressed.ENCODINGS}
    deadline = time.monotonic() + 120
    while not all(copy.exists() for copy in copies.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    for accepted, encoding in (("gzip, deflate, br", "br"), ("gzip", "gzip")):
        headers, body = get(url + file_url, accepted)
        assert headers["content-encoding"] == encoding and body == copies[encoding].read_bytes()
        assert decoded(headers, body) == Path(file).read_bytes()
        assert headers["cache-control"] == web_assets.LONG_CACHE and "accept-encoding" in headers["vary"].lower()
    headers, body = get(url + file_url, "gzip, br", Range="bytes=0-99")  # a range: the file's own bytes
    assert "content-encoding" not in headers and body == Path(file).read_bytes()[:100]


def test_event_streams_pass_through_untouched(served):
    _, url = served
    request = urllib.request.Request(f"{url}gradio_api/call/sample", json.dumps({"data": ["mnist", "0-3", 1.0,
                                                                                         "any"]}).encode(),
                                     {"Content-Type": "application/json", "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:
        event_id = json.loads(response.read())["event_id"]
    headers, stream = get(f"{url}gradio_api/call/sample/{event_id}", "gzip, br")
    assert headers["content-type"].startswith("text/event-stream") and "content-encoding" not in headers
    events = stream.decode()
    assert "event: complete" in events
    gallery = json.loads(events.split("event: complete", 1)[1].split("data:", 1)[1].split("\n", 1)[0])[0]
    assert [item["caption"] for item in gallery] == [f"seed {s}" for s in range(4)]


def test_gradio_client_calls_through_the_compression(served):
    _, url = served
    client = Client(url, verbose=False)
    try:
        gallery, grid = client.predict("mnist", "0-5", 1.0, "any", api_name="/sample")
        assert len(gallery) == 6 and Path(grid).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        client.close()


def test_the_first_pictures_are_the_gans_own_and_small(served):
    app, _ = served
    sent = runtime_config(app)["pictures"]
    assert {k: sent[k] for k in ("model", "seeds", "psi", "label")} == {
        "model": "mnist", "seeds": list(range(16)), "psi": 1.0, "label": "any"}  # state.js defaults()
    images = sample(app.registry.get("mnist", "gan").model, sent["seeds"], 1.0, "any")  # (16, 28, 28, 1)
    decoded_pngs = [np.asarray(Image.open(io.BytesIO(base64.b64decode(png)))) for png in sent["png"]]
    assert all(np.array_equal(png, image[..., 0]) for png, image in zip(decoded_pngs, images, strict=True))
    colour = Generator(z_dim=8, image_size=64, channels=3, width=8)  # 16 noisy 64x64 RGB pictures: too heavy to send
    assert web_assets.first_pictures("emoji", colour, list(range(16))) is None
