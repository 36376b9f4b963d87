"""The natural codes of each country's areas: Norway's county and municipality numbers, Belgium's
NIS codes (Statbel REFNIS), the Netherlands' CBS codes. A code in another form names nothing in
that country, and saying so (422) helps more than a 404. The catalogue's directory and kpi's
organisations check codes by the same forms."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CodeForm:
    pattern: re.Pattern[str]
    # How a person is told the form, e.g. "two digits (03)".
    described: str


# Per country: the form of a county's (province's) code, then of a municipality's.
AREA_CODES: dict[str, tuple[CodeForm, CodeForm]] = {
    "NO": (
        CodeForm(re.compile(r"[0-9]{2}"), "a county number of two digits (03)"),
        CodeForm(re.compile(r"[0-9]{4}"), "a municipality number of four digits (0301)"),
    ),
    "BE": (
        CodeForm(re.compile(r"[0-9]{5}"), "a province's NIS code of five digits (40000)"),
        CodeForm(re.compile(r"[0-9]{5}"), "a municipality's NIS code of five digits (44021)"),
    ),
    "NL": (
        CodeForm(re.compile(r"PV[0-9]{2}"), "a province's CBS code, PV and two digits (PV22)"),
        CodeForm(
            re.compile(r"GM[0-9]{4}"), "a municipality's CBS code, GM and four digits (GM0106)"
        ),
    ),
}

LEVELS = ("county", "municipality")


def code_problem(country: str, level: str, code: str) -> str | None:
    """Why `code` cannot be a `level` ("county" or "municipality") code of `country`, or None.
    A country without a known form takes any code the paths allow."""
    forms = AREA_CODES.get(country)
    if forms is None:
        return None
    form = forms[LEVELS.index(level)]
    if form.pattern.fullmatch(code):
        return None
    return f"{code!r} is not a {level} code of {country}: expected {form.described}"


def any_form(level: str) -> str:
    """The pattern of a `level` code in any country's form, for a schema: a code no country
    writes so is refused by validation; one of another country's form is the route's to answer."""
    forms = dict.fromkeys(
        forms[LEVELS.index(level)].pattern.pattern for forms in AREA_CODES.values()
    )
    return "^(?:" + "|".join(forms) + ")$"
