"""Rules of usage reports: a known product, an organisation in the caller's scope, a report the
reader accepts; its months replace what an earlier report of the same kind said of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from kpi.db import trail
from kpi.observations.errors import NotYourOrganisation
from kpi.observations.service import find_organisation
from kpi.organisations.access import in_scope
from kpi.organisations.natural_codes import Known
from kpi.usage.counter.model import CounterException, NotCounter, Report
from kpi.usage.counter.reader import read_report
from kpi.usage.errors import CounterErrors, NotCounterReport, UnknownProduct, UsageReportNotFound
from kpi.usage.events import UsageReportUploaded
from kpi.usage.models import Product, UsageCount, UsageReport
from kpi.usage.schemas import ExceptionOut, MetricOut, UsageReportOut


def _exceptions(exceptions: Sequence[CounterException]) -> list[dict[str, Any]]:
    return [
        ExceptionOut(code=e.code, message=e.message, severity=e.severity, data=e.data).model_dump()
        for e in exceptions
    ]


def read_counter(data: bytes, media: str) -> Report:
    """The report, or the problem a client is told: not COUNTER, or errors and no usage."""
    try:
        read = read_report(data, media)
    except NotCounter as exc:
        raise NotCounterReport(f"Not a COUNTER 5 or 5.1 report: {exc}") from exc
    if isinstance(read, list):
        raise CounterErrors(
            "The reply holds Exceptions and no report",
            extra={"exceptions": _exceptions(read)},
        )
    errors = read.errors()
    if errors and not read.has_usage:
        codes = ", ".join(str(e.code) for e in errors)
        raise CounterErrors(
            f"The report carries error Exceptions ({codes}) and no usage",
            extra={"exceptions": _exceptions(read.exceptions)},
        )
    return read


def usage_view(report: UsageReport) -> UsageReportOut:
    return UsageReportOut(
        id=report.id,
        product_id=report.product_id,
        organisation_id=report.organisation_id,
        release=report.release,
        report_id=report.report_id,
        report_name=report.report_name,
        institution_name=report.institution_name,
        begin_date=report.begin_date,
        end_date=report.end_date,
        exceptions=[ExceptionOut.model_validate(e) for e in report.exceptions],
        report_items=report.report_items,
        metrics={
            metric: MetricOut(total=sum(months.values()), per_month=dict(sorted(months.items())))
            for metric, months in sorted(report.metrics.items())
        },
        uploaded_by=report.uploaded_by,
        created_at=report.created_at,
    )


async def _organisation(
    session: AsyncSession, principal: Principal, ref: str | None
) -> Known | None:
    if ref is None:
        return None
    known = await find_organisation(session, ref, field="organisation", in_query=True)
    if not in_scope(principal, known):
        raise NotYourOrganisation.in_query(
            "organisation", f"you may not record usage for {known.code}"
        )
    return known


async def _replace_counts(
    session: AsyncSession, record: UsageReport, report: Report, organisation: Known | None
) -> None:
    """The report's months replace what an earlier report of the same kind said of them."""
    kind = report.report_id[:2]
    rows = [
        {
            "product_id": record.product_id,
            "organisation_id": None if organisation is None else organisation.id,
            "report_kind": kind,
            "metric": metric,
            "month": date(int(month[:4]), int(month[5:7]), 1),
            "count": count,
            "usage_report_id": record.id,
        }
        for metric, months in report.metrics.items()
        for month, count in months.items()
    ]
    if not rows:
        return
    org_column = UsageCount.organisation_id
    await session.execute(
        delete(UsageCount).where(
            UsageCount.product_id == record.product_id,
            org_column.is_(None) if organisation is None else org_column == organisation.id,
            UsageCount.report_kind == kind,
            UsageCount.metric.in_(sorted(report.metrics)),
            UsageCount.month.in_(sorted({r["month"] for r in rows})),
        )
    )
    await session.execute(insert(UsageCount), rows)


async def upload_report(
    session: AsyncSession,
    *,
    principal: Principal,
    product_id: uuid.UUID,
    organisation: str | None,
    data: bytes,
    media: str,
    request_id: str | None,
) -> UsageReport:
    if await session.get(Product, product_id) is None:
        raise UnknownProduct.in_query("product_id", f"no catalogue product {product_id}")
    place = await _organisation(session, principal, organisation)
    report = read_counter(data, media)
    record = UsageReport(
        id=uuid7(),
        product_id=product_id,
        organisation_id=None if place is None else place.id,
        release=report.release,
        report_id=report.report_id,
        report_name=report.report_name,
        institution_name=report.institution_name,
        begin_date=report.begin_date,
        end_date=report.end_date,
        exceptions=_exceptions(report.exceptions),
        report_items=report.report_items,
        metrics={m: dict(months) for m, months in report.metrics.items()},
        uploaded_by=principal.subject,
        created_at=utcnow(),
    )
    session.add(record)
    await session.flush()
    await _replace_counts(session, record, report, place)
    totals = {m: sum(months.values()) for m, months in report.metrics.items()}
    await trail.announce(
        session,
        UsageReportUploaded(
            product_id=str(product_id),
            organisation=None if place is None else place.code,
            release=report.release,
            report_id=report.report_id,
            begin_date=None if report.begin_date is None else report.begin_date.isoformat(),
            end_date=None if report.end_date is None else report.end_date.isoformat(),
            totals=totals,
        ),
        principal=principal,
        change=Change(
            "usage_report",
            str(record.id),
            before=None,
            after={"product_id": str(product_id), "report_id": report.report_id, "totals": totals},
        ),
        subject=str(record.id),
        request_id=request_id,
    )
    return record


async def get_report(session: AsyncSession, *, report_id: uuid.UUID) -> UsageReport:
    found = await session.scalar(select(UsageReport).where(UsageReport.id == report_id))
    if found is None:
        raise UsageReportNotFound(f"No usage report {report_id}")
    return found
