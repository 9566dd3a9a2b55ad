"""The app's strings: locales/en.json and locales/zh.json (key -> string), loaded once, and a language picker.

Translators edit the JSON files, not code. Keys are flat, lower_snake_case and say where the string goes
(`gan_`, `vae_`, `encode_`, `card_` = the app's tabs, `how_` = "How it works"; a `_md` suffix marks Markdown,
which may hold LaTeX between `$...$` or `$$...$$`). Strings with `{name}` fields are Python format templates
for text built on the server (numbers from the live models, in the language `language_from_header` picks);
the others go to the browser as they are (`gr.I18n(**TABLES)` in app.py), which picks the table from its own
language. Both files must have exactly the same keys (tests/test_teaching.py checks).

This module holds strings and a language picker only: no Gradio import, no model code.
"""

import json
import re
from pathlib import Path

LOCALES = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "en"


def read_table(language: str) -> dict[str, str]:
    """locales/<language>.json -> {key: string}."""
    with open(LOCALES / f"{language}.json", encoding="utf-8") as f:
        return json.load(f)


TABLES: dict[str, dict[str, str]] = {language: read_table(language) for language in ("en", "zh")}
EN, ZH = TABLES["en"], TABLES["zh"]


def language_from_header(accept_language: str | None) -> str:
    """An HTTP Accept-Language header -> "zh" or "en": the highest-weighted language we have, English by default.

    'zh-CN,zh;q=0.9,en;q=0.8' -> 'zh'; 'fr-FR,en;q=0.5' -> 'en'; None or '' -> 'en'. Any Chinese tag
    (zh, zh-CN, zh-TW, zh-Hans, ...) gets the Simplified Chinese table.
    """
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if weight > 0:  # q=0 means "not acceptable"
            ranked.append((-weight, position, tag.strip().lower().split("-")[0]))
    for _, _, base in sorted(ranked):
        if base in TABLES:
            return base
    return DEFAULT_LANGUAGE


def text(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The string for key in language ("en" or "zh"); KeyError for an unknown key or language."""
    if language not in TABLES:
        raise KeyError(f"unknown language {language!r}; accepted: {', '.join(TABLES)}")
    return TABLES[language][key]


LANGUAGE_COOKIE = re.compile(r"(?:^|;\s*)genimg-lang=(\w+)")


def request_language(request) -> str:
    """"en" or "zh" for text built on the server: the page's language switch (the genimg-lang cookie web/boot.js
    sets), else the request's Accept-Language header, English by default.

    Only the header's first language counts: the browser translates the static text by navigator.language alone
    (its first preferred language), so a "fr-FR,zh;q=0.9" browser shows English labels and must get English notes.
    """
    if request is None:
        return DEFAULT_LANGUAGE
    chosen = LANGUAGE_COOKIE.search(request.headers.get("cookie") or "")
    if chosen and chosen.group(1) in TABLES:
        return chosen.group(1)
    return language_from_header((request.headers.get("accept-language") or "").split(",")[0])


def toast_titles_css() -> str:
    """CSS that puts the toast titles ("Error", "Warning", "Info") in the page's language.

    Gradio 6.31 titles a toast with its type, capitalised, whatever gr.Error(title=...) says, and does not translate
    it. The page's <html lang> is the browser's language, so for each other table this hides the English word and
    shows the table's own (error_title, warning_title, info_title) in its place.
    """
    rules = []
    for language, table in TABLES.items():
        if language == DEFAULT_LANGUAGE:
            continue
        for kind in ("error", "warning", "info"):
            title = json.dumps(table[f"{kind}_title"], ensure_ascii=False)  # quoted, and quotes escaped
            rules.append(f":lang({language}) .toast-title.{kind} {{ font-size: 0; }}\n"
                         f":lang({language}) .toast-title.{kind}::before {{ content: {title}; "
                         "font-size: var(--text-lg); }")
    return "\n" + "\n".join(rules) + "\n.toast-title .toast-count { font-size: var(--text-md); }\n"
