"""Labels of the catalogue's codes (category, audience, access method, content language) in the
languages library websites are written in, shipped as data (`data/labels.json`), so a site need
not keep its own tables."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

from chassis.concurrency import content_etag

# In the order training and helpdesk write the same Literal: typing caches `Literal[...] | None`
# by equality, which ignores order, so another order would reorder their contracts' enums.
LabelLanguage = Literal["nl", "nb", "nn", "en"]
LANGUAGES: tuple[LabelLanguage, ...] = ("nb", "nn", "en", "nl")
# The kinds of code, as the catalogue's answers name them (a product's `category`, `audiences`,
# `access.methods`, `content_languages`).
KINDS = ("category", "audience", "access_method", "content_language")
DATA = Path(__file__).resolve().parent / "data" / "labels.json"

# code kind -> code -> language -> label
Table = dict[str, dict[str, dict[str, str]]]


@cache
def table() -> Table:
    loaded: Table = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def labels_in(language: LabelLanguage) -> dict[str, dict[str, str]]:
    """Every code's label in one language: kind -> code -> label."""
    return {
        kind: {code: texts[language] for code, texts in table()[kind].items()} for kind in KINDS
    }


@cache
def answer(language: LabelLanguage) -> tuple[bytes, str]:
    """The labels' JSON answer in one language, with its strong ETag (a hash of the bytes)."""
    body = {"language": language, "languages": list(LANGUAGES), **labels_in(language)}
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return raw, content_etag(raw)
