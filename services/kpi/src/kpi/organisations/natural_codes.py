"""Organisations by their natural codes, as people write them in files and queries: an ISIL
(`NO-2030000`), a municipality or county number (`1804`, `18`), a Belgian NIS code (`44021`,
province `40000`), a Dutch CBS code (`GM0106`, province `PV22`), or, where a bare number could be
either, with its level in front (`county:18`, `municipality:0301`, `country:NO`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kpi.organisations.models import Organisation
from kpi.organisations.schemas import ISIL_PATTERN

_LEVELS = ("library", "municipality", "county", "country")
_ISIL = re.compile(ISIL_PATTERN)


@dataclass(frozen=True, slots=True)
class Known:
    """What a figure needs of its organisation: which one, and whose scope it is in."""

    id: uuid.UUID
    level: str
    code: str
    county_code: str | None


@dataclass(frozen=True, slots=True)
class Resolution:
    """Each written code's organisation, or why it names none."""

    found: dict[str, Known]
    problems: dict[str, str]


def _split(written: str) -> tuple[str | None, str]:
    """(level or None, code): `county:18` names its level, an ISIL is a library's."""
    level, sep, code = written.partition(":")
    if sep and level in _LEVELS:
        return level, code
    if _ISIL.fullmatch(written):
        return "library", written
    return None, written


async def resolve(session: AsyncSession, written: Iterable[str]) -> Resolution:
    """Look every written code up at once (one query, however many rows name them)."""
    wanted = {w: _split(w) for w in set(written)}
    codes = {code for _, code in wanted.values()}
    found_rows: dict[str, list[Known]] = {}
    for chunk in _chunks(sorted(codes), 500):
        rows = await session.execute(
            select(
                Organisation.id, Organisation.level, Organisation.code, Organisation.county_code
            ).where(Organisation.code.in_(chunk))
        )
        for row in rows:
            found_rows.setdefault(row.code, []).append(
                Known(id=row.id, level=row.level, code=row.code, county_code=row.county_code)
            )
    found: dict[str, Known] = {}
    problems: dict[str, str] = {}
    for text, (level, code) in wanted.items():
        matches = [k for k in found_rows.get(code, []) if level is None or k.level == level]
        if not matches:
            problems[text] = f"no organisation with the code {text!r}"
        elif len(matches) > 1:
            levels = ", ".join(sorted(f"{m.level}:{code}" for m in matches))
            problems[text] = f"{text!r} names several organisations: write one of {levels}"
        else:
            found[text] = matches[0]
    return Resolution(found=found, problems=problems)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
