"""What Gradio's page fetches before it draws anything, read from Gradio's own built files, so that the page's HTML
asks for all of it at once. On a far link (300 ms a round trip, HTTP/1.1's six connections to a host) each of
Gradio's ~100 small files costs ~50 ms, and Gradio finds them wave after wave: its entry module, then its Blocks,
then the code of each kind of component on the page, each waiting for its stylesheet before it runs.

early_links(html) gives, for the top of <head> (<link rel="modulepreload">):
- the entry module, the chunks it loads at once, its Blocks chunk;
- the module and chunks of each kind of component Gradio will draw (the visible ones, as its loader picks them)
  and the example views of the datasets it mounts at once (read from Vite's __vite__mapDeps lists in core-*.js);
and for the end of <head>, after Gradio's own stylesheet: those modules' stylesheets inline, in one <style>, each
with a disabled <link rel="stylesheet"> of its URL. Vite's loader skips a stylesheet the page already has a <link>
for, and Chromium fetches no disabled one (a browser that does fetches it for nothing: same rules). Gradio's loader
would add them later, after its theme (CSS variables only) and the app's css (which then won a tie; it still
does). A stylesheet with url(...) or @import (relative to its own folder) is only announced (<link rel="preload">),
and Gradio's loader adds it.

Read for the Gradio genimg pins (6.31); where a file, list or config is not as that version has it, the part is left
out and the page loads as Gradio's own (no error, only the waves).
"""

import functools
import json
import re
from pathlib import Path

import gradio as gr

FRONTEND = Path(gr.__file__).resolve().parent / "templates" / "frontend"  # where the page's "./assets/..." are
ASSETS = FRONTEND / "assets"
ENTRY_MODULE = re.compile(rb'<script type="module"[^>]*? src="\./assets/([^"]+)"')
STYLESHEET = re.compile(rb'<link rel="stylesheet"[^>]*? href="([^"]+)"')
CONFIG = b"window.gradio_config = "  # then the config's JSON and ";</script>"
FILE_LIST = re.compile(r"m\.f=(\[[^\]]*\])")  # a Vite-built module's list of the files its imports load
IMPORT = re.compile(r"import\(`\./([^`]+\.js)`\)[^`]{0,80}?__vite__mapDeps\(\[([0-9,]*)\]\)")  # import + its files
# core-*.js's table of components: {accordion:{component:()=>v(()=>import(`./X.js`),__vite__mapDeps([0,1]),...)},
# ...}: a kind and its variants (no braces inside one), each a module and its files' indices
KIND = re.compile(r"[{,]([a-z0-9_]+):\{([^{}]*)\}")
VARIANT = re.compile(r"([a-z]+):\(\)=>[\w$]+\(\(\)=>import\(`\./([^`]+\.js)`\)[^`]{0,40}?"
                     r"__vite__mapDeps\(\[([0-9,]*)\]\)")


@functools.lru_cache(maxsize=64)
def _module(name: str) -> tuple[str, list[str]]:
    """A built module's text and its list of files (Vite's __vite__mapDeps, without "./"); ("", []) if not found."""
    try:
        text = (ASSETS / name).read_text(encoding="utf-8")
        return text, [f.removeprefix("./") for f in json.loads(FILE_LIST.search(text[:65536]).group(1))]
    except (OSError, ValueError, AttributeError):
        return "", []


def _files(files: list[str], indices: str) -> tuple[str, ...]:
    return tuple(files[int(i)] for i in indices.split(",") if i and int(i) < len(files))


def imports(name: str) -> dict[str, tuple[str, ...]]:
    """The modules file `name` (in assets/) imports dynamically -> the files each import loads (itself, chunks,
    stylesheets)."""
    text, files = _module(name)
    found = {}
    for module, indices in IMPORT.findall(text):
        found.setdefault(module, _files(files, indices))
    return found


@functools.lru_cache(maxsize=4)
def kinds() -> dict[str, dict[str, tuple[str, ...]]]:
    """Gradio's table of components (in core-*.js): kind -> {variant ("component", "example", ...): the module and
    the files it loads}."""
    for core in sorted(ASSETS.glob("core-*.js")):
        text, files = _module(core.name)
        table = text.find("{accordion:{")
        if table >= 0 and files:
            table = {kind: {variant: (module, *_files(files, indices))
                            for variant, module, indices in VARIANT.findall(body)}
                     for kind, body in KIND.findall(text, table)}
            return {kind: variants for kind, variants in table.items() if variants}
    return {}


def shown_kinds(config: dict) -> tuple[list[str], list[str]]:
    """The kinds of component Gradio loads on opening, in page order: each visible one, even inside a hidden
    container or another tab (its loader fetches their code at once); and the kinds of examples of the datasets it
    mounts at once (not inside another tab or a closed accordion)."""
    by_id = {c.get("id"): c for c in config.get("components", [])}
    drawn, examples = [], []

    def walk(node, mounted: bool):
        component = by_id.get(node.get("id")) or {}  # none for the page's root
        kind, props = component.get("type"), component.get("props", {})
        shown = props.get("visible", True) not in (False, None)
        if shown and component:
            drawn.append(kind)
            if kind == "dataset" and mounted:
                examples.extend(c.get("name") if isinstance(c, dict) else c for c in props.get("components", []))
        children = node.get("children") or []
        selected = props.get("selected") if kind == "tabs" else None
        for index, child in enumerate(children):
            tab = by_id.get(child.get("id"), {}).get("props", {}).get("id", child.get("id"))
            other_tab = kind == "tabs" and (tab != selected if selected is not None else index > 0)
            closed = kind == "accordion" and props.get("open") is False
            walk(child, mounted and shown and not other_tab and not closed)

    walk(config.get("layout", {}), True)
    return list(dict.fromkeys(k for k in drawn if k)), list(dict.fromkeys(k for k in examples if k))


def page_files(entry: str, config: dict) -> list[str]:
    """The files (in assets/) Gradio's page loads before it draws: its entry module and the files the entry loads
    at once, its Blocks chunk, the code of the kinds it draws (shown_kinds)."""
    first = [entry, *_module(entry)[1]]
    blocks = [files for chunk in first for module, files in imports(chunk).items() if module.startswith("Blocks-")]
    drawn, examples = shown_kinds(config)
    table = kinds()
    components = [table.get(kind, {}).get("component", ()) for kind in drawn]
    components += [table.get(kind, {}).get("example", ()) for kind in examples]
    return list(dict.fromkeys([*first, *(f for files in blocks[:1] + components for f in files)]))


@functools.lru_cache(maxsize=128)
def inlinable(name: str) -> str | None:
    """A stylesheet's text when it can move into the page (nothing in it relative to its folder), else None."""
    try:
        text = (ASSETS / name).read_text(encoding="utf-8")
    except OSError:
        return None
    if "@import" in text or "</" in text or re.search(r"url\(\s*['\"]?(?!data:)", text):
        return None
    return text


@functools.lru_cache(maxsize=8)
def _links(entry: str, config_json: bytes, linked: tuple[bytes, ...]) -> tuple[bytes, bytes]:
    files = page_files(entry, json.loads(config_json))
    sheets = {f: inlinable(f) for f in files if f.endswith(".css") and f"./assets/{f}".encode() not in linked}
    kept = [f for f, text in sheets.items() if text is not None]
    fetches = [b'<link rel="modulepreload" crossorigin href="./assets/%s">' % f.encode() for f in files
               if f.endswith(".js")]
    fetches += [b'<link rel="preload" as="style" crossorigin href="%s">' % url for url in linked]
    fetches += [b'<link rel="preload" as="style" crossorigin href="./assets/%s">' % f.encode()
                for f, text in sheets.items() if text is None]
    styles = [b"<style>" + "".join(sheets[f] for f in kept).encode() + b"</style>"] if kept else []
    styles += [b'<link rel="stylesheet" disabled href="./assets/%s">' % f.encode() for f in kept]
    return b"".join(fetches), b"".join(styles)


def early_links(html: bytes) -> tuple[bytes, bytes]:
    """(the <link>s that fetch what Gradio's page draws with, for the top of <head>; its components' stylesheets,
    for the end of <head>: after Gradio's own, where its loader would have put them); (b"", b"") for a page that
    is not Gradio's as 6.31 writes it."""
    head = html[: html.find(b"</head>")]
    entry = ENTRY_MODULE.search(head)
    if entry is None:
        return b"", b""
    try:
        return _links(entry.group(1).decode(), config_json(html), tuple(STYLESHEET.findall(head)))
    except (ValueError, KeyError, TypeError, AttributeError):  # not the config 6.31 writes: Gradio's own page
        return b"", b""


def config_json(html: bytes) -> bytes:
    """The config Gradio's page carries (its JSON text); b"{}" when there is none."""
    start = html.find(CONFIG)
    end = html.find(b";</script>", start)
    return html[start + len(CONFIG):end] if start >= 0 and end > start else b"{}"
