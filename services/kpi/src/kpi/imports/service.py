"""Imports of figures: the file checked whole before anything is written (a refused file changes
nothing and names each bad row), then written in one transaction, its progress kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from kpi.db import trail
from kpi.imports.csv_reader import RowProblem, read_csv
from kpi.imports.errors import ImportNotFound, ImportRejected
from kpi.imports.events import (
    ObservationImportFailed,
    ObservationImportStarted,
    ObservationsImported,
)
from kpi.imports.models import ObservationImport
from kpi.imports.schemas import ImportOut, ReportRow
from kpi.imports.validation import Context, ValidRow, validate
from kpi.imports.writer import Written, write_rows
from kpi.observations.service import indicator_rules
from kpi.organisations.access import sees_all
from kpi.organisations.natural_codes import resolve

# A refused file's report lists at most this many problems (and says how many there were).
REPORTED = 1_000


def rejection(problems: Sequence[RowProblem], *, rows: int) -> ImportRejected:
    shown = [
        ReportRow(row=p.row, column=p.column, value=p.value, message=p.message).model_dump()
        for p in problems[:REPORTED]
    ]
    bad_rows = len({p.row for p in problems})
    return ImportRejected(
        f"Nothing was imported: {len(problems)} problem(s) in {bad_rows} row(s) of {rows}",
        extra={"report": shown, "problem_count": len(problems), "rows": rows},
    )


async def checked_rows(
    session: AsyncSession, *, principal: Principal, data: bytes
) -> list[ValidRow]:
    """Every row of the file, checked; ImportRejected with the whole report if any is bad."""
    read = read_csv(data)
    if any(p.row <= 1 for p in read.problems) or (read.problems and not read.rows):
        # The file itself (encoding, header, delimiter): its rows cannot be read.
        raise rejection(read.problems, rows=len(read.rows))
    if not read.rows:
        raise rejection([RowProblem(0, None, None, "the file has a header and no rows")], rows=0)
    context = Context(
        indicators=await indicator_rules(session),
        organisations=await resolve(session, (r.organisation for r in read.rows)),
        principal=principal,
        today=utcnow().date(),
    )
    valid, problems = validate(read.rows, context)
    if problems or read.problems:
        every = sorted([*read.problems, *problems], key=lambda p: p.row)
        raise rejection(every, rows=len(read.rows) + len({p.row for p in read.problems}))
    return valid


def import_view(record: ObservationImport, *, written: int | None = None) -> ImportOut:
    done = record.rows_total if record.status == "completed" else (written or 0)
    return ImportOut(
        id=record.id,
        status=record.status,
        rows_total=record.rows_total,
        rows_written=done,
        created=record.created_count,
        corrected=record.corrected_count,
        unchanged=record.unchanged_count,
        submitted_by=record.submitted_by,
        error=record.error,
        version=record.version,
        created_at=record.created_at,
        finished_at=record.finished_at,
    )


def _audited(record: ObservationImport) -> dict[str, Any]:
    return import_view(record).model_dump(
        mode="json", include={"status", "rows_total", "created", "corrected", "unchanged", "error"}
    )


async def start_import(
    session: AsyncSession, *, principal: Principal, rows_total: int, request_id: str | None
) -> ObservationImport:
    now = utcnow()
    record = ObservationImport(
        id=uuid7(),
        status="running",
        rows_total=rows_total,
        created_count=0,
        corrected_count=0,
        unchanged_count=0,
        submitted_by=principal.subject,
        error=None,
        created_at=now,
        updated_at=now,
        finished_at=None,
    )
    session.add(record)
    await session.flush()
    await trail.announce(
        session,
        ObservationImportStarted(import_id=str(record.id), rows_total=rows_total),
        principal=principal,
        change=Change("observation_import", str(record.id), before=None, after=_audited(record)),
        subject=str(record.id),
        request_id=request_id,
    )
    return record


async def get_import(
    session: AsyncSession, *, principal: Principal, import_id: uuid.UUID
) -> ObservationImport:
    """An analyst reads every import, anyone else their own (another's is 404)."""
    query = select(ObservationImport).where(ObservationImport.id == import_id)
    if not sees_all(principal):
        query = query.where(ObservationImport.submitted_by == principal.subject)
    record = await session.scalar(query)
    if record is None:
        raise ImportNotFound(f"No import {import_id} that you may see")
    return record


async def write_import(
    session: AsyncSession,
    *,
    import_id: uuid.UUID,
    principal: Principal,
    rows: Sequence[ValidRow],
    request_id: str | None,
    progress: Callable[[int], None],
) -> Written:
    """Write the rows and mark the import completed, in `session`'s one transaction."""
    record = await session.get(ObservationImport, import_id, with_for_update=True)
    if record is None:
        raise ImportNotFound(f"No import {import_id}")
    before = _audited(record)
    now = utcnow()
    written = await write_rows(session, rows=rows, by=principal.subject, now=now, progress=progress)
    first = min((r.period.start for r in rows), default=None)
    last = max((r.period.end for r in rows), default=None)
    record.status = "completed"
    record.created_count = written.created
    record.corrected_count = written.corrected
    record.unchanged_count = written.unchanged
    record.finished_at = record.updated_at = utcnow()
    await session.flush()
    await trail.announce(
        session,
        ObservationsImported(
            import_id=str(import_id),
            created=written.created,
            corrected=written.corrected,
            unchanged=written.unchanged,
            indicators=sorted({r.indicator for r in rows}),
            first_period_start=None if first is None else first.isoformat(),
            last_period_end=None if last is None else last.isoformat(),
        ),
        principal=principal,
        change=Change("observation_import", str(import_id), before=before, after=_audited(record)),
        subject=str(import_id),
        request_id=request_id,
    )
    return written


async def fail_import(
    session: AsyncSession, *, import_id: uuid.UUID, principal: Principal, reason: str
) -> None:
    """Mark a running import failed (its figures' transaction rolled back: nothing written)."""
    record = await session.get(ObservationImport, import_id, with_for_update=True)
    if record is None or record.status != "running":
        return
    before = _audited(record)
    record.status = "failed"
    record.error = reason
    record.finished_at = record.updated_at = utcnow()
    await session.flush()
    await trail.announce(
        session,
        ObservationImportFailed(import_id=str(import_id), reason=reason),
        principal=principal,
        change=Change("observation_import", str(import_id), before=before, after=_audited(record)),
        subject=str(import_id),
        request_id=None,
    )
