"""The rules of participation: which of a county's libraries take part in an agreement; every
change recomputes the cost shares in its transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Uuid, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from catalogue_licensing.agreements.cost_shares.service import recompute_cost_shares
from catalogue_licensing.agreements.models import (
    Agreement,
    Participation,
    participation_libraries,
)
from catalogue_licensing.agreements.participation.errors import (
    LibraryTakesPart,
    ParticipationNotFound,
    WeightsIncomplete,
)
from catalogue_licensing.agreements.participation.events import ParticipationChanged
from catalogue_licensing.agreements.participation.schemas import (
    ParticipationOut,
)
from catalogue_licensing.agreements.split import SplitKey
from catalogue_licensing.db import audit_log, outbox, trail
from catalogue_licensing.directory.followers import LibraryMove
from catalogue_licensing.directory.isil import isil_key
from catalogue_licensing.directory.models import County, Library, Municipality
from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.outbox import record_event
from chassis.problems import Invalid, body_field_error
from chassis.sql import Prepared, Transaction
from chassis.types import utcnow


def participation_snapshot(
    agreement_id: uuid.UUID, county_number: str, isils: Iterable[str]
) -> dict[str, Any]:
    return {
        "agreement_id": str(agreement_id),
        "county_number": county_number,
        "libraries": sorted(isils),
    }


def participation_resource_id(agreement_id: uuid.UUID, county_number: str) -> str:
    # One audit history per county and agreement, across withdrawing and joining again.
    return f"{agreement_id}/{county_number}"


async def load_participation(
    session: AsyncSession, *, agreement_id: uuid.UUID, county: County
) -> Participation | None:
    return await session.scalar(
        select(Participation)
        .options(selectinload(Participation.libraries))
        .where(Participation.agreement_id == agreement_id, Participation.county_id == county.id)
    )


async def _libraries_of_county(
    session: AsyncSession, *, county: County, isils: Sequence[str]
) -> list[Library]:
    """The libraries named, all of them the county's; otherwise a 422 naming every bad ISIL."""
    rows = (
        await session.execute(
            select(Library, Municipality.county_id)
            .join(Municipality, Municipality.id == Library.municipality_id)
            .where(Library.isil_key.in_([isil_key(isil) for isil in isils]))
        )
    ).all()
    found = {library.isil_key: (library, county_id) for library, county_id in rows}
    errors = []
    for index, isil in enumerate(isils):
        if isil_key(isil) not in found:
            errors.append((index, isil, "no library with this ISIL", "unknown_isil"))
        elif found[isil_key(isil)][1] != county.id:
            errors.append(
                (index, isil, f"this library is not in county {county.number}", "foreign_isil")
            )
    if errors:
        raise Invalid(
            "These libraries cannot take part for county "
            f"{county.number}: {', '.join(isil for _, isil, _, _ in errors)}; nothing was changed",
            errors=[
                body_field_error(f"libraries.{index}", f"{isil}: {message}", kind)
                for index, isil, message, kind in errors
            ],
        )
    # One library named twice (in two spellings) takes part once.
    libraries = {found[isil_key(isil)][0].id: found[isil_key(isil)][0] for isil in isils}
    return list(libraries.values())


_AGREEMENTS_OF_LIBRARY = Prepared(
    select(Participation.__table__.c.agreement_id)
    .join(
        participation_libraries,
        participation_libraries.c.participation_id == Participation.__table__.c.id,
    )
    .where(participation_libraries.c.library_id == bindparam("library_id", type_=Uuid))
    .distinct()
    .order_by(Participation.__table__.c.agreement_id)
)


async def refuse_moving_a_participant(tx: Transaction, move: LibraryMove) -> None:
    """A library that takes part through its county cannot move to another county (409).

    Moving it would leave it in a participation of a county it no longer belongs to, paid for by
    that county and in the catalogue of neither rightly. The county withdraws it first (a
    participation change, which recomputes the shares), then it moves. The directory calls this
    through its move guards (`directory.followers`), wired by `catalogue_licensing.wiring`.
    """
    rows = await tx.rows(_AGREEMENTS_OF_LIBRARY, library_id=move.library_id)
    if not rows:
        return
    agreements = [str(r["agreement_id"]) for r in rows]
    raise LibraryTakesPart(
        f"Library {move.isil} takes part for county {move.from_county} in agreement "
        f"{', '.join(agreements)}; remove it from that participation before "
        f"moving it to county {move.to_county}",
        extra={"agreements": agreements, "county": move.from_county, "to_county": move.to_county},
    )


@dataclass(frozen=True)
class ParticipationChange:
    participation: Participation
    created: bool


async def put_participation(
    session: AsyncSession,
    *,
    agreement: Agreement,
    county: County,
    existing: Participation | None,
    isils: Sequence[str],
    principal: Principal,
    request_id: str | None,
) -> ParticipationChange:
    """Create or replace the county's participation; shares are recomputed in this transaction."""
    unique = list(dict.fromkeys(isils))
    libraries = await _libraries_of_county(session, county=county, isils=unique)
    if agreement.split_key == SplitKey.fixed_weights and county.number not in (
        agreement.weights or {}
    ):
        raise WeightsIncomplete(
            f"The agreement splits by fixed weights and has no weight for county {county.number};"
            " add one to the agreement's weights first",
        )
    now = utcnow()
    before = (
        None
        if existing is None
        else participation_snapshot(
            agreement.id, county.number, (x.isil for x in existing.libraries)
        )
    )
    if existing is None:
        participation = Participation(
            id=uuid7(),
            agreement_id=agreement.id,
            county_id=county.id,
            updated_by=principal.subject,
            updated_at=now,
            libraries=libraries,
        )
        session.add(participation)
        await session.flush()
        await _continue_versions(session, participation, agreement_id=agreement.id, county=county)
    else:
        participation = existing
        participation.libraries = libraries
        # A changed column makes the row's UPDATE, and so its version, move even when only the
        # list of libraries changed (that list lives in another table).
        participation.updated_by = principal.subject
        participation.updated_at = now
    await session.flush()
    after = participation_snapshot(agreement.id, county.number, unique)
    await _record_participation_change(
        session,
        agreement=agreement,
        county=county,
        before=before,
        after=after,
        principal=principal,
        request_id=request_id,
    )
    return ParticipationChange(participation=participation, created=existing is None)


async def _continue_versions(
    session: AsyncSession, participation: Participation, *, agreement_id: uuid.UUID, county: County
) -> None:
    """A participation joined again after a withdrawal is a new row, whose version would start
    at 1 again and match an ETag of the withdrawn one. Every change of a county's participation
    writes one audit entry under one resource id (participation_resource_id), and a version
    moves only with one; so the new row's version starts after the count of earlier entries,
    above every version any earlier row had (issue 15, point 8)."""
    earlier = await session.scalar(
        select(func.count())
        .select_from(audit_log)
        .where(
            audit_log.c.resource_type == "participation",
            audit_log.c.resource_id == participation_resource_id(agreement_id, county.number),
        )
    )
    if not earlier:
        return
    version = int(earlier) + 1
    await session.execute(
        update(Participation)
        .where(Participation.id == participation.id)
        .values(version=version)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(participation, "version", version)


async def withdraw_participation(
    session: AsyncSession,
    *,
    agreement: Agreement,
    county: County,
    participation: Participation | None,
    principal: Principal,
    request_id: str | None,
) -> None:
    if participation is None:
        raise ParticipationNotFound(
            f"County {county.number} does not take part in agreement {agreement.id}"
        )
    before = participation_snapshot(
        agreement.id, county.number, (x.isil for x in participation.libraries)
    )
    await session.delete(participation)
    await session.flush()
    await _record_participation_change(
        session,
        agreement=agreement,
        county=county,
        before=before,
        after=None,
        principal=principal,
        request_id=request_id,
    )


async def _record_participation_change(
    session: AsyncSession,
    *,
    agreement: Agreement,
    county: County,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    principal: Principal,
    request_id: str | None,
) -> None:
    """Audit a participation's change, recompute the shares, announce it; the snapshots say
    which change it was (none before: joined, none after: withdrawn) and how many libraries."""
    action: Literal["joined", "updated", "withdrawn"] = (
        "withdrawn" if after is None else "joined" if before is None else "updated"
    )
    library_count = 0 if after is None else len(after["libraries"])
    await trail.record_change(
        session,
        principal=principal,
        action="participation.changed",
        change=Change(
            "participation",
            participation_resource_id(agreement.id, county.number),
            before=before,
            after=after,
        ),
        request_id=request_id,
    )
    shares = await recompute_cost_shares(session, agreement=agreement)
    await record_event(
        session,
        outbox,
        ParticipationChanged(
            agreement_id=agreement.id,
            product_id=agreement.product_id,
            county_number=county.number,
            change=action,
            library_count=library_count,
            participating_county_count=len(shares),
        ),
        subject=str(agreement.id),
    )


def participation_view(
    participation: Participation, agreement_id: uuid.UUID, county_number: str
) -> ParticipationOut:
    return ParticipationOut(
        agreement_id=agreement_id,
        county_number=county_number,
        libraries=sorted(x.isil for x in participation.libraries),
        version=participation.version,
        updated_by=participation.updated_by,
        updated_at=participation.updated_at,
    )


async def list_participations(
    session: AsyncSession, *, agreement: Agreement, after: str | None, limit: int
) -> list[ParticipationOut]:
    """The counties taking part in the agreement with their libraries, by county number, from
    after the county `after` (a page's cursor), at most `limit`."""
    query = (
        select(Participation, County.number)
        .join(County, County.id == Participation.county_id)
        .options(selectinload(Participation.libraries))
        .where(Participation.agreement_id == agreement.id)
        .order_by(County.number)
        .limit(limit)
    )
    if after is not None:
        query = query.where(County.number > after)
    rows = (await session.execute(query)).all()
    return [participation_view(p, agreement.id, number) for p, number in rows]
