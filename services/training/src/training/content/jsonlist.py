"""Whether a JSON list column holds a string, in SQL on SQLite and on PostgreSQL, so that a
filter on it is applied before a page's limit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlalchemy.sql.functions import FunctionElement


class json_list_has(FunctionElement[bool]):
    """`json_list_has(column, "value")`: true when the JSON array in `column` has that string."""

    type = Boolean()
    inherit_cache = True
    name = "json_list_has"

    def __init__(self, column: SQLCoreOperations[Any], value: str) -> None:
        super().__init__(column, literal(value))


def _parts(element: json_list_has, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    column, value = list(element.clauses)
    return compiler.process(column, **kw), compiler.process(value, **kw)


@compiles(json_list_has)
def _sqlite(element: json_list_has, compiler: SQLCompiler, **kw: Any) -> str:
    # Both parts are compiled SQL (a column and a bound parameter), never input.
    column, value = _parts(element, compiler, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({column}) AS item WHERE item.value = {value})"  # noqa: S608


@compiles(json_list_has, "postgresql")
def _postgresql(element: json_list_has, compiler: SQLCompiler, **kw: Any) -> str:
    column, value = _parts(element, compiler, **kw)
    return f"({column} @> jsonb_build_array(CAST({value} AS TEXT)))"
