"""The catalogue's directory events applied to the organisations: each library, municipality and
county kept as the directory has it (created when first named, moved and renamed after), and
each population the directory sets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from kpi.costs import service as costs
from kpi.harvest.feed import Directory, FeedEvent
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
        self.placed: dict[tuple[str, str], Organisation | None] = {}

    async def _ensure(
        self, *, level: str, country: str, code: str, name: str, parent: Organisation | None
    ) -> Organisation:
        found = await organisations.find_by_code(
            self.session, level=level, country_code=country, code=code
        )
        if found is None:
            body = OrganisationIn(
                level=level,
                code=code,
                name=name,
                parent_id=None if parent is None else parent.id,
            )
            return await organisations.create_organisation(
                self.session, principal=HARVESTER, body=body, request_id=None
            )
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

    async def county(self, number: str) -> Organisation | None:
        if ("county", number) not in self.placed:
            self.placed["county", number] = await self._county(number)
        return self.placed["county", number]

    async def municipality(self, number: str) -> Organisation | None:
        if ("municipality", number) not in self.placed:
            self.placed["municipality", number] = await self._municipality(number)
        return self.placed["municipality", number]

    async def _county(self, number: str) -> Organisation | None:
        entry = self.directory.counties.get(number)
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
            code=number,
            name=_county_name(entry["name"]),
            parent=country,
        )
        await self._populations(county, entry)
        return county

    async def _municipality(self, number: str) -> Organisation | None:
        entry = self.directory.municipalities.get(number)
        if entry is None:
            return None
        county = await self.county(entry["county"])
        if county is None:
            return None
        municipality = await self._ensure(
            level="municipality",
            country=entry["country"],
            code=number,
            name=entry["name"],
            parent=county,
        )
        await self._populations(municipality, entry)
        return municipality

    async def library(self, isil: str) -> Organisation | None:
        entry = self.directory.libraries.get(isil)
        if entry is None:
            return None
        municipality = await self.municipality(entry["municipality"])
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
            await self.county(str(event.data["number"]))
        elif event.type == "municipality.population_set":
            await self.municipality(str(event.data["number"]))
