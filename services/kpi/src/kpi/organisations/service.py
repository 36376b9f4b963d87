"""Rules of organisations: one level under its parent, natural codes unique per level and country,
population per year."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from chassis.area_codes import code_problem
from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from kpi.db import trail
from kpi.organisations.errors import (
    BadCode,
    BadParent,
    DuplicateOrganisation,
    OrganisationNotFound,
)
from kpi.organisations.events import OrganisationCreated, OrganisationUpdated, PopulationSet
from kpi.organisations.models import Organisation, Population
from kpi.organisations.schemas import (
    CODE_PATTERNS,
    PARENT_LEVEL,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    OrganisationQuery,
)


def organisation_view(organisation: Organisation) -> OrganisationOut:
    return OrganisationOut.model_validate(organisation)


def _audited(organisation: Organisation) -> dict[str, Any]:
    return organisation_view(organisation).model_dump(
        mode="json", exclude={"id", "version", "created_at", "updated_at"}
    )


async def get_organisation(session: AsyncSession, *, organisation_id: uuid.UUID) -> Organisation:
    organisation = await session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.populations))
    )
    if organisation is None:
        raise OrganisationNotFound(f"No organisation {organisation_id}")
    return organisation


async def list_organisations(
    session: AsyncSession, *, query: OrganisationQuery, after: uuid.UUID | None
) -> Sequence[Organisation]:
    statement = (
        select(Organisation)
        .options(selectinload(Organisation.populations))
        .order_by(Organisation.id)
        .limit(query.limit + 1)
    )
    if query.level is not None:
        statement = statement.where(Organisation.level == query.level)
    if query.parent_id is not None:
        statement = statement.where(Organisation.parent_id == query.parent_id)
    if query.code is not None:
        statement = statement.where(Organisation.code == query.code)
    if after is not None:
        statement = statement.where(Organisation.id > after)
    return (await session.scalars(statement)).all()


async def _parent_of(session: AsyncSession, body: OrganisationIn) -> Organisation | None:
    wanted = PARENT_LEVEL.get(body.level)
    if wanted is None:
        if body.parent_id is not None:
            raise BadParent("parent_id", "a country has no parent")
        return None
    if body.parent_id is None:
        raise BadParent("parent_id", f"a {body.level} needs its {wanted}")
    parent = await session.get(Organisation, body.parent_id)
    if parent is None:
        raise BadParent("parent_id", f"no organisation {body.parent_id}")
    if parent.level != wanted:
        raise BadParent("parent_id", f"a {body.level}'s parent is a {wanted}, not a {parent.level}")
    return parent


async def create_organisation(
    session: AsyncSession,
    *,
    principal: Principal,
    body: OrganisationIn,
    request_id: str | None,
    organisation_id: uuid.UUID | None = None,
) -> Organisation:
    """Add an organisation under its parent; `organisation_id` lets harvests and the demo data
    give fixed ids."""
    if not re.fullmatch(CODE_PATTERNS[body.level], body.code):
        raise BadCode("code", f"{body.code!r} is not the shape of a {body.level}'s code")
    parent = await _parent_of(session, body)
    country = body.code if parent is None else parent.country_code
    # A county's or municipality's code: Norway's number, Belgium's NIS, the Netherlands' CBS.
    problem = None
    if body.level in ("county", "municipality"):
        problem = code_problem(country, body.level, body.code)
    if problem is not None:
        raise BadCode("code", problem)
    taken = await session.scalar(
        select(Organisation.id).where(
            Organisation.level == body.level,
            Organisation.country_code == country,
            Organisation.code == body.code,
        )
    )
    if taken is not None:
        raise DuplicateOrganisation(
            "code", f"a {body.level} {body.code} exists already in {country}"
        )
    now = utcnow()
    organisation = Organisation(
        id=organisation_id or uuid7(),
        level=body.level,
        code=body.code,
        country_code=country,
        name=body.name,
        parent_id=None if parent is None else parent.id,
        county_code=body.code if body.level == "county" else getattr(parent, "county_code", None),
        created_at=now,
        updated_at=now,
        populations=[],
    )
    session.add(organisation)
    await session.flush()
    await trail.announce(
        session,
        OrganisationCreated(
            level=organisation.level,
            code=organisation.code,
            country_code=organisation.country_code,
            parent=None if parent is None else parent.code,
        ),
        principal=principal,
        change=Change(
            "organisation", str(organisation.id), before=None, after=_audited(organisation)
        ),
        subject=str(organisation.id),
        request_id=request_id,
    )
    return organisation


async def update_organisation(
    session: AsyncSession,
    *,
    principal: Principal,
    organisation: Organisation,
    body: OrganisationPatch,
    request_id: str | None,
) -> Organisation:
    before = _audited(organisation)
    for name, value in body.sent().items():
        if getattr(organisation, name) != value:
            setattr(organisation, name, value)
    await trail.record_update(
        session,
        row=organisation,
        principal=principal,
        change=Change(
            "organisation", str(organisation.id), before=before, after=_audited(organisation)
        ),
        subject=str(organisation.id),
        request_id=request_id,
        event=lambda changed: OrganisationUpdated(
            level=organisation.level, code=organisation.code, changed=changed
        ),
    )
    return organisation


async def set_population(
    session: AsyncSession,
    *,
    principal: Principal,
    organisation: Organisation,
    year: int,
    population: int,
    request_id: str | None,
) -> Organisation:
    """Set one year's population; the organisation's version moves with it (its ETag covers
    its populations)."""
    before = _audited(organisation)
    current = next((p for p in organisation.populations if p.year == year), None)
    if current is None:
        organisation.populations.append(Population(year=year, population=population))
    elif current.population != population:
        current.population = population
    else:
        return organisation
    organisation.updated_at = utcnow()
    organisation.populations.sort(key=lambda p: p.year)
    # A changed stamp makes the row's own UPDATE: its version moves with its populations.
    await session.flush()
    await trail.announce(
        session,
        PopulationSet(
            level=organisation.level, code=organisation.code, year=year, population=population
        ),
        principal=principal,
        change=Change(
            "organisation", str(organisation.id), before=before, after=_audited(organisation)
        ),
        subject=str(organisation.id),
        request_id=request_id,
    )
    return organisation


async def find_by_code(
    session: AsyncSession, *, level: str, country_code: str, code: str
) -> Organisation | None:
    """The organisation of a level with this natural code in this country, with populations."""
    return await session.scalar(
        select(Organisation)
        .where(
            Organisation.level == level,
            Organisation.country_code == country_code,
            Organisation.code == code,
        )
        .options(selectinload(Organisation.populations))
    )


async def place_organisation(
    session: AsyncSession,
    *,
    principal: Principal,
    organisation: Organisation,
    name: str,
    parent: Organisation | None,
    request_id: str | None,
) -> Organisation:
    """Give an organisation its name and parent as another system of record says (a library
    that moved municipality moves here: its county with it)."""
    before = _audited(organisation)
    organisation.name = name
    if parent is not None and organisation.parent_id != parent.id:
        organisation.parent_id = parent.id
        organisation.county_code = (
            organisation.code if organisation.level == "county" else parent.county_code
        )
    await trail.record_update(
        session,
        row=organisation,
        principal=principal,
        change=Change(
            "organisation", str(organisation.id), before=before, after=_audited(organisation)
        ),
        subject=str(organisation.id),
        request_id=request_id,
        event=lambda changed: OrganisationUpdated(
            level=organisation.level, code=organisation.code, changed=changed
        ),
    )
    return organisation
