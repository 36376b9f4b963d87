"""Valid rows written in batches, in the caller's one transaction: new figures inserted, changed
ones corrected (a new revision each, the old kept), equal ones left alone."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.ids import uuid7
from kpi.bulk import insert_many
from kpi.imports.validation import ValidRow
from kpi.observations.models import Observation, ObservationRevision

BATCH = 5_000
SOURCE = "import"

_observations = cast(Table, Observation.__table__)
_revisions = cast(Table, ObservationRevision.__table__)
_correct = (
    update(_observations)
    .where(
        _observations.c.id == bindparam("b_id"),
        _observations.c.version == bindparam("b_version"),
    )
    .values(
        value=bindparam("b_value"),
        status=bindparam("b_status"),
        comment=bindparam("b_comment"),
        source=bindparam("b_source"),
        recorded_by=bindparam("b_by"),
        updated_at=bindparam("b_at"),
        version=_observations.c.version + 1,
    )
)


@dataclass(frozen=True, slots=True)
class Existing:
    id: uuid.UUID
    value: float
    status: str
    comment: str | None
    version: int


@dataclass(frozen=True, slots=True)
class Written:
    created: int
    corrected: int
    unchanged: int


Key = tuple[str, uuid.UUID, str]


async def _existing(session: AsyncSession, rows: Sequence[ValidRow]) -> dict[Key, Existing]:
    """The figures already there for the file's indicators and period span, locked until the
    import commits (PostgreSQL; a SQLite writer holds the whole database)."""
    if not rows:
        return {}
    codes = sorted({r.indicator for r in rows})
    first = min(r.period.start for r in rows)
    last = max(r.period.end for r in rows)
    found = await session.execute(
        select(
            Observation.id,
            Observation.indicator_code,
            Observation.organisation_id,
            Observation.period,
            Observation.value,
            Observation.status,
            Observation.comment,
            Observation.version,
        )
        .where(
            Observation.indicator_code.in_(codes),
            Observation.period_start >= first,
            Observation.period_end <= last,
        )
        .with_for_update()
    )
    return {
        (r.indicator_code, r.organisation_id, r.period): Existing(
            r.id, r.value, r.status, r.comment, r.version
        )
        for r in found
    }


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


OBSERVATION_COLUMNS = (
    "id",
    "indicator_code",
    "organisation_id",
    "period",
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "status",
    "source",
    "comment",
    "recorded_by",
    "created_at",
    "updated_at",
    "version",
)
REVISION_COLUMNS = (
    "observation_id",
    "version",
    "value",
    "status",
    "source",
    "comment",
    "recorded_by",
    "recorded_at",
)


def _new_row(
    row: ValidRow, observation_id: uuid.UUID, *, by: str, now: datetime, source: str = SOURCE
) -> tuple[Any, ...]:
    period = row.period
    return (
        observation_id,
        row.indicator,
        row.organisation_id,
        period.text,
        period.kind,
        period.start,
        period.end,
        row.value,
        row.status,
        source,
        row.comment,
        by,
        now,
        now,
        1,
    )


def _revision(
    observation_id: uuid.UUID,
    version: int,
    row: ValidRow,
    *,
    by: str,
    now: datetime,
    source: str = SOURCE,
) -> tuple[Any, ...]:
    return (observation_id, version, row.value, row.status, source, row.comment, by, now)


async def write_rows(
    session: AsyncSession,
    *,
    rows: Sequence[ValidRow],
    by: str,
    now: datetime,
    progress: Callable[[int], None],
    source: str = SOURCE,
) -> Written:
    """Write every row in `session`'s transaction (the caller commits: all or nothing);
    `progress` gets the number of rows handled after each batch; `source` says how the figures
    arrived (an import; the harvest writes its counts the same way)."""
    existing = await _existing(session, rows)
    done = created = corrected = unchanged = 0
    for batch in _batches(rows, BATCH):
        new: list[tuple[Any, ...]] = []
        changes: list[dict[str, Any]] = []
        revisions: list[tuple[Any, ...]] = []
        for row in batch:
            there = existing.get((row.indicator, row.organisation_id, row.period.text))
            if there is None:
                observation_id = uuid7()
                new.append(_new_row(row, observation_id, by=by, now=now, source=source))
                revisions.append(_revision(observation_id, 1, row, by=by, now=now, source=source))
            elif (there.value, there.status, there.comment) == (row.value, row.status, row.comment):
                unchanged += 1
            else:
                changes.append(
                    {
                        "b_id": there.id,
                        "b_version": there.version,
                        "b_value": row.value,
                        "b_status": row.status,
                        "b_comment": row.comment,
                        "b_by": by,
                        "b_at": now,
                        "b_source": source,
                    }
                )
                revisions.append(
                    _revision(there.id, there.version + 1, row, by=by, now=now, source=source)
                )
        await insert_many(session, _observations, OBSERVATION_COLUMNS, new)
        if changes:
            await session.execute(_correct, changes)
        await insert_many(session, _revisions, REVISION_COLUMNS, revisions)
        created += len(new)
        corrected += len(changes)
        done += len(batch)
        progress(done)
    return Written(created=created, corrected=corrected, unchanged=unchanged)
