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


QUESTIONS: list[dict[str, Any]] = [
    {"id": "dpa_signed", "type": "yes_no", "label": {"nb": "Databehandleravtale?", "en": "DPA?"}},
    {
        "id": "wcag_level",
        "type": "single_choice",
        "label": {"nb": "WCAG-nivå", "en": "WCAG level"},
        "options": [
            {"value": "a", "label": {"en": "A"}},
            {"value": "aa", "label": {"en": "AA"}},
            {"value": "aaa", "label": {"en": "AAA"}},
        ],
    },
    {
        "id": "auth",
        "type": "multiple_choice",
        "label": {"en": "Authentication"},
        "options": [
            {"value": "saml2", "label": {"en": "SAML 2"}},
            {"value": "oidc", "label": {"en": "OpenID Connect"}},
        ],
        "required": False,
    },
    {"id": "summary", "type": "text", "label": {"en": "Summary"}, "max_length": 20},
    {
        "id": "simultaneous_users",
        "type": "number",
        "label": {"en": "Simultaneous users"},
        "minimum": 1,
        "maximum": 100000,
        "integer": True,
    },
    {
        "id": "available_from",
        "type": "date",
        "label": {"en": "Available from"},
        "earliest": "2026-01-01",
        "required": False,
    },
]

ANSWERS: dict[str, Any] = {
    "dpa_signed": True,
    "wcag_level": "aa",
    "summary": "Lydbøker",
    "simultaneous_users": 50,
}


async def open_round(
    client: Any, admin: dict[str, str], *, state: str = "open", **overrides: Any
) -> dict[str, Any]:
    """Through the API: a round with the questionnaire above, moved on to `state`
    (announced or open); answers the round as read last."""
    created = await client.post(
        "/v1/procurement-rounds", json=round_payload(**overrides), headers=admin
    )
    assert created.status_code == 201, created.text
    url = f"/v1/procurement-rounds/{created.json()['id']}"
    put = await client.put(f"{url}/questionnaire", json={"questions": QUESTIONS}, headers=admin)
    assert put.status_code == 201, put.text
    etag = created.headers["ETag"]
    for to in ("announced", "open")[: 1 if state == "announced" else 2]:
        moved = await client.post(
            f"{url}/moves", json={"to": to}, headers=admin | {"If-Match": etag}
        )
        assert moved.status_code == 200, moved.text
        etag = moved.headers["ETag"]
    read = await client.get(url, headers=admin)
    return dict(read.json())


# A price no other number in the tests has, to look for in whatever a reader could see.
TELLTALE_PRICE = 4_817_263
TELLTALE_TERMS = "Support via the telltale desk"


def offer_payload(product_id: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product_id": str(product_id),
        "pricing_model": "flat",
        "price_lines": [{"label": "Yearly licence", "amount_minor": TELLTALE_PRICE}],
        "terms": {
            "simultaneous_users": 25,
            "access_methods": ["library_card", "feide"],
            "home_use": True,
            "sharing_allowed": False,
            "support_contact": TELLTALE_TERMS,
            "valid_until": "2099-12-31",
        },
    }
    return body | overrides


TIERS: list[dict[str, Any]] = [
    {"label": "Small", "amount_minor": 100_000, "min_population": 0, "max_population": 9_999},
    {
        "label": "Medium",
        "amount_minor": 250_000,
        "min_population": 10_000,
        "max_population": 99_999,
    },
    {"label": "Large", "amount_minor": 600_000, "min_population": 100_000, "max_population": None},
]


async def into_negotiation(session: AsyncSession, round_id: Any) -> None:
    """As time passing and the programme would: the deadlines behind, the round in negotiation
    with its window open from yesterday for ten days."""
    now = datetime.now(UTC)
    await shift_round(
        session,
        round_id,
        state="negotiation",
        declaration_deadline=now - timedelta(days=3),
        offer_deadline=now - timedelta(days=2),
        negotiation_start=days_ago(1),
        negotiation_end=days_ago(-10),
        award_on=days_ago(-11),
    )
