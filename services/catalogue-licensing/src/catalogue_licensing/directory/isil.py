"""The shape of an ISIL (ISO 15511), the library identifier the whole platform keys libraries by."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

# A prefix of 1-4 letters or digits (a country code or another registration authority), a hyphen,
# then up to 11 letters, digits, '-', '/' or ':'; at most 16 characters in all.
ISIL_PATTERN = r"^[A-Za-z0-9]{1,4}-[A-Za-z0-9/:\-]{1,11}$"
_ISIL = re.compile(ISIL_PATTERN)
ISIL_RULE = (
    "an ISIL (ISO 15511) is a prefix of 1 to 4 letters or digits, a hyphen, then 1 to 11 "
    "letters, digits, '-', '/' or ':'"
)


def isil_problem(value: str) -> str | None:
    """Why `value` is not an ISIL, or None when it is one."""
    if len(value) > 16:
        return f"{value[:20]!r} is longer than 16 characters; {ISIL_RULE}"
    if not _ISIL.match(value):
        return f"{value!r} is not an ISIL: {ISIL_RULE}"
    return None


def isil_key(value: str) -> str:
    """What ISILs are matched by: ISO 15511 identifiers compare without regard to case (German
    ones are written with lowercase letters, DE-Bo133), so each is matched by its upper-case
    form and kept as it was written."""
    return value.upper()


def _check_isil(value: str) -> str:
    reason = isil_problem(value)
    if reason is not None:
        raise ValueError(reason)
    return value


Isil = Annotated[
    str,
    Field(max_length=16, examples=["NO-2030000"], json_schema_extra={"pattern": ISIL_PATTERN}),
    AfterValidator(_check_isil),
]


def isil_country(isil: str) -> str | None:
    """The country an ISIL's prefix names, when the prefix is an ISO 3166 alpha-2 code."""
    prefix = isil.split("-", 1)[0]
    return prefix.upper() if len(prefix) == 2 and prefix.isalpha() else None
