"""The widget's script, built once from its source and the interface strings, and the fallback
page of a library's catalogue, rendered with Jinja2 from the same answers the widget shows."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment

from catalogue_licensing.catalogue import labels
from chassis.caching import PreparedBody
from chassis.pages import Strings, StringTable, templates

HERE = Path(__file__).resolve().parent
SCRIPT_SOURCE = HERE / "static" / "widget.js"
STRINGS_FILE = HERE / "strings.json"
_STRINGS_MARK = "/*STRINGS*/ {}"


STRINGS = Strings(STRINGS_FILE)


def strings() -> StringTable:
    return STRINGS.table


@cache
def script() -> PreparedBody:
    """widget.js with the interface strings written into it: one file, one request."""
    source = SCRIPT_SOURCE.read_text(encoding="utf-8")
    if _STRINGS_MARK not in source:
        raise RuntimeError("widget.js lost the place of its strings")
    data = json.dumps(strings(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    body = source.replace(_STRINGS_MARK, data, 1).encode()
    return PreparedBody.of(body)


def say(language: str, key: str, **values: Any) -> str:
    return STRINGS.say(language, key, **values)


@cache
def _templates() -> Environment:
    return templates(HERE / "templates")


def _item_labels(item: dict[str, Any], table: dict[str, dict[str, str]]) -> dict[str, str]:
    def names(kind: str, codes: list[str]) -> str:
        return ", ".join(table[kind].get(code, code) for code in codes)

    return {
        "category": table["category"].get(item["category"], item["category"]),
        "audiences": names("audience", item["audiences"]),
        "access_methods": names("access_method", item["access"]["methods"]),
        "content_languages": names("content_language", item["content_languages"]),
    }


def render_page(
    *,
    library: dict[str, str],
    items: list[dict[str, Any]],
    language: labels.LabelLanguage,
    category: str | None,
    audience: str | None,
) -> str:
    """The fallback page: the items (all of the library's, in the texts' language), filtered by
    category and audience here, so the filters offered are the codes the library has."""
    table = labels.labels_in(language)
    shown = [
        {**item, "labels": _item_labels(item, table)}
        for item in items
        if (category is None or item["category"] == category)
        and (audience is None or audience in item["audiences"])
    ]
    chosen = {"category": category, "audience": audience}
    filter_query = urlencode({k: v for k, v in chosen.items() if v is not None})
    return (
        _templates()
        .get_template("catalogue.html")
        .render(
            lang=language,
            say=lambda key, **values: say(language, key, **values),
            library=library,
            items=shown,
            total=len(items),
            labels=table,
            categories=sorted({item["category"] for item in items}),
            audiences=sorted({a for item in items for a in item["audiences"]}),
            chosen=chosen,
            filter_query=f"&{filter_query}" if filter_query else "",
            languages=[
                (code, labels.table()["content_language"][code][code]) for code in labels.LANGUAGES
            ],
        )
    )
