"""The catalogue's directory events applied to the organisations: each library, municipality and
county kept as the directory has it (created when first named, moved and renamed after), and
each population the directory sets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from chassis.auth import Principal
from kpi.costs import service as costs
from kpi.harvest.feed import Area, Directory, FeedEvent, area_of
from kpi.organisations import service as organisations
from kpi.organisations.models import Organisation
from kpi.organisations.schemas import OrganisationIn
from kpi.usage.products import record_product

PRODUCT_EVENTS = frozenset(
    {"product.created", "product.updated", "product.activated", "product.retired"}
)
HARVESTER = Principal(subject="harvest:catalogue", roles=frozenset({"analyst"}))
COUNTRY_NAMES = {"NO": "Norge", "BE": "België", "NL": "Nederland", "SE": "Sverige", "DK": "Danmark"}
# Which of a county's names the figures show, in this order.
NAME_LANGUAGES = ("nb", "nl", "en", "nn")


def _county_name(names: dict[str, str]) -> str:
    for language in NAME_LANGUAGES:
        if language in names:
            return names[language]
    return next(iter(names.values()), "")


class Applier:
    """Applies one page's events in the run's transaction, creating what they name once."""

    def __init__(self, session: AsyncSession, directory: Directory) -> None:
        self.session = session
        self.directory = directory
        # Counties and municipalities already brought in step on this page: each once.
        self.placed: dict[tuple[str, Area], Organisation | None] = {}
        # The organisations the page's directory names, read at once (`prefetch`), by level,
        # country and code; a code looked up there and not found does not exist yet.
        self.known: dict[tuple[str, str, str], Organisation] = {}
        self.looked_up: set[str] = set()

    async def prefetch(self, events: Sequence[FeedEvent]) -> None:
        """Read every organisation the page's events name (libraries, their municipalities,
        counties and countries) in one query, and their populations in a second, instead of
        two queries for each library created."""
        directory = self.directory
        codes: set[str] = set()
        for event in events:
            if event.type in ("library.created", "library.updated"):
                entry = directory.libraries.get(str(event.data.get("isil")))
                if entry is not None:
                    codes |= {entry["isil"], entry["municipality"], entry["country"]}
                    area = directory.municipalities.get((entry["country"], entry["municipality"]))
                    if area is not None:
                        codes.add(area["county"])
            elif event.type == "municipality.population_set":
                codes.add(str(event.data["number"]))
                area = directory.municipalities.get(area_of(event.data))
                if area is not None:
                    codes |= {area["county"], area["country"]}
            elif event.type == "county.population_set":
                codes.add(str(event.data["number"]))
                county = directory.counties.get(area_of(event.data))
                if county is not None:
                    codes.add(county["country"])
        if not codes:
            return
        found = await self.session.scalars(
            select(Organisation)
            .where(Organisation.code.in_(sorted(codes)))
            .options(selectinload(Organisation.populations))
        )
        for organisation in found:
            key = (organisation.level, organisation.country_code, organisation.code)
            self.known[key] = organisation
        self.looked_up = codes

    async def _find(self, *, level: str, country: str, code: str) -> Organisation | None:
        key = (level, country, code)
        if key in self.known:
            return self.known[key]
        if code in self.looked_up:
            return None
        return await organisations.find_by_code(
            self.session, level=level, country_code=country, code=code
        )

    async def _ensure(
        self, *, level: str, country: str, code: str, name: str, parent: Organisation | None
    ) -> Organisation:
        found = await self._find(level=level, country=country, code=code)
        if found is None:
            body = OrganisationIn(
                level=level,
                code=code,
                name=name,
                parent_id=None if parent is None else parent.id,
            )
            created = await organisations.create_organisation(
                self.session, principal=HARVESTER, body=body, request_id=None
            )
            self.known[level, country, code] = created
            return created
        if found.name != name or (parent is not None and found.parent_id != parent.id):
            await organisations.place_organisation(
                self.session,
                principal=HARVESTER,
                organisation=found,
                name=name,
                parent=parent,
                request_id=None,
            )
        return found

    async def _populations(self, organisation: Organisation, entry: dict[str, Any]) -> None:
        have = {p.year: p.population for p in organisation.populations}
        for item in entry.get("populations", []):
            if have.get(item["year"]) != item["population"]:
                await organisations.set_population(
                    self.session,
                    principal=HARVESTER,
                    organisation=organisation,
                    year=int(item["year"]),
                    population=int(item["population"]),
                    request_id=None,
                )

    async def county(self, area: Area) -> Organisation | None:
        if ("county", area) not in self.placed:
            self.placed["county", area] = await self._county(area)
        return self.placed["county", area]

    async def municipality(self, area: Area) -> Organisation | None:
        if ("municipality", area) not in self.placed:
            self.placed["municipality", area] = await self._municipality(area)
        return self.placed["municipality", area]

    async def _county(self, area: Area) -> Organisation | None:
        entry = self.directory.counties.get(area)
        if entry is None:
            return None
        country = await self._ensure(
            level="country",
            country=entry["country"],
            code=entry["country"],
            name=COUNTRY_NAMES.get(entry["country"], entry["country"]),
            parent=None,
        )
        county = await self._ensure(
            level="county",
            country=entry["country"],
            code=entry["number"],
            name=_county_name(entry["name"]),
            parent=country,
        )
        await self._populations(county, entry)
        return county

    async def _municipality(self, area: Area) -> Organisation | None:
        entry = self.directory.municipalities.get(area)
        if entry is None:
            return None
        county = await self.county((entry["country"], entry["county"]))
        if county is None:
            return None
        municipality = await self._ensure(
            level="municipality",
            country=entry["country"],
            code=entry["number"],
            name=entry["name"],
            parent=county,
        )
        await self._populations(municipality, entry)
        return municipality

    async def library(self, isil: str) -> Organisation | None:
        entry = self.directory.libraries.get(isil)
        if entry is None:
            return None
        municipality = await self.municipality((entry["country"], entry["municipality"]))
        if municipality is None:
            return None
        return await self._ensure(
            level="library",
            country=entry["country"],
            code=isil,
            name=entry["name"],
            parent=municipality,
        )

    async def product(self, event: FeedEvent, now: datetime) -> None:
        await record_product(
            self.session,
            principal=HARVESTER,
            product_id=uuid.UUID(event.subject),
            vendor_id=uuid.UUID(str(event.data["vendor_id"])),
            status=str(event.data["status"]),
            category=None if event.data.get("category") is None else str(event.data["category"]),
            now=now,
        )

    async def apply(self, event: FeedEvent, *, now: datetime) -> None:
        if event.type in PRODUCT_EVENTS:
            await self.product(event, now)
        elif event.type == "agreement.created":
            await costs.record_agreement(
                self.session,
                principal=HARVESTER,
                agreement_id=uuid.UUID(event.subject),
                data=event.data,
                now=now,
            )
        elif event.type == "cost_shares.recomputed":
            await costs.record_cost_shares(
                self.session,
                principal=HARVESTER,
                agreement_id=uuid.UUID(str(event.data["agreement_id"])),
                data=event.data,
            )
        elif event.type in ("library.created", "library.updated"):
            await self.library(str(event.data["isil"]))
        elif event.type == "county.population_set":
            await self.county(area_of(event.data))
        elif event.type == "municipality.population_set":
            await self.municipality(area_of(event.data))
