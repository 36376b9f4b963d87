"""Factories of the procurement tests: round bodies dated around a given instant, rounds put in
a state directly (as time passing would), and the world of a round with vendors and products."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.procurement.rounds.models import ProcurementRound

OSLO = ZoneInfo("Europe/Oslo")


def local(moment: datetime) -> str:
    """The wall-clock time in Oslo of an instant, as a round body takes it (no offset)."""
    return moment.astimezone(OSLO).replace(tzinfo=None, microsecond=0).isoformat()


def round_payload(deadline: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid round body whose offer deadline is `deadline` (default: in 10 days), with
    the rest of the cycle after it and the Doffin notice published yesterday."""
    deadline = deadline or datetime.now(UTC) + timedelta(days=10)
    day = deadline.astimezone(OSLO).date()
    today = datetime.now(UTC).astimezone(OSLO).date()
    published = min(today - timedelta(days=1), day - timedelta(days=3))
    body: dict[str, Any] = {
        "title": "Digitale tjenester for bibliotekene",
        "contract_start": (day + timedelta(days=120)).isoformat(),
        "contract_end": (day + timedelta(days=120 + 364)).isoformat(),
        "doffin_notice_id": "2026-104233",
        "doffin_published_on": published.isoformat(),
        "ted_notice_id": "2026/S 081-245001",
        "ted_published_on": published.isoformat(),
        "supplier_meeting_on": published.isoformat(),
        "declaration_deadline": local(deadline - timedelta(hours=1)),
        "offer_deadline": local(deadline),
        "negotiation_start": (day + timedelta(days=2)).isoformat(),
        "negotiation_end": (day + timedelta(days=50)).isoformat(),
        "award_on": (day + timedelta(days=55)).isoformat(),
    }
    return body | overrides


async def shift_round(session: AsyncSession, round_id: Any, **values: Any) -> None:
    """Change a round's columns as time passing would (its version unchanged, like no write)."""
    await session.execute(
        update(ProcurementRound)
        .where(ProcurementRound.id == round_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def days_ago(n: int) -> date:
    return datetime.now(UTC).astimezone(OSLO).date() - timedelta(days=n)
