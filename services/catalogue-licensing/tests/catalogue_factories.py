"""Plain factory functions for the catalogue tests: rows straight into the database, and valid
request bodies to change one field of."""

from __future__ import annotations

import csv
import itertools
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import outbox
from catalogue_licensing.directory.models import (
    Country,
    County,
    CountyPopulation,
    Library,
    Municipality,
    MunicipalityPopulation,
)
from catalogue_licensing.directory.reference_load import REFERENCE_DIR, ReferenceFiles
from catalogue_licensing.products.models import Product
from catalogue_licensing.vendors.models import Vendor
from chassis.ids import uuid7
from chassis.runtime import app_runtime
from chassis.types import utcnow

_serial = itertools.count(1)


@asynccontextmanager
async def committed(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session of the running app whose writes commit when the block ends."""
    async with app_runtime(app).db.writer() as session, session.begin():
        yield session


async def row_count(app: FastAPI, what: Any) -> int:
    """How many rows a table (or a model's table) holds now."""
    async with committed(app) as session:
        return int(await session.scalar(select(func.count()).select_from(what)) or 0)


async def events_of(app: FastAPI, type_: str) -> list[dict[str, Any]]:
    """The data of the outbox events of one type, oldest first."""
    async with committed(app) as session:
        rows = await session.execute(
            select(outbox.c.data).where(outbox.c.type == type_).order_by(outbox.c.seq)
        )
        return [r[0] for r in rows]


def org_number(base: int) -> str:
    """A valid Norwegian organisation number from 8 digits of `base` (mod-11 check digit);
    bases whose check would be 10 are skipped to the next."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        digits = f"{base % 100_000_000:08d}"
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 1:
            return digits + str(0 if remainder == 0 else 11 - remainder)
        base += 1


async def ensure_country(session: AsyncSession, code: str = "NO") -> Country:
    country = await session.get(Country, code)
    if country is None:
        country = Country(code=code, name={"nb": code, "en": code})
        session.add(country)
        await session.flush()
    return country


async def create_county(session: AsyncSession, **overrides: Any) -> County:
    await ensure_country(session, overrides.get("country_code", "NO"))
    populations = overrides.pop("populations", {2024: 100_000, 2025: 101_000})
    values: dict[str, Any] = {
        "id": uuid7(),
        "country_code": "NO",
        "number": f"{next(_serial) % 90 + 10:02d}",
        "name": {"nb": "Testfylke"},
        "updated_at": utcnow(),
        "populations": [CountyPopulation(year=y, population=p) for y, p in populations.items()],
    }
    county = County(**(values | overrides))
    session.add(county)
    await session.flush()
    return county


async def create_municipality(
    session: AsyncSession, county: County, **overrides: Any
) -> Municipality:
    populations = overrides.pop("populations", {2024: 10_000, 2025: 10_100})
    values: dict[str, Any] = {
        "id": uuid7(),
        "country_code": county.country_code,
        "number": f"{county.number}{next(_serial) % 100:02d}",
        "name": "Testkommune",
        "county_id": county.id,
        "updated_at": utcnow(),
        "populations": [
            MunicipalityPopulation(year=y, population=p) for y, p in populations.items()
        ],
    }
    municipality = Municipality(**(values | overrides))
    session.add(municipality)
    await session.flush()
    return municipality


async def create_library(
    session: AsyncSession, municipality: Municipality, **overrides: Any
) -> Library:
    now = utcnow()
    values: dict[str, Any] = {
        "id": uuid7(),
        "isil": f"NO-2{municipality.number}{next(_serial) % 100:02d}",
        "name": "Testbibliotek",
        "kind": "public",
        "municipality_id": municipality.id,
        "created_at": now,
        "updated_at": now,
    }
    library = Library(**(values | overrides))
    session.add(library)
    await session.flush()
    return library


async def create_vendor(session: AsyncSession, **overrides: Any) -> Vendor:
    now = utcnow()
    values: dict[str, Any] = {
        "id": uuid7(),
        "name": f"Leverandør {next(_serial)} AS",
        "org_number": org_number(91_000_000 + next(_serial) * 37),
        "contacts": [],
        "created_at": now,
        "updated_at": now,
    }
    vendor = Vendor(**(values | overrides))
    session.add(vendor)
    await session.flush()
    return vendor


def product_payload(**overrides: Any) -> dict[str, Any]:
    """A complete, valid product body (the four answers in nb and en)."""
    body: dict[str, Any] = {
        "category": "ebooks_audiobooks",
        "audiences": ["residents"],
        "content_languages": ["nb", "nn"],
        "name": {"nb": "Lydbøker for alle", "en": "Audiobooks for all"},
        "description": {"nb": "Lydbøker på norsk.", "en": "Audiobooks in Norwegian."},
        "access": {
            "methods": ["library_card"],
            "steps": {"nb": "Logg inn med lånekortet.", "en": "Sign in with your library card."},
        },
        "home_use": {"available": True, "terms": {"nb": "Overalt.", "en": "Anywhere."}},
        "sharing": {"allowed": False, "terms": {}},
        "contact": {
            "name": "Brukerstøtte",
            "email": "support@example.no",
            "phone": "+47 22 00 00 00",
            "opening_hours": {"nb": "Hverdager 8-16", "en": "Weekdays 8-16"},
            "url": "https://support.example.no/",
        },
        "procurement": {
            "wcag_level": "AA",
            "data_processing_agreement": True,
            "counter_release": "5.1",
            "sushi_url": None,
            "authentication_standards": ["saml2"],
        },
    }
    return body | overrides


async def create_product(session: AsyncSession, vendor: Vendor, **overrides: Any) -> Product:
    body = product_payload()
    now = utcnow()
    values: dict[str, Any] = {
        "id": uuid7(),
        "vendor_id": vendor.id,
        "status": "draft",
        **{k: body[k] for k in body},
        "created_at": now,
        "updated_at": now,
    }
    product = Product(**(values | overrides))
    session.add(product)
    await session.flush()
    return product


def random_id() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------- agreements and participation


def agreement_payload(product_id: Any, **overrides: Any) -> dict[str, Any]:
    """A valid POST /v1/agreements body for a period around 2026-11-22 (the demo's today)."""
    body: dict[str, Any] = {
        "product_id": str(product_id),
        "period_start": "2026-01-01",
        "period_end": "2099-12-31",
        "yearly_price_minor": 1_000_000,
        "currency": "NOK",
        "terms": {"nb": "Fri bruk med lånekort.", "en": "Free use with a library card."},
        "split_key": "equal",
    }
    return body | overrides


async def join_agreement(
    client: Any, url: str, county: str, isils: list[str], headers: dict[str, str]
) -> None:
    """Through the API: the county starts taking part in the agreement at `url` with these
    libraries."""
    answer = await client.put(
        f"{url}/participations/{county}", json={"libraries": isils}, headers=headers
    )
    assert answer.status_code == 201, answer.text


async def seed_agreement_world(session: AsyncSession) -> dict[str, Any]:
    """Oslo (03) with two libraries, Vestland (46) with Bergen and a school, Nordland (18) with
    one library and no 2026 population; a vendor with two active products and a draft one."""
    oslo = await create_county(
        session, number="03", name={"nb": "Oslo"}, populations={2024: 717_710, 2025: 724_290}
    )
    vestland = await create_county(
        session, number="46", name={"nb": "Vestland"}, populations={2024: 651_000, 2025: 656_000}
    )
    nordland = await create_county(session, number="18", name={"nb": "Nordland"}, populations={})
    oslo_m = await create_municipality(session, oslo, number="0301", name="Oslo")
    bergen_m = await create_municipality(session, vestland, number="4601", name="Bergen")
    bodo_m = await create_municipality(session, nordland, number="1804", name="Bodø")
    deichman = await create_library(session, oslo_m, isil="NO-2030000", name="Deichman")
    grunerlokka = await create_library(session, oslo_m, isil="NO-2030001", name="Grünerløkka")
    bergen = await create_library(session, bergen_m, isil="NO-2120100", name="Bergen")
    school = await create_library(
        session, bergen_m, isil="NO-3460101", name="Bergen katedralskole", kind="school"
    )
    bodo = await create_library(session, bodo_m, isil="NO-2180400", name="Bodø bibliotek")
    vendor = await create_vendor(session, name="Lydbokforlaget AS")
    audiobooks = await create_product(session, vendor, status="active")
    film = await create_product(
        session,
        vendor,
        status="active",
        category="film",
        audiences=["residents", "pupils"],
        name={"nb": "Filmtjenesten", "nn": "Filmtenesta", "en": "The film service"},
        home_use={"available": False, "terms": {"nb": "Bare i biblioteket."}},
    )
    draft = await create_product(session, vendor, status="draft")
    return {
        "oslo": oslo,
        "vestland": vestland,
        "nordland": nordland,
        "deichman": deichman,
        "grunerlokka": grunerlokka,
        "bergen": bergen,
        "school": school,
        "bodo": bodo,
        "vendor": vendor,
        "audiobooks": audiobooks,
        "film": film,
        "draft": draft,
    }


# ---------------------------------------------------------------- reference files


def copy_reference(tmp_path: Path) -> ReferenceFiles:
    """The shipped reference files, copied for a test to change."""
    for name in (
        "no-counties.csv",
        "no-county-name-languages.csv",
        "no-municipalities.csv",
        "libraries-sample.csv",
    ):
        shutil.copy(REFERENCE_DIR / name, tmp_path / name)
    return ReferenceFiles(
        counties=tmp_path / "no-counties.csv",
        county_name_languages=tmp_path / "no-county-name-languages.csv",
        municipalities=tmp_path / "no-municipalities.csv",
        libraries=tmp_path / "libraries-sample.csv",
    )


def rewrite_csv(path: Path, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = [change(dict(row)) for row in reader]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def in_row(column: str, value: str, **changes: str) -> Callable[[dict[str, str]], dict[str, str]]:
    """A row rewrite that changes the one row whose `column` is `value`."""
    return lambda row: row | changes if row[column] == value else row
