"""A CSV file of figures read as rows of text, or the reasons it cannot be: its encoding, its
delimiter, its columns, each row's number of cells. The values themselves are checked later
(`validation.py`), against the indicators and organisations."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

REQUIRED = ("indicator", "organisation", "period", "value")
OPTIONAL = ("status", "comment")
COLUMNS = REQUIRED + OPTIONAL
# Delimiters people's spreadsheets write instead of commas.
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One reason the file is refused: a row (the header is row 1) and a column, or the whole
    file (row 0)."""

    row: int
    column: str | None
    value: str | None
    message: str


@dataclass(frozen=True, slots=True)
class RawRow:
    row: int
    indicator: str
    organisation: str
    period: str
    value: str
    status: str
    comment: str


@dataclass
class ReadFile:
    rows: list[RawRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _decoded(data: bytes) -> tuple[str | None, RowProblem | None]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        return None, RowProblem(
            row=line,
            column=None,
            value=None,
            message=(
                f"the file is not UTF-8: byte 0x{byte} on line {line} is not valid UTF-8 "
                "(save it as CSV UTF-8)"
            ),
        )
    return text.removeprefix("\ufeff"), None


def _header_problems(header: list[str]) -> list[RowProblem]:
    names = [h.strip() for h in header]
    if len(names) == 1:
        for delimiter, called in _OTHER_DELIMITERS.items():
            if delimiter in names[0]:
                return [
                    RowProblem(
                        row=1,
                        column=None,
                        value=header[0][:200],
                        message=f"the columns are separated by {called}: separate them by commas",
                    )
                ]
    problems = [
        RowProblem(1, name, name, f"unknown column {name!r} (the columns: {', '.join(COLUMNS)})")
        for name in names
        if name not in COLUMNS
    ]
    problems += [
        RowProblem(1, name, None, f"the column {name!r} is missing")
        for name in REQUIRED
        if name not in names
    ]
    problems += [
        RowProblem(1, name, name, f"the column {name!r} appears twice")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    return problems


def read_csv(data: bytes) -> ReadFile:
    """The file's rows as text, keyed by column name, or every problem with its shape."""
    read = ReadFile()
    text, problem = _decoded(data)
    if problem is not None or text is None:
        read.problems.append(problem or RowProblem(0, None, None, "the file is empty"))
        return read
    if "\x00" in text:
        read.problems.append(RowProblem(0, None, None, "the file holds NUL characters: not CSV"))
        return read
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            read.problems.append(RowProblem(0, None, None, "the file is empty: no header row"))
            return read
        read.problems += _header_problems(header)
        if read.problems:
            return read
        names = [h.strip() for h in header]
        for number, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                read.problems.append(
                    RowProblem(
                        number,
                        None,
                        None,
                        f"the row has {len(cells)} cells and the header {len(names)} "
                        "(a comma inside a value needs the value in double quotes)",
                    )
                )
                continue
            values = dict(zip(names, (c.strip() for c in cells), strict=True))
            read.rows.append(
                RawRow(
                    row=number,
                    indicator=values["indicator"],
                    organisation=values["organisation"],
                    period=values["period"],
                    value=values["value"],
                    status=values.get("status", ""),
                    comment=values.get("comment", ""),
                )
            )
    except csv.Error as exc:
        read.problems.append(
            RowProblem(
                reader.line_num,
                None,
                None,
                f"the CSV is malformed on line {reader.line_num}: {exc}",
            )
        )
    return read
