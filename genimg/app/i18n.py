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


def request_language(request) -> str:
    """"en" or "zh" for text built on the server, from a gr.Request's Accept-Language header (English by default).

    Only its first language counts: the browser translates the static text by navigator.language alone (its first
    preferred language), so a "fr-FR,zh;q=0.9" browser shows English labels and must get English notes as well.
    """
    header = request.headers.get("accept-language") if request is not None else None
    return language_from_header((header or "").split(",")[0])
