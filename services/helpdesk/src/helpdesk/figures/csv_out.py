"""Figures as CSV: one header line of the row's field names, one line per row."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from fastapi import Response
from pydantic import BaseModel


def csv_response(
    rows: Sequence[BaseModel], row_type: type[BaseModel], *, filename: str
) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = list(row_type.model_fields)
    writer.writerow(names)
    for row in rows:
        values = row.model_dump()
        writer.writerow(["" if values[n] is None else values[n] for n in names])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-cache",
        },
    )
