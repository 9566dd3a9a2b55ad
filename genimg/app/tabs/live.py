"""The live side of the tabs: what runs in the visitor's browser while a hand moves (genimg/app/web/live.js, on
window.genimg), and how the page falls back to the server when the in-browser runtime cannot load.

How a live interaction is wired, with Gradio's own hooks only:
- a slider's `.input` event has `fn=None` and a `js=` hook (the constants below). The hook asks live.js to draw
  the picture and returns the outputs (e.g. the VAE picture as a PNG data URL and z): no request leaves the page.
- when the runtime is not live (still loading, blocked, no wasm), live.js answers null and the hook calls
  `window.genimgServer.<name>()`, which a gr.HTML of the tab registered in its `js_on_load` as
  `trigger('input')`; that gr.HTML's `.input` event is the server handler, with the api_name it always had.
- the live pictures of the GAN tab, the interpolation scrubber and the latent pad are canvases inside gr.HTML
  components of their own (ids gan-live, interp-live, vae-pad), shown only once live.js has drawn into them.
- the page's one notice (`notice()`) says so once when the runtime cannot load, in the browser's language.

Not here: handlers (they stay in the tab modules, unchanged for gradio_client users), the runtime itself
(genimg/app/web/), the browser weights (genimg/browser_weights.py).
"""

import hashlib
import json
from pathlib import Path

import gradio as gr
import numpy as np

from ...checkpoints import atomic_write_bytes
from .. import web_assets
from ..checks import MAX_IMAGES
from ..i18n import TABLES
from ..registry import Registry

SLIDER_SIDE = 256  # as the VAE tab's picture (vae.SLIDER_SIDE)
GALLERY_SIDE = 128  # as the GAN tab's gallery (gan.GALLERY_SIDE)


def launch_options(registry: Registry, first: str | None) -> dict:
    """launch(**...) keywords for the browser side: the <head> (runtime config, genimg.js, live.js) and the
    middleware that sets the cache headers. Exports the loaded models' browser weights (cached by content)."""
    models: dict[str, dict] = {}
    for (dataset, kind), checkpoint in registry.checkpoints.items():
        models.setdefault(dataset, {})[kind] = checkpoint.model
    default = None
    if first is not None and (first, "vae") in registry.checkpoints:
        default = (first, "vae")  # the VAE sliders are what a hand moves first
    elif registry.checkpoints:
        default = next(iter(registry.checkpoints))
    head = web_assets.setup(models, default) + head_html(registry, first)
    return {"head": head, "app_kwargs": web_assets.app_kwargs()}


def head_html(registry: Registry, first: str | None, root: Path | None = None) -> str:
    """live.js's config (the model the page opens on, each VAE's slider order, its test-split means as a lazily
    fetched file) and live.js."""
    root = Path(root) if root is not None else web_assets.cache_root()
    vae = {}
    for dataset, stats in registry.stats.items():
        points = None
        if stats.test_mu is not None:
            blob = json.dumps({"mu": np.round(stats.test_mu, 2).tolist(), "labels": stats.test_labels.tolist()},
                              separators=(",", ":")).encode()
            path = root / "live" / f"points-{hashlib.sha256(blob).hexdigest()[:16]}.json"  # named by content
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(path, blob)
            points = web_assets.file_url(path)
        vae[dataset] = {"order": [int(d) for d in stats.order], "points": points}
    config = {"first": first, "vae": vae, "vaeSide": SLIDER_SIDE, "gallerySide": GALLERY_SIDE, "maxImages": MAX_IMAGES}
    data = json.dumps(config, separators=(",", ":")).replace("</", "<\\/")
    return (f'<script type="application/json" id="genimg-live-config">{data}</script>\n'
            f'{web_assets.module_script(web_assets.WEB / "live.js")}\n')


# ---- the page's notice ----------------------------------------------------------------------------------------

# Strings come in both languages (both_languages); show the browser's, as Gradio picks its i18n table.
PICK_LANGUAGE = """
const lang = (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
element.querySelectorAll("[data-lang]").forEach((span) => { span.hidden = span.dataset.lang !== lang; });
"""

# Shows the notice (as Gradio picks its i18n table) once the runtime has failed, and
# stays hidden while it loads or once it is ready. Checks every 250 ms for up to two minutes.
NOTICE_ON_LOAD = PICK_LANGUAGE + """
let checks = 0;
const timer = setInterval(() => {
  const status = window.genimgLoadError ? "failed" : (window.genimg ? window.genimg.status : "loading");
  checks += 1;
  if (status === "ready") { clearInterval(timer); return; }
  if (status === "failed" || checks > 480) {
    clearInterval(timer);
    element.querySelector(".genimg-notice").hidden = false;
  }
}, 250);
"""


def both_languages(key: str) -> str:
    """One <span data-lang> per locale for the key; the gr.HTML's js_on_load shows the browser's."""
    return "".join(f'<span data-lang="{language}">{table[key]}</span>' for language, table in TABLES.items())


def notice() -> gr.HTML:
    """The page's one line for when the in-browser runtime cannot load (hidden otherwise)."""
    return gr.HTML(f'<div class="genimg-notice" hidden>{both_languages("live_unavailable")}</div>',
                   js_on_load=NOTICE_ON_LOAD, elem_id="genimg-notice")


# ---- VAE tab ---------------------------------------------------------------------------------------------------

# The sliders' input hook: live.js draws into #vae-image's canvas and returns [null, z] for (the server's picture,
# the z JSON); not live, the server does it (the slide_sliders event of the gr.HTML below).
VAE_SLIDE_JS = """async (model, ...values) => {
  const drawn = window.genimgLive ? await window.genimgLive.vaeSlide(model, values) : null;
  if (drawn === null && window.genimgServer) window.genimgServer.vaeSlide();
  return drawn || [];
}"""

VAE_LIVE_ON_LOAD = """
(window.genimgServer = window.genimgServer || {}).vaeSlide = () => trigger("input");
"""


def vae_live() -> gr.HTML:
    """The server path of the sliders (its .input event is slide_sliders); shows nothing."""
    return gr.HTML("", js_on_load=VAE_LIVE_ON_LOAD, elem_id="vae-live", padding=False)


def vae_picture(label: str) -> gr.HTML:
    """The slider picture: a canvas that live.js draws into at once (one frame, no <img> to decode) and that shows
    the server's picture (SHOW_SERVER_PICTURE_JS) when the server made it: model switch, random, reset, upload,
    and every slider step when the runtime is not live. `data-frames` counts the pictures drawn."""
    return gr.HTML(f'<p class="genimg-live-title">{both_languages(label)}</p>'
                   '<canvas class="genimg-picture" width="256" height="256"></canvas>',
                   js_on_load=PICK_LANGUAGE, elem_id="vae-image")


# The server's picture (a hidden gr.Image, elem_id vae-image-server) changed: draw it into #vae-image's canvas,
# unless a newer picture was drawn meanwhile (each drawing takes a ticket, genimgTicket). Needs nothing from
# live.js, so the page without its runtime still shows every picture. null is the live path's "stale": ignored.
SHOW_SERVER_PICTURE_JS = """(value) => {
  const box = document.getElementById("vae-image");
  const url = value && (value.url || (value.path && "/gradio_api/file=" + value.path));
  if (!box || !url) return [];
  const ticket = box.genimgTicket = (box.genimgTicket || 0) + 1;
  const img = new Image();
  img.onload = () => {
    if (box.genimgTicket !== ticket) return;
    const canvas = box.querySelector("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext("2d").drawImage(img, 0, 0);
    box.dataset.frames = Number(box.dataset.frames || 0) + 1;
  };
  img.src = url;
  return [];
}"""


PAD_ON_LOAD = """
const canvas = element.querySelector("canvas");
const point = (event) => {
  const box = canvas.getBoundingClientRect();
  window.genimgLive.padPointer((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  trigger("input");
};
canvas.addEventListener("pointerdown", (event) => { canvas.setPointerCapture(event.pointerId); point(event); });
canvas.addEventListener("pointermove", (event) => { if (event.buttons) point(event); });
"""

PAD_MAP_JS = """async (model, dimX, dimY, z) => {
  if (window.genimgLive && await window.genimgLive.padMap(model, dimX, dimY, z)) {
    document.getElementById("vae-pad").classList.add("genimg-live-on");
  }
  return [];
}"""

PAD_SLIDE_JS = """async (model, ...values) =>
  (window.genimgLive && await window.genimgLive.padSlide(model, values)) || []"""


def vae_pad() -> gr.HTML:
    """The latent pad: the decoded map with the test split's means on it; click or drag to set the two dimensions."""
    return gr.HTML(f'<p class="genimg-live-title">{both_languages("live_pad_title")}</p>'
                   '<canvas class="genimg-pad" width="400" height="400"></canvas>',
                   js_on_load=PAD_ON_LOAD + PICK_LANGUAGE, elem_id="vae-pad", elem_classes="genimg-live")


# The model selector: fetch the new model's networks at once (no request later, while a hand moves).
WARM_JS = """(model) => { if (window.genimgLive) window.genimgLive.warm(model).catch(() => {}); return []; }"""


# ---- GAN tab ---------------------------------------------------------------------------------------------------

GAN_LIVE_JS = """async (model, seeds, psi, label) => {
  if (window.genimgLive) await window.genimgLive.ganRender(model, seeds, psi, label);
  return [];
}"""

INTERPOLATE_JS = """async (model, seedA, seedB, t, psi, label) => {
  if (window.genimgLive) await window.genimgLive.interpolate(model, seedA, seedB, t, psi, label);
  return [];
}"""


def gan_live() -> gr.HTML:
    """The live grid: the current seeds at the current psi and class, drawn in the browser while psi moves."""
    return gr.HTML(f'<p class="genimg-live-title">{both_languages("live_gan_title")}</p>'
                   '<canvas class="genimg-grid"></canvas><p class="genimg-live-caption"></p>',
                   js_on_load=PICK_LANGUAGE, elem_id="gan-live", elem_classes="genimg-live")


def interpolate_live() -> gr.HTML:
    """The scrubber's frame, drawn in the browser."""
    return gr.HTML(f'<p class="genimg-live-title">{both_languages("live_interpolate_title")}</p>'
                   '<canvas class="genimg-frame"></canvas><p class="genimg-live-caption"></p>',
                   js_on_load=PICK_LANGUAGE, elem_id="interp-live", elem_classes="genimg-live")
