"""Loading the demo: each part finds what an earlier run loaded and adds only what is missing."""

from __future__ import annotations

import calendar
import hashlib
import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from chassis.types import utcnow
from kpi.demo.datasets import load_public_datasets
from kpi.demo.ids import (
    COUNTIES,
    COUNTRIES,
    DEMO_PRINCIPAL,
    FIGURES_SCALE,
    LIBRARIES,
    MUNICIPALITIES,
    PER_INHABITANT_MONTH,
    PRODUCTS,
    USAGE_COUNTRIES,
    USAGE_YEARS,
    YEARS,
)
from kpi.imports.validation import ValidRow
from kpi.imports.writer import write_rows
from kpi.indicators.service import install_starter_set
from kpi.observations.periods import parse_period
from kpi.organisations import service as organisations
from kpi.organisations.models import Organisation
from kpi.organisations.schemas import OrganisationIn
from kpi.settings import KpiSettings
from kpi.usage.models import UsageReport
from kpi.usage.products import record_product
from kpi.usage.service import upload_report


async def _organisation(
    session: AsyncSession,
    level: str,
    country: str,
    code: str,
    name: str,
    parent: Organisation | None,
    populations: dict[int, int] | None = None,
) -> Organisation:
    found = await organisations.find_by_code(session, level=level, country_code=country, code=code)
    if found is None:
        body = OrganisationIn(
            level=level,
            code=code,
            name=name,
            parent_id=None if parent is None else parent.id,
        )
        found = await organisations.create_organisation(
            session, principal=DEMO_PRINCIPAL, body=body, request_id=None
        )
    for year, population in (populations or {}).items():
        if all(p.year != year for p in found.populations):
            await organisations.set_population(
                session,
                principal=DEMO_PRINCIPAL,
                organisation=found,
                year=year,
                population=population,
                request_id=None,
            )
    return found


async def _hierarchy(session: AsyncSession) -> dict[str, tuple[Organisation, int]]:
    """The demo libraries by ISIL, each with the size its figures are scaled to: its
    municipality's latest population, or FIGURES_SCALE where the population is unknown."""
    countries = {
        code: await _organisation(session, "country", code, code, name, None)
        for code, name in COUNTRIES
    }
    counties = {
        (country, number): await _organisation(
            session, "county", country, number, name, countries[country], populations
        )
        for country, number, name, populations in COUNTIES
    }
    municipalities = {
        (country, number): (
            await _organisation(
                session, "municipality", country, number, name, counties[country, county], pops
            ),
            pops[max(pops)] if pops else None,
        )
        for country, number, name, county, pops in MUNICIPALITIES
    }
    libraries = {}
    for isil, name, country, municipality in LIBRARIES:
        parent, population = municipalities[country, municipality]
        library = await _organisation(session, "library", country, isil, name, parent)
        libraries[isil] = (library, population if population is not None else FIGURES_SCALE[isil])
    return libraries


def _wobble(*parts: object) -> float:
    """A fixed factor in [0.85, 1.15) per figure: the same demo on every load."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return 0.85 + 0.3 * int.from_bytes(digest[:4], "big") / 2**32


def _season(month: int) -> float:
    # Summer holidays and Christmas are quieter at the counter.
    return {7: 0.7, 12: 0.85}.get(month, 1.0)


def _figures(libraries: dict[str, tuple[Organisation, int]]) -> list[ValidRow]:
    rows: list[ValidRow] = []
    for isil, (library, population) in libraries.items():
        for year in YEARS:
            for month in range(1, 13):
                period = parse_period(f"{year}-{month:02d}")
                for code, rate in PER_INHABITANT_MONTH.items():
                    value = round(
                        population * rate * _season(month) * _wobble(isil, code, year, month)
                    )
                    rows.append(
                        ValidRow(
                            row=len(rows) + 2,
                            indicator=code,
                            organisation_id=library.id,
                            period=period,
                            value=float(value),
                            status="final" if year < YEARS[-1] else "provisional",
                            comment=None,
                        )
                    )
    return rows


def _usage_report(product: object, isil: str, population: int, year: int, today: date) -> bytes:
    """A COUNTER 5.1 Platform Report for a year, to the last whole month before `today` (made up
    for the demo, shaped as the Code of Practice says)."""
    months = 12 if year < today.year else today.month - 1
    requests = {
        f"{year}-{m:02d}": max(1, round(population * 0.01 * _wobble(product, isil, year, m)))
        for m in range(1, months + 1)
    }
    end = date(year, months, calendar.monthrange(year, months)[1])
    created = end + timedelta(days=5)
    report: dict[str, Any] = {
        "Report_Header": {
            "Release": "5.1",
            "Report_ID": "PR",
            "Report_Name": "Platform Report",
            "Created": f"{created.isoformat()}T08:00:00Z",
            "Created_By": "Demo vendor",
            "Institution_Name": isil,
            "Institution_ID": {"ISIL": [isil]},
            "Report_Filters": {"Begin_Date": f"{year}-01-01", "End_Date": end.isoformat()},
        },
        "Report_Items": [
            {
                "Platform": "Demo platform",
                "Attribute_Performance": [
                    {
                        "Data_Type": "Book",
                        "Access_Method": "Regular",
                        "Performance": {
                            "Total_Item_Requests": requests,
                            "Unique_Item_Requests": {
                                k: max(1, round(v * 0.7)) for k, v in requests.items()
                            },
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(report).encode()


async def load_demo(settings: KpiSettings) -> dict[str, int]:
    """Load the demo; how many rows of each kind this run added."""
    async with Database(settings) as db:
        async with db.writer() as session, session.begin():
            added = {"indicators": len(await install_starter_set(session))}
            libraries = await _hierarchy(session)
            for product_id, vendor_id in PRODUCTS:
                await record_product(
                    session,
                    principal=DEMO_PRINCIPAL,
                    product_id=product_id,
                    vendor_id=vendor_id,
                    status="active",
                    category=None,
                    now=utcnow(),
                )
            written = await write_rows(
                session,
                rows=_figures(libraries),
                by=DEMO_PRINCIPAL.subject,
                now=utcnow(),
                progress=lambda _: None,
            )
            added["observations"] = written.created
            reports = 0
            today = utcnow().date()
            years = [
                year
                for year in USAGE_YEARS
                if year < today.year or (year == today.year and today.month > 1)
            ]
            for product_id, _ in PRODUCTS:
                for isil, (library, population) in libraries.items():
                    if library.country_code not in USAGE_COUNTRIES:
                        continue
                    for year in years:
                        there = await session.scalar(
                            select(func.count())
                            .select_from(UsageReport)
                            .where(
                                UsageReport.product_id == product_id,
                                UsageReport.organisation_id == library.id,
                                UsageReport.begin_date == date(year, 1, 1),
                            )
                        )
                        if there:
                            continue
                        await upload_report(
                            session,
                            principal=DEMO_PRINCIPAL,
                            product_id=product_id,
                            organisation=isil,
                            data=_usage_report(product_id, isil, population, year, today),
                            media="application/json",
                            request_id=None,
                        )
                        reports += 1
            added["usage_reports"] = reports
            added |= await load_public_datasets(session, {k: v[0] for k, v in libraries.items()})
        await db.refresh_statistics()
    return added
