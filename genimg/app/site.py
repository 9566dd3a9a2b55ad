"""The static site: every part of genimg that runs in the browser, as a folder of plain files that any web server
serves (a free Static Space on Hugging Face, GitHub or Gitee Pages, a school's web server) or none at all
(`python -m http.server` in the folder, from a laptop or a USB stick).

    python -m genimg.app.site site/                              # the committed checkpoints -> site/
    python -m genimg.app.site site/ --checkpoints runs/ckpts     # other checkpoints (<dir>/<dataset>/gan|vae/)
    cd site && python -m http.server                             # then open http://localhost:8000

What the folder holds (every URL in it is relative, so it works under any path, and it asks for nothing outside it):
    index.html       the static shell: the runtime's and the page's config (as the Gradio page has them), the shell's
                     strings, then web/static.js, which builds plain HTML controls and tabs over the same page state
                     and mounts the same views (genimg/app/web/views/) as the Gradio page
    web/             those ES modules, the Lab and its digits, the app's style, and the vendored runtime and KaTeX
                     (only the files SOURCES.json lists, with their licences)
    weights/         browser weights of every GAN and VAE, with the classifier and directions beside a GAN
    data/            the latent pad's test-split points
    examples/        the pictures the encode tab offers
    figures/         the pictures training left beside each checkpoint (model cards), D's real/generated pair
    text-en.json     How it works (Markdown + LaTeX), the model cards, the figures' numbers and charts (SVG), the
    text-zh.json     Lab's strings: one file per language, loaded when a tab that needs it opens
    README.md        a Static Space's front matter (sdk: static) and how to serve the folder
    .nojekyll        tells GitHub Pages to serve the files as they are

What is not here: what a server computes per request. MP4 export, the nearest training images and the HTTP/MCP API
need the Gradio app (python app.py); the page says so where it matters. How it works' checks on the live models
(D's scores, the KL per dimension, the loss curves) are computed here, at build time, and the page says that too.
Every file stays under 10 MB and the folder under 20 MB (a Space without LFS; a quick first load), or the build
fails saying which files are largest.
"""

import argparse
import html
import json
import math
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..checkpoints import checkpoints_root
from ..models.vae import LOW_KL
from ..plots import settled_range
from ..version import __version__
from . import teaching, vendor, web_assets
from .charts import IN_USE, LOSS_PANELS, TAB10, UNUSED
from .i18n import TABLES, text
from .page import BOOT_JS, browser_models, page_config
from .registry import Registry
from .tabs.card import card_markdown
from .tabs.encode import encode_examples
from .tabs.lab import lab_strings
from .tabs.vae import VaeTab

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"  # examples/<dataset>/<class>_0.png and examples/encode/, as app.py reads them
STYLE = Path(__file__).resolve().parent / "style.css"
MAX_FILE_BYTES = vendor.MAX_BYTES  # a Space without LFS refuses a file of 10 MB or more
MAX_SITE_BYTES = 20_000_000  # 20 MB: the whole folder
WEB_SUFFIXES = (".js", ".css", ".json", ".png")  # what web/ holds for the browser (outside vendor/)
MARKER = '<meta name="generator" content="genimg.app.site">'  # a folder with this index.html may be rebuilt
# Strings the static shell shows that the page's own table (page.page_strings) leaves out: tab names, Markdown intros.
SHELL_KEYS = ("app_intro_md", "lab_intro_md", "gan_invert_help_md", "card_tab", "how_tab", "lab_tab", "how_section_gan",
              "how_section_vae", "how_section_measure", "how_section_pitfalls", "how_section_faq",
              "card_gan_samples_label", "card_vae_samples_label", "card_gan_curves_label", "card_vae_curves_label",
              "how_real_image_label", "how_fake_image_label")
DISCRIMINATOR_SEED = 0  # the generated image How it works shows D (the Gradio app lets a student pick)
FIGURE_SIDE = 140  # as the Gradio tab's HOW_SIDE

SPACE_README = """---
title: genimg
emoji: 🎨
colorFrom: indigo
colorTo: pink
sdk: static
app_file: index.html
pinned: false
license: mit
short_description: A GAN and a VAE that run in your browser, no server
---

# genimg, static

The browser part of genimg {version}: sample a GAN from seeds, slide through a VAE's
latent space, encode a picture, find an image in the GAN, watch a GAN and a VAE train in the Lab, and read how it all
works. Everything runs in the visitor's browser: this folder is plain files, with nothing to install and no server
code. Built with `python -m genimg.app.site`.

Serve it from any web server, or with no server at all:

```bash
cd this-folder && python -m http.server     # then open http://localhost:8000 (works offline, from a USB stick too)
```

MP4 videos, the nearest training images and the API for programs (MCP) need the Gradio app (`python app.py`).
{left_out}"""

INDEX = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
{marker}
<title>{title}</title>
<script src="web/boot.js"></script>
<link rel="stylesheet" href="web/static.css">
<link rel="stylesheet" href="web/style.css">
<link rel="stylesheet" href="web/lab/lab.css">
{runtime}<script type="application/json" id="genimg-page">{page}</script>
<script type="application/json" id="genimg-static">{shell}</script>
<script type="module" src="web/static.js"></script>
</head>
<body>
<main id="genimg-site"><noscript><p>{needs_js}</p></noscript><p class="site-loading">{usb}</p></main>
</body>
</html>
"""


class SiteError(Exception):
    """The site cannot be built as asked (a folder in the way, a file or the whole over its size); says what to do."""


# ---- the build --------------------------------------------------------------------------------------------------

@dataclass
class Site:
    """What a build wrote: {relative path: bytes}, and what was left out to stay within the budget (one line each)."""

    sizes: dict[str, int]
    left_out: list[str]


def build(out: Path, registry: Registry, examples_dir: Path = EXAMPLES) -> Site:
    """Write the site into `out` (new, empty, or an earlier site, which is replaced). It is built beside `out` and
    moved there only when whole and within its sizes: a failed build leaves `out` as it was."""
    out = check_target(out)
    if not registry.datasets():
        raise SiteError(f"no checkpoints under {registry.root}: nothing to put on the site "
                        "(pass --checkpoints DIR with <dataset>/gan|vae/ folders)")
    problems = vendor.check()
    if problems:
        raise SiteError("the vendored files do not match SOURCES.json (run python -m genimg.app.vendor --fetch):\n  "
                        + "\n  ".join(problems))
    staging = out.parent / f".{out.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        left_out = write(staging, registry, examples_dir)
        sizes = check_sizes(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return Site(sizes, left_out)


def check_target(out: Path) -> Path:
    """`out`, absolute, when the site may be written there: a new or empty folder, or an earlier site."""
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not is_site(out))):
        raise SiteError(f"{out} is not empty and holds no earlier site; pick a new or empty folder")
    return out


def is_site(folder: Path) -> bool:
    """Whether `folder` holds a site this module wrote (its index.html carries MARKER): the only kind replaced."""
    index = folder / "index.html"
    return index.is_file() and MARKER in index.read_text(encoding="utf-8", errors="replace")


def write(out: Path, registry: Registry, examples_dir: Path) -> list[str]:
    """Every file of the site into the empty folder `out` -> what was left out to stay within the budget."""
    url = relative_to(out)
    copy_web(out)
    entries = web_assets.export_models(browser_models(registry), out / "weights", url=url)
    points = {ds: web_assets.test_points(stats, out / "data", url=url) for ds, stats in registry.stats.items()}
    config = page_config(registry, registry.first(), points)
    for quiz in config.get("quiz", {}).values():  # the quiz's sprite: the site's copy in web/quiz/
        quiz["sprite"] = web_url(quiz["sprite"], out)
    examples = encode_examples(registry, examples_dir)
    config["examples"] = {model: [url(copy_file(path, out / "examples" / path.parent.name / path.name))
                                  for path in paths] for model, paths in examples.items()}
    for language in TABLES:
        write_json(out / f"text-{language}.json", language_text(registry, examples_dir, out, language))
    shell = shell_config(registry, katex_urls(out, url))
    page = index_html(entries, config, shell, out, url)
    left_out = drop_classifiers(out, entries, MAX_SITE_BYTES - len(page.encode()) - 4096)  # 4096: the README
    (out / "index.html").write_text(index_html(entries, config, shell, out, url), encoding="utf-8")
    (out / "README.md").write_text(SPACE_README.format(version=__version__, left_out="".join(
        f"\nLeft out to stay within {MAX_SITE_BYTES / 1e6:.0f} MB: {line}\n" for line in left_out)), encoding="utf-8")
    (out / ".nojekyll").write_bytes(b"")  # GitHub Pages: serve the files as they are
    return left_out


def index_html(entries: list[dict], config: dict, shell: dict, out: Path, url) -> str:
    """index.html: the runtime's config (relative URLs), the page's and the shell's, then web/static.js."""
    vendor_urls = web_assets.vendor_urls(
        url_of=lambda path, version: url(out / "web" / "vendor" / path.relative_to(web_assets.VENDOR), version))
    return INDEX.format(
        lang="en", marker=MARKER, title=html.escape(text("site_title", "en")),
        runtime=web_assets.head_html(entries, None, "wasm", entry=None, vendor=vendor_urls),
        page=web_assets.script_json(config), shell=web_assets.script_json(shell),
        usb=html.escape(text("site_usb", "en")),
        needs_js=" · ".join(html.escape(text("site_needs_js", language)) for language in TABLES))


def drop_classifiers(out: Path, entries: list[dict], budget: int) -> list[str]:
    """A GAN's classifier rides along only for inversion (its feature loss and the classes it starts from), so it is
    what leaves first when the site is over `budget` bytes, largest first; that model's inversion then matches
    pixels and tries every class, as genimg.invert does without a classifier. -> one line per classifier left out."""
    def size(folder: Path) -> int:
        return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())

    used = size(out)
    left_out = []
    riding = sorted((e for e in entries if e.get("classifier")), key=lambda e: -size((out / e["classifier"]).parent))
    for entry in riding:
        if used <= budget:
            break
        folder = (out / entry["classifier"]).parent
        entry["classifier"] = None
        if folder.is_dir() and not any(e.get("classifier") and (out / e["classifier"]).parent == folder
                                       for e in entries):
            used -= size(folder)
            shutil.rmtree(folder)
        left_out.append(f"{entry['model']}/classifier ({entry['model']} inversion matches pixels only)")
    return left_out


def relative_to(out: Path):
    """url(path, version=None): a file under `out` as the page's relative URL ('weights/ab12/manifest.json?v=...')."""
    out = out.resolve()

    def url(path: Path, version: str | None = None) -> str:
        return Path(path).resolve().relative_to(out).as_posix() + (f"?v={version}" if version else "")
    return url


def web_url(gradio_url: str, out: Path) -> str:
    """A web/ file's URL on Gradio's file route (what the page's config holds) -> the site's copy of it, relative."""
    path, _, query = gradio_url.removeprefix(web_assets.FILE_ROUTE).partition("?")
    relative = Path(path).resolve().relative_to(web_assets.WEB)  # ValueError for anything outside web/
    return (Path("web") / relative).as_posix() + (f"?{query}" if query else "")


def copy_file(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def copy_web(out: Path) -> None:
    """web/: the ES modules, views and Lab (with its digits), the app's style, and the vendored files SOURCES.json
    lists (with their licences). The non-SIMD wasm stays: browsers without wasm SIMD (Safari before 16.4, so many
    school iPads) would otherwise fall back to tfjs's much slower cpu backend."""
    web = out / "web"
    for path in sorted(web_assets.WEB.rglob("*")):
        relative = path.relative_to(web_assets.WEB)
        if path.is_file() and relative.parts[0] != "vendor" and path.suffix in WEB_SUFFIXES:
            copy_file(path, web / relative)
    for entry in vendor.read_sources():
        copy_file(web_assets.VENDOR / entry["path"], web / "vendor" / entry["path"])
    copy_file(vendor.SOURCES, web / "vendor" / "SOURCES.json")
    copy_file(STYLE, web / "style.css")
    copy_file(BOOT_JS, web / "boot.js")  # a link's ?lang= becomes the browser's language (the Lab reads that)


def katex_urls(out: Path, url) -> dict:
    """KaTeX's script and style, versioned as the runtime's files are (loaded when How it works first opens)."""
    version = {e["path"]: e["sha256"][:12] for e in vendor.read_sources()}
    return {name: url(out / "web" / "vendor" / path, version[path])
            for name, path in (("script", "katex/katex.min.js"), ("style", "katex/katex.min.css"))}


def shell_config(registry: Registry, katex: dict) -> dict:
    """What web/static.js reads besides the page's config: its own strings, the VAE sliders' labels and help, the
    gallery's example rows (the Gradio tab's), where each language's texts are, and KaTeX."""
    vae_tab = VaeTab(registry)
    vae = {ds: {"labels": vae_tab.slider_labels(ds), "help": {lang: vae_tab.slider_help(ds, lang) for lang in TABLES}}
           for ds in registry.stats}
    examples = {ds: [["0-15", 1.0, "any"], ["100-131", 0.7, "any"], ["0-7", 1.0, registry.class_choices(ds)[-1]]]
                for ds in registry.datasets("gan")}
    return {"strings": {lang: {k: table[k] for k in SHELL_KEYS} for lang, table in TABLES.items()}, "vae": vae,
            "galleryExamples": examples, "texts": {lang: f"text-{lang}.json" for lang in TABLES}, "katex": katex,
            "version": __version__}


def language_text(registry: Registry, examples_dir: Path, out: Path, lang: str) -> dict:
    """text-<lang>.json: How it works' Markdown by key, per model its cards and figures, and the Lab's strings."""
    url = relative_to(out)
    how = {key: text(key, lang) for keys in teaching.SECTIONS.values() for key in keys}
    models = {}
    for ds in registry.datasets():
        gan, vae = registry.checkpoints.get((ds, "gan")), registry.checkpoints.get((ds, "vae"))
        cards = {}
        for kind, checkpoint in (("gan", gan), ("vae", vae)):
            if checkpoint is None:
                cards[kind] = {"markdown": text("card_missing", lang).format(kind=kind.upper(), model=ds)}
                continue
            samples = checkpoint.path / "samples.png"
            history = checkpoint.card.get("history") if isinstance(checkpoint.card.get("history"), list) else []
            cards[kind] = {"markdown": card_markdown(checkpoint, registry.root, lang),
                           "samples": url(copy_file(samples, out / "figures" / f"{ds}-{kind}-samples.png"))
                           if samples.is_file() else None,
                           "curves": loss_charts(history, kind, lang, f"{ds}-{kind}")}
        models[ds] = {"cards": cards, "discriminator": discriminator_figure(registry, examples_dir, out, ds, lang),
                      "kl": kl_figure(registry, examples_dir, ds, lang)}
    return {"how": how, "models": models, "lab": lab_strings()[lang], "built": text("site_built_figures", lang)}


def discriminator_figure(registry: Registry, examples_dir: Path, out: Path, ds: str, lang: str) -> dict:
    """D's verdict on a real test image of the first class and a generated one (seed 0), as How it works shows it."""
    gan = registry.checkpoints.get((ds, "gan"))
    if gan is None:
        return {"markdown": registry.missing_note(ds, "gan", lang)}
    classes = teaching.class_choices(gan.model, examples_dir / ds)
    digit = classes[0] if classes else None
    real, fake, markdown = teaching.discriminator_panel(gan.path, gan.model, examples_dir / ds, digit,
                                                        DISCRIMINATOR_SEED, lang, FIGURE_SIDE)
    figure = {"markdown": markdown}
    if real is not None and fake is not None:
        url = relative_to(out)
        for name, image in (("real", real), ("fake", fake)):
            path = out / "figures" / f"{ds}-discriminator-{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            image.save(path)
            figure[name] = url(path)
        figure["note"] = text("site_discriminator_note", lang).format(digit=digit, seed=DISCRIMINATOR_SEED)
    return figure


def kl_figure(registry: Registry, examples_dir: Path, ds: str, lang: str) -> dict:
    """The VAE section's KL per dimension (an SVG bar chart and its summary) and the last epoch's numbers."""
    vae = registry.checkpoints.get((ds, "vae"))
    if vae is None:
        return {"summary": registry.missing_note(ds, "vae", lang)}
    kl, summary, _, numbers = teaching.vae_panel(vae.path, vae.model, examples_dir / ds, lang)
    return {"chart": kl_chart(kl, lang) if kl is not None else None, "summary": summary,
            "numbers": numbers}


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def check_sizes(out: Path) -> dict[str, int]:
    """{relative path: bytes} of the site; SiteError if a file is 10 MB or more, or the folder over 20 MB."""
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}
    largest = ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in
                        sorted(sizes.items(), key=lambda item: -item[1])[:5])
    big = [name for name, size in sizes.items() if size >= MAX_FILE_BYTES]
    if big:
        raise SiteError(f"{', '.join(big)}: 10 MB or more, which a Space without LFS refuses")
    if sum(sizes.values()) > MAX_SITE_BYTES:
        raise SiteError(f"the site is {sum(sizes.values()) / 1e6:.1f} MB, over {MAX_SITE_BYTES / 1e6:.0f} MB; "
                        f"the largest files: {largest}")
    return sizes


# ---- charts as SVG (the Gradio app draws them with its native plots) ----------------------------------------------

WIDTH, HEIGHT = 460, 250
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 26, 44  # the plot area's margins; the legend goes below


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round numbers (1, 2 or 5 times a power of ten apart) from low to high."""
    if high <= low:
        return [low]
    step = 10 ** math.floor(math.log10((high - low) / count))
    step *= next(m for m in (1, 2, 5, 10) if (high - low) / (step * m) <= count)
    first = math.ceil(low / step) * step
    return [first + k * step for k in range(int((high - first) / step + 1e-9) + 1)]


def label(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


SWATCHES = {"line": 'stroke-width="2"', "dashed": 'stroke-width="2" stroke-dasharray="4 3"', "bar": 'stroke-width="8"'}


def svg(title: str, x_title: str, y_title: str, body: list[str], legend: list[tuple[str, str, str]]) -> str:
    """The frame every chart shares: title, axis titles, `body` (already placed), and a legend under the plot
    ((name, colour, swatch: line | dashed | bar) per entry, flowing over as many rows as it needs)."""
    rows, x, row = [], LEFT, 0
    for name, colour, swatch in legend:
        width = 26 + 6.5 * len(name)
        if x + width > WIDTH and x > LEFT:
            x, row = LEFT, row + 1
        y = HEIGHT + 16 * row + 6
        rows.append(f'<line x1="{x}" y1="{y}" x2="{x + 18}" y2="{y}" stroke="{colour}" {SWATCHES[swatch]}/>'
                    f'<text x="{x + 22}" y="{y + 4}">{html.escape(name)}</text>')
        x += width + 10
    total = HEIGHT + 16 * (row + 1) + 6 if legend else HEIGHT
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {total}" class="site-chart" role="img" '
            f'aria-label="{html.escape(title, quote=True)}" font-size="11" font-family="system-ui, sans-serif" '
            f'fill="currentColor">'
            f'<text x="{WIDTH / 2}" y="15" text-anchor="middle" font-weight="600">{html.escape(title)}</text>'
            f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - BOTTOM + 28}" text-anchor="middle">'
            f'{html.escape(x_title)}</text>'
            f'<text transform="translate(11 {(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)" text-anchor="middle">'
            f'{html.escape(y_title)}</text>' + "".join(body) + "".join(rows) + "</svg>")


def loss_charts(history: list[dict], kind: str, lang: str, ident: str) -> list[str]:
    """One SVG line chart per panel of charts.LOSS_PANELS[kind] (what the Gradio app's loss plots show)."""
    charts = []
    for number, (keys, references, key) in enumerate(LOSS_PANELS.get(kind, [])):
        series = [(text(f"chart_series_{k}", lang), [(row["epoch"], row[k]) for row in history
                                                     if isinstance(row.get("epoch"), (int, float))
                                                     and isinstance(row.get(k), (int, float))])
                  for k in keys]
        series = [(name, points) for name, points in series if points]
        if series:
            limits = settled_range(history, keys, list(references.values()))
            charts.append(line_chart(series, references, limits, f"clip-{ident}-{number}", text(f"{key}_title", lang),
                                     text("chart_epoch", lang), text(f"{key}_axis", lang)))
    return charts


def line_chart(series: list[tuple[str, list[tuple[float, float]]]], references: dict[str, float],
               limits: tuple[float, float] | None, clip: str, title: str, x_title: str, y_title: str) -> str:
    """Curves [(name, [(x, y)])] and flat dashed reference lines {name: y}, y cut to `limits` (default: all)."""
    xs = [x for _, points in series for x, _ in points]
    ys = [y for _, points in series for _, y in points] + list(references.values())
    low, high = limits or (min(ys), max(ys))
    if high <= low:
        low, high = low - 1, high + 1
    x0, x1 = min(xs), max(max(xs), min(xs) + 1)

    def at(x, y):
        return (LEFT + (x - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT),
                HEIGHT - BOTTOM - (y - low) / (high - low) * (HEIGHT - BOTTOM - TOP))

    area = f'x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - BOTTOM - TOP}"'
    body = [f'<clipPath id="{clip}"><rect {area}/></clipPath>',
            f'<rect {area} fill="none" stroke="currentColor" stroke-opacity="0.3"/>']
    for y in ticks(low, high):
        body.append(f'<text x="{LEFT - 4}" y="{at(x0, y)[1] + 4:.1f}" text-anchor="end">{label(y)}</text>')
    for x in ticks(x0, x1, 6):
        body.append(f'<text x="{at(x, low)[0]:.1f}" y="{HEIGHT - BOTTOM + 13}" text-anchor="middle">{label(x)}</text>')
    legend = []
    for k, (name, points) in enumerate(series):
        colour = TAB10[k % len(TAB10)]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in (at(x, y) for x, y in points))
        body.append(f'<polyline clip-path="url(#{clip})" fill="none" stroke="{colour}" stroke-width="1.6" '
                    f'points="{path}"/>')
        legend.append((name, colour, "line"))
    for name, y in references.items():
        py = at(x0, y)[1]
        body.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py:.1f}" y2="{py:.1f}" stroke="#888" '
                    'stroke-dasharray="4 3"/>')
        legend.append((name, "#888", "dashed"))
    return svg(title, x_title, y_title, body, legend)


def kl_chart(kl: np.ndarray, lang: str) -> str:
    """KL per latent dimension in slider order (largest first), the nearly unused ones grey (charts.kl_plot)."""
    order = np.argsort(-np.asarray(kl), kind="stable")
    high = max(float(np.max(kl)), LOW_KL) * 1.1
    width = (WIDTH - LEFT - RIGHT) / len(order)
    body = [f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - BOTTOM - TOP}" fill="none" '
            'stroke="currentColor" stroke-opacity="0.3"/>']
    for y in ticks(0.0, high):
        py = HEIGHT - BOTTOM - y / high * (HEIGHT - BOTTOM - TOP)
        body.append(f'<text x="{LEFT - 4}" y="{py + 4:.1f}" text-anchor="end">{label(y)}</text>')
    for k, d in enumerate(order):
        value = float(kl[d])
        top = HEIGHT - BOTTOM - max(0.0, value) / high * (HEIGHT - BOTTOM - TOP)
        colour = IN_USE if value > LOW_KL else UNUSED
        body.append(f'<rect x="{LEFT + k * width + 1:.1f}" y="{top:.1f}" width="{max(1.0, width - 2):.1f}" '
                    f'height="{HEIGHT - BOTTOM - top:.1f}" fill="{colour}"><title>z{d}: {value:.3f}</title></rect>')
        if len(order) <= 32:
            body.append(f'<text x="{LEFT + (k + 0.5) * width:.1f}" y="{HEIGHT - BOTTOM + 12}" text-anchor="middle" '
                        f'font-size="{9 if len(order) > 16 else 11}">z{d}</text>')
    legend = [(text("chart_kl_in_use", lang), IN_USE, "bar"),
              (text("chart_kl_unused", lang).format(threshold=LOW_KL), UNUSED, "bar")]
    return svg(text("chart_kl_title", lang), text("chart_dimension_order", lang), text("chart_kl_axis", lang), body,
               legend)


# ---- the command line ----------------------------------------------------------------------------------------------

def summary(sizes: dict[str, int]) -> str:
    """One line per top-level part of the site: files and size, then the total."""
    parts: dict[str, list[int]] = {}
    for name, size in sizes.items():
        parts.setdefault(name.split("/")[0], []).append(size)
    lines = [f"  {part:<16} {len(files):>4} files  {sum(files) / 1e6:7.2f} MB" for part, files in sorted(parts.items())]
    total = sum(sizes.values())
    return "\n".join(lines + [f"  {'total':<16} {len(sizes):>4} files  {total / 1e6:7.2f} MB "
                              f"(at most {MAX_SITE_BYTES / 1e6:.0f} MB)"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m genimg.app.site", description=__doc__.split("\n\n")[0],
        epilog="examples:\n  python -m genimg.app.site site/\n"
               "  python -m genimg.app.site site/ --checkpoints runs/checkpoints\n"
               "  cd site && python -m http.server     # then open http://localhost:8000",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="the folder to write (new, empty, or an earlier site to replace)")
    parser.add_argument("--checkpoints", type=Path, default=None,
                        help="checkpoints as <dir>/<dataset>/gan|vae/ (default: $GENIMG_CHECKPOINTS or checkpoints/)")
    parser.add_argument("--examples", type=Path, default=EXAMPLES,
                        help="example pictures: <dir>/<dataset>/<class>_0.png and <dir>/encode/ (default: examples/)")
    args = parser.parse_args(argv)
    root = args.checkpoints or checkpoints_root()
    if not root.is_dir():
        print(f"error: {root}: no such folder (--checkpoints takes <dir>/<dataset>/gan|vae/)", file=sys.stderr)
        return 1
    try:
        check_target(args.out)  # before the checkpoints load: a folder in the way is said at once
        registry = Registry(root)
        for problem in registry.problems:
            print(f"warning: left out: {problem}", file=sys.stderr)
        site = build(args.out, registry, args.examples)
    except SiteError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for line in site.left_out:
        print(f"left out to stay within {MAX_SITE_BYTES / 1e6:.0f} MB: {line}", file=sys.stderr)
    print(f"wrote {args.out}:\n{summary(site.sizes)}\nserve it: cd {args.out} && python -m http.server")
    return 0


if __name__ == "__main__":
    sys.exit(main())
