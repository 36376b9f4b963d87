"""CSV and its CSVW metadata (https://www.w3.org/TR/tabular-metadata/), pure.

The metadata is found as the CSV's URL + `-metadata.json` (the standard's default place) and
through the CSV's `Link: <…>; rel="describedby"` header; an empty cell is null (the standard's
default), so a suppressed or unknown value is an empty cell, never a zero."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
METADATA_MEDIA = "application/csvm+json"
CSV_MEDIA = "text/csv; charset=utf-8; header=present"


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    datatype: str | Mapping[str, Any]
    description: str
    required: bool = False


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    return str(value)


def csv_text(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> str:
    """A header row of the columns' names, then a line per row (CRLF, as RFC 4180 says)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c.name)) for c in columns])
    return buffer.getvalue()


def metadata(
    *,
    url: str,
    title: str,
    description: str,
    columns: Sequence[Column],
    primary_key: Sequence[str],
) -> dict[str, Any]:
    """The table's CSVW metadata; `url` is the CSV's, relative to the metadata's own."""
    return {
        "@context": [CSVW_CONTEXT, {"@language": "en"}],
        "url": url,
        "dc:title": title,
        "dc:description": description,
        "dialect": {"header": True, "encoding": "utf-8"},
        "tableSchema": {
            "columns": [
                {
                    "name": c.name,
                    "titles": c.title,
                    "datatype": c.datatype,
                    "dc:description": c.description,
                    "required": c.required,
                }
                for c in columns
            ],
            "primaryKey": list(primary_key),
        },
    }


def describedby(metadata_url: str) -> str:
    """The CSV's Link header naming its metadata."""
    return f'<{metadata_url}>; rel="describedby"; type="{METADATA_MEDIA}"'
