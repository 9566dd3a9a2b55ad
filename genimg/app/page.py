"""The Gradio shell of the browser page (genimg/app/web/page.js): what the tabs use to put the page's views and
hooks on a gr.Blocks page, and what launch() needs for it.

- `head(registry, first)`: the <head> for launch(head=...): the runtime's config and genimg.js (web_assets), the
  page's config (models, tabs, strings, VAE slider orders) and page.js.
- `view(name)`: a gr.HTML that page.js fills with a view (gallery, VAE picture, pad, ...), mounted from its
  one-line js_on_load.
- `hook("set", "psi")` etc.: the one-line `js=` of an event with fn=None that hands control values to page.js.
- `Sync`: a gr.HTML page.js triggers when the state changed outside Gradio (a link, "random", the pad, a recipe):
  its event's js returns the state's values for the controls it was given (a dict: name -> component).
- `PageHtml`: middleware that puts web/boot.js first in the page's <head>: it makes the link's `lang` (the
  language switch) the page's language before Gradio starts, and sets the cookie i18n.request_language reads; what
  Gradio draws with (gradio_assets) and the page's modules are announced early (slow links); a skeleton in the
  <body> (title, "loading") shows until Gradio has drawn the page.

No handlers here; no JavaScript beyond one-line calls (the code is in genimg/app/web/).
"""

import functools
import html
import json
import re
from pathlib import Path

import gradio as gr
from starlette.requests import Request

from .. import recipes
from ..checkpoints import CheckpointError
from ..directions import load_directions
from ..inversion import classifier_beside
from ..version import __version__
from . import gradio_assets, web_assets
from .i18n import TABLES, request_language
from .registry import Registry

TABS = ("gan", "vae", "encode", "card", "how", "lab", "quiz")
LESSONS = ("ring", "mode_collapse", "vanishing", "d_strong", "d_weak", "vae", "posterior_collapse")  # lab/presets.js
QUIZ_IMAGES = web_assets.WEB / "quiz"  # <dataset>.png + .json: the quiz's real images (genimg/app/quiz_images.py)
FIRST_GALLERY = (list(range(16)), 1.0, "any")  # seeds, psi, class a plain link opens on (state.js defaults())
PAGE_JS = web_assets.WEB / "page.js"
BOOT_JS = web_assets.WEB / "boot.js"
# Locale keys the browser side reads (views, notices); the rest are Gradio's (labels) or the server's (notes).
NOT_FOR_PAGE = ("lab_", "how_", "card_", "chart_")


def page_strings() -> dict[str, dict[str, str]]:
    """{"en": {...}, "zh": {...}}: the locale keys page.js and its views use (short strings, no Markdown)."""
    return {language: {k: v for k, v in table.items() if not k.endswith("_md") and not k.startswith(NOT_FOR_PAGE)}
            for language, table in TABLES.items()}


def direction_labels(gan) -> dict | None:
    """{"labels": ["d0 · 8.1%", ...]} for a GAN checkpoint's discovered directions, or None without them."""
    if gan is None:
        return None
    try:
        found = load_directions(gan.path, gan.model.z_dim)
    except CheckpointError:
        return None
    return {"labels": found.labels()} if found is not None else None


def detector_figures(card: dict) -> dict | None:
    """The machine's answer beside the quiz: a GAN card's metrics.detector (python -m genimg.evaluate DIR --detect)
    as {accuracy, auc, tested: how many held-out images it was scored on}, or None when it is not measured."""
    detector = (card.get("metrics") or {}).get("detector")
    if not isinstance(detector, dict) or not isinstance(detector.get("accuracy"), (int, float)):
        return None
    tested = detector.get("test") if isinstance(detector.get("test"), dict) else {}
    real = re.search(r"\((\d+)\)", str(tested.get("real", "")))  # "test split (1000)"
    generated = tested.get("generated")
    return {"accuracy": detector["accuracy"],
            "auc": detector["auc"] if isinstance(detector.get("auc"), (int, float)) else None,
            "tested": int(real.group(1)) + generated if real and isinstance(generated, int) else None}


def quiz_config(registry: Registry) -> dict[str, dict]:
    """{dataset: what the quiz view needs}, for each dataset whose GAN has real images of its own size and colour
    in web/quiz/: the sprite's URL and layout, each real image's class, and the detector's figures (or None)."""
    quiz = {}
    for dataset in registry.datasets("gan"):
        gan, meta_path = registry.checkpoints[(dataset, "gan")], QUIZ_IMAGES / f"{dataset}.json"
        if not meta_path.is_file():
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if (meta["size"], meta["channels"]) != (gan.model.image_size, gan.model.channels):
            continue  # another dataset under the same name: its real images would give the answer away
        quiz[dataset] = {"sprite": web_assets.versioned_url(QUIZ_IMAGES / f"{dataset}.png"),
                         **{k: meta[k] for k in ("size", "channels", "columns", "count", "labels")},
                         "detector": detector_figures(gan.card)}
    return quiz


def page_config(registry: Registry, first: str | None, points: dict[str, str | None]) -> dict:
    """What page.js reads: the models and what each serves (state.js's context), the strings, VAE slider orders."""
    models = {}
    for dataset in registry.datasets():
        gan, vae = registry.checkpoints.get((dataset, "gan")), registry.checkpoints.get((dataset, "vae"))
        models[dataset] = {"classes": registry.class_choices(dataset)[1:], "zDim": vae.model.z_dim if vae else 0,
                           "gan": gan is not None, "vae": vae is not None,
                           "prior": bool(vae is not None and vae.model.prior is not None),
                           # what recipes name (recipes.checkpoint_id), and the editor's sliders without the runtime
                           "checkpoints": {kind: recipes.checkpoint_id(c.path)
                                           for kind, c in (("gan", gan), ("vae", vae)) if c is not None},
                           "directions": direction_labels(gan)}
    vae = {dataset: {"order": [int(d) for d in stats.order], "points": points.get(dataset)}
           for dataset, stats in registry.stats.items()}
    return {"context": {"models": models, "tabs": list(TABS), "lessons": list(LESSONS), "first": first},
            "strings": page_strings(), "vae": vae, "version": __version__, "quiz": quiz_config(registry)}


def browser_models(registry: Registry) -> dict[str, dict]:
    """What the browser runs, per dataset: the GAN and the VAE, and beside the GAN its classifier (inversion's
    feature loss and start classes) and its discovered directions, when they are there (web_assets.export_models)."""
    models: dict[str, dict] = {}
    for (dataset, kind), checkpoint in registry.checkpoints.items():
        models.setdefault(dataset, {})[kind] = checkpoint.model
        if kind != "gan":
            continue
        try:
            classifier = classifier_beside(checkpoint.path)
            directions = load_directions(checkpoint.path, checkpoint.model.z_dim)
        except CheckpointError:  # a broken file: that part stays on the server (the registry lists it)
            classifier = directions = None
        models[dataset].update({k: v for k, v in (("classifier", classifier), ("directions", directions)) if v})
    return models


def head(registry: Registry, first: str | None, examples: dict[str, list[Path]] | None = None) -> str:
    """launch(head=...): the runtime's config (with the gallery's first pictures), then the page's config + page.js
    (which imports genimg.js). `examples`: pictures the encode view offers, per model (served from where they are)."""
    gan = registry.checkpoints.get((first, "gan"))
    pictures = web_assets.first_pictures(first, gan.model, *FIRST_GALLERY) if gan is not None else None
    runtime = web_assets.setup(browser_models(registry), default=None, entry=None,  # page.js imports genimg.js
                               pictures=pictures)
    points = {dataset: web_assets.test_points(stats) for dataset, stats in registry.stats.items()}
    config = page_config(registry, first, points)
    examples = examples or {}
    gr.set_static_paths(sorted({str(path.parent) for paths in examples.values() for path in paths}))
    config["examples"] = {model: [web_assets.file_url(path) for path in paths] for model, paths in examples.items()}
    page = f'<script type="application/json" id="genimg-page">{web_assets.script_json(config)}</script>\n'
    return runtime + page + web_assets.module_script(PAGE_JS) + "\n"


def page_url() -> str:
    """page.js's URL, exactly as <head> loads it: a view's import() of it then gets the same module instance."""
    return web_assets.versioned_url(PAGE_JS)


def view(name: str, elem_id: str, **props) -> gr.HTML:
    """A gr.HTML page.js fills with view `name` (genimg/app/web/views/); empty until page.js has loaded. Extra
    keywords are gr.HTML's (css_template, ...) or props the view reads (e.g. the Lab's strings)."""
    return gr.HTML("", elem_id=elem_id, padding=False, page=page_url(), view=name,
                   js_on_load="import(new URL(props.page, document.baseURI).href)"
                              ".then((page) => page.mount(element, props.view, props));", **props)


def hook(function: str, *fields: str, passthrough: bool = False) -> str:
    """An event's js: its inputs handed to window.genimg.page.<function>, prefixed by `fields` as strings;
    'set' with one field makes {field: value}. Before page.js has loaded it does nothing, or (passthrough, for an
    event that goes on to the server) hands the inputs on as they are."""
    if function == "set" and len(fields) == 1:
        return f"(value) => window.genimg?.page?.set({{{json.dumps(fields[0])}: value}}) ?? []"
    quoted = "".join(f"{json.dumps(field)}, " for field in fields)
    return f"(...values) => window.genimg?.page?.{function}({quoted}...values) ?? {'values' if passthrough else '[]'}"


def api_endpoint(fn, inputs, outputs, api_name: str, **kwargs):
    """An endpoint for gradio_client, MCP and the page's fallback (server.js) with no button on the page: a hidden
    trigger. `outputs` are new components (they are hidden here); `inputs` may be the page's own controls."""
    outputs_list = outputs if isinstance(outputs, list) else [outputs]
    for component in outputs_list:
        component.visible = False
    return gr.Button(visible=False).click(fn, inputs, outputs, api_name=api_name, **kwargs)


def set_to(field: str, value) -> str:
    """An event's js that sets one state field to a constant (a tab's select event: {tab: "vae"})."""
    return f"() => window.genimg?.page?.set({{{json.dumps(field)}: {json.dumps(value)}}}) ?? []"


class Sync:
    """A gr.HTML page.js triggers to show the state in Gradio's controls: `controls` maps a state field (or 'z<k>' for
    VAE slider k) to its component; the event's js returns page.js's controlValues() in that order."""

    def __init__(self, controls: dict[str, gr.components.Component]):
        self.controls = controls
        self.html = gr.HTML("", elem_id="genimg-sync", padding=False, names=list(controls), page=page_url(),
                            js_on_load="import(new URL(props.page, document.baseURI).href)"
                                       ".then((page) => page.connect(trigger, props.names));")
        self.html.change(None, None, list(controls.values()), js="() => window.genimg.page.controlValues()",
                         queue=False, show_progress="hidden", api_visibility="private")


# ---- the language: ?lang= (and the switch) before Gradio starts, and in the server's answers ----------------------

# The page's own modules, announced in its HTML (<link rel="modulepreload">): fetched while Gradio's code loads, not
# after it (on a slow link ~20 module requests queued behind Gradio's ~60 chunks cost seconds). First page.js, what
# it imports and the view of the first picture (page.js imports views when they are shown); then, at low priority,
# what genimg.js imports with the runtime (after the first picture).
PRELOADED = (PAGE_JS, web_assets.WEB / "views" / "gallery.js")
PRELOADED_LATER = tuple(web_assets.WEB / name for name in ("runtime.js", "models.js", "invert.js", "preprocess.js"))
STATIC_IMPORT = re.compile(r"^\s*(?:import|export)\s[^;()]*?[\"'](\.\.?/[^\"']+\.js)[\"']", re.M)


def static_imports(entries) -> list[Path]:
    """`entries` and the web modules they import statically (not import()), and so on down, each once."""
    found: list[Path] = []
    pending = [Path(entry).resolve() for entry in entries]
    while pending:
        module = pending.pop(0)
        if module in found:
            continue
        found.append(module)
        pending += [(module.parent / name).resolve() for name in STATIC_IMPORT.findall(module.read_text("utf-8"))]
    return found


@functools.lru_cache(maxsize=4)
def preload_links(entries: tuple, priority: str, before: tuple = ()) -> str:
    """<link rel="modulepreload"> for `entries` and what they import (less what `before`'s did), at the URLs the
    page asks for them (page.js versioned as <head> loads it, the rest as imports resolve)."""
    done = set(static_imports(before)) if before else set()
    urls = [page_url() if path == PAGE_JS.resolve() else web_assets.file_url(path)
            for path in static_imports(entries) if path not in done]
    return "".join(f'<link rel="modulepreload" fetchpriority="{priority}" href="{html.escape(url, quote=True)}">'
                   for url in urls)


# What the page shows at once, before Gradio's JavaScript has drawn anything (~3 s on a slow link): a title and a
# line in the page's language, styled here (no JavaScript), hidden as soon as Gradio has drawn a block.
SKELETON_CSS = (
    "#genimg-skeleton{order:-1;box-sizing:border-box;width:100%;max-width:1280px;margin:0 auto;"
    "padding:24px 32px;font-family:system-ui,sans-serif;line-height:1.5}"
    "#genimg-skeleton h1{font-size:1.6rem;margin:0 0 .5rem}#genimg-skeleton p{margin:0;opacity:.75}"
    "body:has(gradio-app .block) #genimg-skeleton{display:none}"
    "@supports not selector(:has(a)){#genimg-skeleton{display:none}}")  # no way to hide it later: none at all


def skeleton(lang: str) -> str:
    """The page's skeleton in `lang` ("en" or "zh"): a <div> that goes right after <gradio-app> (shown first)."""
    title, loading = (html.escape(TABLES[lang][key]) for key in ("site_title", "page_loading"))
    return (f'<div id="genimg-skeleton" lang="{lang}" role="status"><style>{SKELETON_CSS}</style>'
            f"<h1>{title}</h1><p>{loading}</p></div>")


def page_language(scope) -> str:
    """The language the page opens in: the link's `lang`, else the server's rule (cookie, Accept-Language)."""
    request = Request(scope)
    lang = request.query_params.get("lang")
    return lang if lang in TABLES else request_language(request)


BASE = re.compile(rb"<base [^>]*>")


def page_html(body: bytes, lang: str) -> bytes:
    """Gradio's page -> ours: at the top of <head> (after its <base>, as URLs resolve from there) the fetches of
    what Gradio's page draws with (gradio_assets), the page's own first modules and web/boot.js inline (a
    parser-blocking script: a file would cost a round trip before anything else); before </head> Gradio's
    components' stylesheets and the modules the runtime needs later; after <gradio-app> the skeleton in `lang`."""
    fetches, styles = gradio_assets.early_links(body)
    boot = BOOT_JS.read_text(encoding="utf-8").replace("</", "<\\/")
    early = fetches + preload_links(PRELOADED, "auto").encode() + f"<script>{boot}</script>".encode()
    later = styles + preload_links(PRELOADED_LATER, "low", PRELOADED).encode()
    head = body.find(b"<head>") + len(b"<head>")
    base = BASE.search(body, head, body.find(b"</head>"))  # relative URLs resolve from here on
    at = base.end() if base else head
    body = (body[:at] + early + body[at:]).replace(b"</head>", later + b"</head>", 1)
    return body.replace(b"</gradio-app>", b"</gradio-app>" + skeleton(lang).encode(), 1)


class PageHtml:
    """ASGI middleware: the page's HTML as page_html makes it (web/boot.js sets navigator.language from the link's
    `lang` before Gradio picks its labels' language, and the genimg-lang cookie the server reads)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") != "GET" or not scope.get("path", "").endswith("/"):
            return await self.app(scope, receive, send)
        start = {}

        async def send_page(message):
            if message["type"] == "http.response.start":
                start.update(message)  # held until the body is known to be the page's HTML
                return
            if message["type"] == "http.response.body" and start:
                headers = dict(start.get("headers", []))
                body = message.get("body", b"")
                if headers.get(b"content-type", b"").startswith(b"text/html") and b"<head>" in body:
                    body = page_html(body, page_language(scope))
                    start["headers"] = [(k, str(len(body)).encode() if k.lower() == b"content-length" else v)
                                        for k, v in start.get("headers", [])]
                await send(dict(start))
                start.clear()
                return await send({**message, "body": body})
            await send(message)

        return await self.app(scope, receive, send_page)


def launch_options(registry: Registry, first: str | None, examples: dict[str, list[Path]] | None = None) -> dict:
    """launch(**...) for the page: its <head> and the middleware (compression, cache headers, the language boot
    script and the skeleton)."""
    kwargs = web_assets.app_kwargs()
    kwargs["middleware"].append(web_assets.Middleware(PageHtml))
    return {"head": head(registry, first, examples), "app_kwargs": kwargs}

