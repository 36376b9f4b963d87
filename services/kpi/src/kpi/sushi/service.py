"""Rules of SUSHI endpoints and their harvests: an endpoint per known product (its URL judged
before the transaction, its credentials sealed), and each month from `harvest_from` to the last
whole month harvested once: a report recorded exactly as an upload is, or a failure retried with
a doubling backoff until the attempts run out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.db import Database
from chassis.problems import ProblemError
from kpi.db import trail
from kpi.observations.service import find_organisation
from kpi.settings import SushiSettings
from kpi.sushi.errors import ProductNotFound, SushiEndpointNotFound
from kpi.sushi.events import SushiEndpointSaved, SushiHarvestFailed
from kpi.sushi.models import SushiEndpoint, SushiHarvest
from kpi.sushi.schemas import SushiEndpointIn, SushiEndpointOut, SushiHarvestOut
from kpi.sushi.sealing import CredentialSealer
from kpi.usage.models import Product
from kpi.usage.service import upload_report

HARVESTER = Principal(subject="harvest:sushi", roles=frozenset({"analyst"}))
CREDENTIALS = ("customer_id", "requestor_id", "api_key")
PENDING, DONE, FAILED = "pending", "done", "failed"
# Months a new endpoint reaches back at most.
MAX_MONTHS_BACK = 36


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return first_of_month(first_of_month(day) - timedelta(days=1))


def endpoint_view(endpoint: SushiEndpoint) -> SushiEndpointOut:
    return SushiEndpointOut(
        product_id=endpoint.product_id,
        base_url=endpoint.base_url,
        report_id=endpoint.report_id,
        organisation_id=endpoint.organisation_id,
        harvest_from=endpoint.harvest_from,
        credentials=[n for n in endpoint.credential_names.split(",") if n],
        active=endpoint.active,
        version=endpoint.version,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def harvest_view(harvest: SushiHarvest) -> SushiHarvestOut:
    return SushiHarvestOut.model_validate(harvest, from_attributes=True)


async def save_endpoint(
    session: AsyncSession,
    *,
    principal: Principal,
    product_id: uuid.UUID,
    body: SushiEndpointIn,
    sealer: CredentialSealer,
    now: datetime,
    request_id: str | None,
) -> tuple[SushiEndpoint, bool]:
    """The endpoint saved (created: True), its URL already judged by the caller. Saving again
    replaces it and gives its failed months their attempts back."""
    if await session.get(Product, product_id) is None:
        raise ProductNotFound(f"No catalogue product {product_id}")
    organisation = (
        None
        if body.organisation is None
        else await find_organisation(session, body.organisation, field="organisation")
    )
    given = {
        name: secret.get_secret_value()
        for name in CREDENTIALS
        if (secret := getattr(body, name)) is not None
    }
    sealed = sealer.seal(given, product_id=product_id)
    fields = {
        "base_url": body.base_url,
        "report_id": body.report_id,
        "organisation_id": None if organisation is None else organisation.id,
        "harvest_from": date(int(body.harvest_from[:4]), int(body.harvest_from[5:7]), 1),
        "credentials": sealed,
        "credential_names": ",".join(sorted(given)),
        "active": body.active,
        "updated_at": now,
    }
    endpoint = await session.get(SushiEndpoint, product_id)
    created = endpoint is None
    before = None
    if endpoint is None:
        endpoint = SushiEndpoint(product_id=product_id, created_at=now, **fields)
        session.add(endpoint)
    else:
        before = _audited(endpoint)
        for name, value in fields.items():
            setattr(endpoint, name, value)
        await session.execute(
            delete(SushiHarvest).where(
                SushiHarvest.product_id == product_id, SushiHarvest.status == FAILED
            )
        )
    await session.flush()
    await trail.announce(
        session,
        SushiEndpointSaved(
            product_id=str(product_id),
            base_url=endpoint.base_url,
            report_id=endpoint.report_id,
            active=endpoint.active,
        ),
        principal=principal,
        change=Change("sushi_endpoint", str(product_id), before=before, after=_audited(endpoint)),
        subject=str(product_id),
        request_id=request_id,
    )
    return endpoint, created


def _audited(endpoint: SushiEndpoint) -> dict[str, object]:
    """What the trail keeps of an endpoint: its credentials by name only, masked."""
    return {
        "base_url": endpoint.base_url,
        "report_id": endpoint.report_id,
        "organisation_id": None
        if endpoint.organisation_id is None
        else str(endpoint.organisation_id),
        "harvest_from": endpoint.harvest_from.isoformat(),
        "credentials": {n: "***" for n in endpoint.credential_names.split(",") if n},
        "active": endpoint.active,
    }


async def get_endpoint(session: AsyncSession, product_id: uuid.UUID) -> SushiEndpoint:
    found = await session.get(SushiEndpoint, product_id)
    if found is None:
        raise SushiEndpointNotFound(f"No SUSHI endpoint for product {product_id}")
    return found


async def list_endpoints(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[SushiEndpoint]:
    query = select(SushiEndpoint).order_by(SushiEndpoint.product_id).limit(limit + 1)
    if after is not None:
        query = query.where(SushiEndpoint.product_id > after)
    return (await session.scalars(query)).all()


async def list_harvests(session: AsyncSession, product_id: uuid.UUID) -> Sequence[SushiHarvest]:
    await get_endpoint(session, product_id)
    return (
        await session.scalars(
            select(SushiHarvest)
            .where(SushiHarvest.product_id == product_id)
            .order_by(SushiHarvest.month)
        )
    ).all()


# ---------------------------------------------------------------------- the harvest


@dataclass(frozen=True)
class Due:
    """A month to fetch now, and what the fetch needs (read before any transaction)."""

    product_id: uuid.UUID
    month: date
    base_url: str
    report_id: str
    sealed: bytes


def _months(start: date, last: date) -> list[date]:
    months: list[date] = []
    month = max(start, first_of_month(last - timedelta(days=31 * MAX_MONTHS_BACK)))
    month = first_of_month(month)
    while month <= last:
        months.append(month)
        month = first_of_month(month + timedelta(days=32))
    return months


async def next_due(db: Database, *, now: datetime) -> Due | None:
    """The month most overdue among the active endpoints: never tried (oldest month first), or
    pending with its retry time come."""
    last = previous_month(now.date())
    async with db.reader() as session:
        endpoints = (
            await session.scalars(select(SushiEndpoint).where(SushiEndpoint.active.is_(True)))
        ).all()
        harvests = (await session.scalars(select(SushiHarvest))).all()
    known = {(h.product_id, h.month): h for h in harvests}
    best: tuple[datetime, date, SushiEndpoint] | None = None
    for endpoint in sorted(endpoints, key=lambda e: e.product_id):
        for month in _months(endpoint.harvest_from, last):
            harvest = known.get((endpoint.product_id, month))
            if harvest is not None and harvest.status != PENDING:
                continue
            when = (
                datetime.min.replace(tzinfo=now.tzinfo)
                if harvest is None or harvest.next_attempt_at is None
                else harvest.next_attempt_at
            )
            if when <= now and (best is None or (when, month) < best[:2]):
                best = (when, month, endpoint)
    if best is None:
        return None
    _, month, endpoint = best
    return Due(
        product_id=endpoint.product_id,
        month=month,
        base_url=endpoint.base_url,
        report_id=endpoint.report_id,
        sealed=endpoint.credentials,
    )


async def _locked_harvest(
    session: AsyncSession, product_id: uuid.UUID, month: date, *, now: datetime
) -> SushiHarvest:
    """The month's row, created pending by whichever run comes first, and locked."""
    dialect = (await session.connection()).dialect.name
    add = postgresql_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        add(SushiHarvest)
        .values(
            product_id=product_id,
            month=month,
            status=PENDING,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
            usage_report_id=None,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["product_id", "month"])
    )
    harvest = await session.scalar(
        select(SushiHarvest)
        .where(SushiHarvest.product_id == product_id, SushiHarvest.month == month)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert harvest is not None
    return harvest


async def record_outcome(
    session: AsyncSession,
    *,
    due: Due,
    report: bytes | None,
    error: str | None,
    settings: SushiSettings,
    now: datetime,
) -> SushiHarvest | None:
    """The fetched report recorded as an upload, or the failure kept and retried later. None
    when another run recorded this month first (nothing done)."""
    harvest = await _locked_harvest(session, due.product_id, due.month, now=now)
    if harvest.status != PENDING or (
        harvest.next_attempt_at is not None and harvest.next_attempt_at > now
    ):
        return None
    endpoint = await session.get(SushiEndpoint, due.product_id)
    if endpoint is None or not endpoint.active:
        return None
    if report is not None:
        try:
            async with session.begin_nested():
                record = await upload_report(
                    session,
                    principal=HARVESTER,
                    product_id=due.product_id,
                    organisation=None
                    if endpoint.organisation_id is None
                    else str(endpoint.organisation_id),
                    data=report,
                    media="application/json",
                    request_id=None,
                )
        except ProblemError as exc:
            found = exc.extra.get("exceptions", [])
            codes = ", ".join(f"{e['code']} {e['message']}" for e in found)
            error = f"{exc.detail}" + (f" ({codes})" if codes else "")
        else:
            harvest.status = DONE
            harvest.usage_report_id = record.id
            harvest.attempts += 1
            harvest.next_attempt_at = None
            harvest.last_error = None
            harvest.updated_at = now
            await session.flush()
            return harvest
    harvest.attempts += 1
    harvest.last_error = (error or "no report")[:2000]
    harvest.updated_at = now
    if harvest.attempts >= settings.max_attempts:
        harvest.status = FAILED
        harvest.next_attempt_at = None
        await session.flush()
        await trail.announce(
            session,
            SushiHarvestFailed(
                product_id=str(due.product_id),
                month=due.month.isoformat()[:7],
                attempts=harvest.attempts,
                error=harvest.last_error,
            ),
            principal=HARVESTER,
            change=Change(
                "sushi_harvest",
                f"{due.product_id}/{due.month.isoformat()[:7]}",
                before=None,
                after={"status": FAILED, "attempts": harvest.attempts},
            ),
            subject=str(due.product_id),
            request_id=None,
        )
    else:
        backoff = settings.retry_base_seconds * 2 ** (harvest.attempts - 1)
        harvest.next_attempt_at = now + timedelta(seconds=backoff)
        await session.flush()
    return harvest
