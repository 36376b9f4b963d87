"""One list style across the platform, read from the merged contract (issue 15, point 13): a
list is a page (`items`, `next_cursor`; `limit` with `cursor`), an events feed says it is one,
and the items of a list of writable resources carry the version their ETag is made of."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chassis.conformance import operations

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "gateway.json"
WRITES = ("put", "patch", "delete")


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CONTRACT.read_text())
    return document


def _resolve(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema if isinstance(schema, dict) else {}


def _answer(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    json_content = content.get("application/json")
    return _resolve(document, json_content["schema"]) if json_content else {}


def _query(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}


def test_every_list_is_a_page_or_a_feed() -> None:
    document = _document()
    faults = []
    for method, path, operation in operations(document):
        if method != "GET":
            continue
        properties = set(_answer(document, operation).get("properties", {}))
        query = _query(operation)
        where = f"{method} {path}"
        if properties == {"items"}:
            faults.append(f"{where}: items without next_cursor (not a page)")
        if "cursor" in query and not {"limit"} <= query:
            faults.append(f"{where}: cursor without limit")
        if "cursor" in query and "next_cursor" not in properties:
            faults.append(f"{where}: takes a cursor, answers none")
        if "next_after" in properties:
            if not {"after", "limit"} <= query:
                faults.append(f"{where}: a feed without after and limit")
            if not str(operation.get("description", "")).startswith("A feed"):
                faults.append(f"{where}: a feed that does not say it is one")
            if "cursor" in query:
                faults.append(f"{where}: a feed that takes a cursor")
    assert faults == []


def test_lists_of_writable_resources_carry_each_items_version() -> None:
    """What a county administrator sends as If-Match is in the list it read: no guessing."""
    document = _document()
    paths = document["paths"]
    faults = []
    for path, item in paths.items():
        if not any("428" in item.get(method, {}).get("responses", {}) for method in WRITES):
            continue
        if "get" not in item:
            continue
        listing = paths.get(path.rsplit("/", 1)[0], {}).get("get")
        if listing is None:
            continue
        items = _answer(document, listing).get("properties", {}).get("items")
        if items is None:  # a sub-resource of one resource (a round's questionnaire)
            continue
        fields = _resolve(document, items.get("items", {})).get("properties", {})
        if "version" not in fields:
            faults.append(f"GET {path.rsplit('/', 1)[0]}: items without version")
    assert faults == []
