"""The demo procurement rounds `make run` loads, each taken through the same rules as the API
at the times it would have happened: last year's round, concluded, whose awards are the 2026 demo
agreements (linked, not made anew); this year's, in negotiation, its window open around the day
of loading; and one open for offers, its deadline ahead."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.agreements.models import Agreement
from catalogue_licensing.demo.agreements import DEMO_AGREEMENTS
from catalogue_licensing.demo.ids import (
    AVISARKIVET,
    DEMO_PRINCIPAL,
    FJORDAVIS_DIGITAL,
    KINOTEKET,
    KINOTEKET_STROM,
    NORDLYS_LYDBOK,
    NORDLYS_LYDBOKER,
    ORDKILDE_LAERING,
    ORDKILDE_LEKSIKON,
    ROUND_CONCLUDED,
    ROUND_NEGOTIATION,
    ROUND_OPEN,
)
from catalogue_licensing.procurement.award.service import record_existing_agreement
from catalogue_licensing.procurement.declarations.schemas import DeclarationIn
from catalogue_licensing.procurement.declarations.service import put_declaration
from catalogue_licensing.procurement.negotiation.schemas import (
    AcceptProposal,
    CounterProposalIn,
    OutcomeIn,
)
from catalogue_licensing.procurement.negotiation.service import (
    answer_proposal,
    counter_propose,
    decide,
)
from catalogue_licensing.procurement.offers.models import Offer
from catalogue_licensing.procurement.offers.schemas import OfferIn
from catalogue_licensing.procurement.offers.sealing import OfferSealer
from catalogue_licensing.procurement.offers.service import submit_offer
from catalogue_licensing.procurement.questionnaire.schemas import QuestionnaireIn
from catalogue_licensing.procurement.questionnaire.service import set_questionnaire
from catalogue_licensing.procurement.rounds.closing import DEADLINE_CLOCK
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.schemas import RoundIn
from catalogue_licensing.procurement.rounds.service import create_round, move_round
from catalogue_licensing.procurement.rounds.states import RoundState
from catalogue_licensing.products.models import Product
from chassis.auth import Principal

OSLO = ZoneInfo("Europe/Oslo")
NOON = time(12, 0)
S = RoundState

QUESTIONS: dict[str, Any] = {
    "questions": [
        {
            "id": "dpa_signed",
            "type": "yes_no",
            "label": {"nb": "Er databehandleravtalen signert?", "en": "Is the DPA signed?"},
        },
        {
            "id": "wcag_level",
            "type": "single_choice",
            "label": {"nb": "Hvilket WCAG 2.1-nivå oppfylles?", "en": "Which WCAG 2.1 level?"},
            "options": [
                {"value": "a", "label": {"nb": "A", "en": "A"}},
                {"value": "aa", "label": {"nb": "AA", "en": "AA"}},
                {"value": "aaa", "label": {"nb": "AAA", "en": "AAA"}},
            ],
        },
        {
            "id": "simultaneous_users",
            "type": "number",
            "label": {"nb": "Samtidige brukere (0: ubegrenset)", "en": "Simultaneous users"},
            "minimum": 0,
            "integer": True,
        },
        {
            "id": "summary",
            "type": "text",
            "label": {"nb": "Kort beskrivelse", "en": "Short description"},
            "max_length": 500,
            "required": False,
        },
    ]
}
ANSWERS = {"dpa_signed": True, "wcag_level": "aa", "simultaneous_users": 0}
VENDOR_OF = {
    NORDLYS_LYDBOKER: NORDLYS_LYDBOK,
    AVISARKIVET: FJORDAVIS_DIGITAL,
    KINOTEKET: KINOTEKET_STROM,
    ORDKILDE_LEKSIKON: ORDKILDE_LAERING,
}
DEMO_TERMS = {uuid.UUID(body["product_id"]): body["terms"] for _, body, _ in DEMO_AGREEMENTS}


def _at(day: date) -> datetime:
    """Noon in Oslo on `day`, as the instant the demo says something happened."""
    return datetime.combine(day, NOON, tzinfo=OSLO).astimezone(UTC)


def _vendor(product_id: uuid.UUID) -> Principal:
    return Principal(
        subject="demo-data", roles=frozenset({"vendor"}), vendor_id=str(VENDOR_OF[product_id])
    )


def _offer(product_id: uuid.UUID, price: int, **terms: Any) -> OfferIn:
    return OfferIn.model_validate(
        {
            "product_id": str(product_id),
            "pricing_model": "flat",
            "price_lines": [{"label": "Årslisens / yearly licence", "amount_minor": price}],
            "terms": {
                "simultaneous_users": None,
                "access_methods": ["library_card"],
                "home_use": True,
                "sharing_allowed": False,
                "support_contact": "support@example.no",
                "valid_until": "2099-12-31",
                "notes": DEMO_TERMS.get(product_id, {}),
            }
            | terms,
        }
    )


@dataclass(frozen=True)
class Schedule:
    """A round's dates, and when the demo says each of its steps happened."""

    body: RoundIn
    announced: datetime
    opened: datetime
    declared: datetime
    offered: datetime


def _schedule(title: str, deadline_day: date, *, contract_start: date, ids: str) -> Schedule:
    deadline = datetime.combine(deadline_day, NOON)
    published = deadline_day - timedelta(days=110)
    negotiation_start = deadline_day + timedelta(days=2)
    award_on = negotiation_start + timedelta(days=60)
    body = RoundIn.model_validate(
        {
            "title": title,
            "contract_start": contract_start.isoformat(),
            "contract_end": contract_start.replace(year=contract_start.year + 1)
            - timedelta(days=1),
            "doffin_notice_id": f"{published.year}-1{ids}",
            "doffin_published_on": published.isoformat(),
            "ted_notice_id": f"{published.year}/S 081-2{ids}",
            "ted_published_on": (published + timedelta(days=2)).isoformat(),
            "supplier_meeting_on": (published + timedelta(days=50)).isoformat(),
            "declaration_deadline": (deadline - timedelta(days=30)).isoformat(),
            "offer_deadline": deadline.isoformat(),
            "negotiation_start": negotiation_start.isoformat(),
            "negotiation_end": (negotiation_start + timedelta(days=50)).isoformat(),
            "award_on": award_on.isoformat(),
        }
    )
    return Schedule(
        body=body,
        announced=_at(published + timedelta(days=2)),
        opened=_at(published + timedelta(days=51)),
        declared=_at(published + timedelta(days=60)),
        offered=_at(deadline_day - timedelta(days=9)),
    )


async def _start(
    session: AsyncSession, round_id: uuid.UUID, schedule: Schedule
) -> ProcurementRound:
    """The round drafted, given its questionnaire, announced and opened, at its times."""
    round_ = await create_round(
        session, principal=DEMO_PRINCIPAL, body=schedule.body, request_id=None, round_id=round_id
    )
    await set_questionnaire(
        session,
        principal=DEMO_PRINCIPAL,
        round_=round_,
        existing=None,
        body=QuestionnaireIn.model_validate(QUESTIONS),
        request_id=None,
    )
    for to, when in ((S.announced, schedule.announced), (S.open, schedule.opened)):
        await move_round(
            session, principal=DEMO_PRINCIPAL, round_=round_, to=to, request_id=None, now=when
        )
    return round_


async def _offers(
    session: AsyncSession,
    *,
    sealer: OfferSealer,
    round_: ProcurementRound,
    schedule: Schedule,
    prices: dict[uuid.UUID, int],
) -> dict[uuid.UUID, Offer]:
    offers = {}
    for product_id, price in prices.items():
        product = await session.get(Product, product_id)
        assert product is not None
        vendor = _vendor(product_id)
        await put_declaration(
            session,
            principal=vendor,
            round_=round_,
            product=product,
            existing=None,
            body=DeclarationIn.model_validate({"answers": ANSWERS}),
            request_id=None,
            now=schedule.declared,
        )
        offers[product_id] = await submit_offer(
            session,
            sealer=sealer,
            principal=vendor,
            round_=round_,
            body=_offer(product_id, price),
            request_id=None,
            now=schedule.offered,
        )
    return offers


async def _into_negotiation(
    session: AsyncSession, round_: ProcurementRound, *, started: datetime
) -> None:
    await move_round(
        session,
        principal=DEADLINE_CLOCK,
        round_=round_,
        to=S.closed,
        request_id=None,
        now=round_.offer_deadline,
    )
    await move_round(
        session,
        principal=DEMO_PRINCIPAL,
        round_=round_,
        to=S.negotiation,
        request_id=None,
        now=started,
    )


async def _propose(
    session: AsyncSession,
    *,
    sealer: OfferSealer,
    round_: ProcurementRound,
    offer: Offer,
    price: int,
    message: str,
    now: datetime,
) -> None:
    await counter_propose(
        session,
        sealer=sealer,
        principal=DEMO_PRINCIPAL,
        round_=round_,
        offer=offer,
        body=CounterProposalIn.model_validate(
            {
                "offer_id": str(offer.id),
                "message": message,
                "price_lines": [{"label": "Årslisens / yearly licence", "amount_minor": price}],
            }
        ),
        request_id=None,
        now=now,
    )


async def _decide(
    session: AsyncSession,
    round_: ProcurementRound,
    offer: Offer,
    outcome: str,
    now: datetime,
) -> None:
    await decide(
        session,
        principal=DEMO_PRINCIPAL,
        round_=round_,
        offer=offer,
        body=OutcomeIn.model_validate({"outcome": outcome}),
        request_id=None,
        now=now,
    )


async def _concluded_round(session: AsyncSession, sealer: OfferSealer) -> None:
    """2025's round for the 2026 contract year: the Nordlys audiobooks (after a counter-proposal)
    and the newspaper archive accepted, and awarded as the 2026 demo agreements; film rejected."""
    schedule = _schedule(
        "Digitale tjenester for bibliotekene 2026",
        date(2025, 8, 10),
        contract_start=date(2026, 1, 1),
        ids="04211",
    )
    round_ = await _start(session, ROUND_CONCLUDED, schedule)
    offers = await _offers(
        session,
        sealer=sealer,
        round_=round_,
        schedule=schedule,
        prices={NORDLYS_LYDBOKER: 131_000_000, AVISARKIVET: 48_000_000, KINOTEKET: 75_000_000},
    )
    await _into_negotiation(session, round_, started=_at(date(2025, 8, 12)))
    audiobooks = offers[NORDLYS_LYDBOKER]
    await _propose(
        session,
        sealer=sealer,
        round_=round_,
        offer=audiobooks,
        price=125_000_000,
        message="Vi ber om 125 millioner kroner for alle fylkene samlet.",
        now=_at(date(2025, 8, 20)),
    )
    await answer_proposal(
        session,
        sealer=sealer,
        principal=_vendor(NORDLYS_LYDBOKER),
        round_=round_,
        offer=audiobooks,
        body=AcceptProposal(answer="accept"),
        request_id=None,
        now=_at(date(2025, 8, 27)),
    )
    decided = _at(date(2025, 9, 15))
    await _decide(session, round_, audiobooks, "accepted", decided)
    await _decide(session, round_, offers[AVISARKIVET], "accepted", decided)
    await _decide(session, round_, offers[KINOTEKET], "rejected", decided)
    await move_round(
        session,
        principal=DEMO_PRINCIPAL,
        round_=round_,
        to=S.awarded,
        request_id=None,
        now=datetime.combine(round_.award_on, NOON, tzinfo=OSLO),
    )
    for product_id in (NORDLYS_LYDBOKER, AVISARKIVET):
        agreement = await session.scalar(
            select(Agreement).where(
                Agreement.product_id == product_id, Agreement.period_start == date(2026, 1, 1)
            )
        )
        assert agreement is not None, "the demo agreements are loaded first"
        await record_existing_agreement(
            session,
            principal=DEMO_PRINCIPAL,
            round_=round_,
            offer=offers[product_id],
            agreement=agreement,
            request_id=None,
        )
    await move_round(
        session,
        principal=DEMO_PRINCIPAL,
        round_=round_,
        to=S.concluded,
        request_id=None,
        now=datetime.combine(round_.award_on + timedelta(days=5), NOON, tzinfo=OSLO),
    )


async def _negotiation_round(session: AsyncSession, sealer: OfferSealer, today: date) -> None:
    """This year's round: offers closed 20 days ago, negotiation under way, one counter-proposal
    waiting for the film vendor's answer, the newspaper archive accepted."""
    deadline = today - timedelta(days=20)
    schedule = _schedule(
        f"Digitale tjenester for bibliotekene {today.year + 1}",
        deadline,
        contract_start=date(today.year + 1, 4, 1),
        ids="04377",
    )
    round_ = await _start(session, ROUND_NEGOTIATION, schedule)
    offers = await _offers(
        session,
        sealer=sealer,
        round_=round_,
        schedule=schedule,
        prices={AVISARKIVET: 49_500_000, KINOTEKET: 66_000_000},
    )
    await _into_negotiation(session, round_, started=_at(deadline + timedelta(days=2)))
    await _propose(
        session,
        sealer=sealer,
        round_=round_,
        offer=offers[KINOTEKET],
        price=60_000_000,
        message="Samme pris som i år, takk.",
        now=_at(today - timedelta(days=3)),
    )
    await _decide(session, round_, offers[AVISARKIVET], "accepted", _at(today - timedelta(days=2)))


async def _open_round(session: AsyncSession, sealer: OfferSealer, today: date) -> None:
    """A round open for offers, its deadline a month ahead; offers by two vendors so far."""
    deadline = today + timedelta(days=30)
    schedule = _schedule(
        "Lydbøker og leksikon for skolene",
        deadline,
        contract_start=date(deadline.year + 1, 8, 1),
        ids="04502",
    )
    # Announced, opened and declared in the recent past, whatever the schedule's notice says.
    recent = Schedule(
        body=schedule.body.model_copy(
            update={
                "doffin_published_on": today - timedelta(days=20),
                "ted_published_on": today - timedelta(days=19),
                "supplier_meeting_on": today - timedelta(days=12),
                "declaration_deadline": datetime.combine(today + timedelta(days=20), NOON),
            }
        ),
        announced=_at(today - timedelta(days=19)),
        opened=_at(today - timedelta(days=11)),
        declared=_at(today - timedelta(days=5)),
        offered=_at(today - timedelta(days=1)),
    )
    round_ = await _start(session, ROUND_OPEN, recent)
    await _offers(
        session,
        sealer=sealer,
        round_=round_,
        schedule=recent,
        prices={NORDLYS_LYDBOKER: 22_000_000, ORDKILDE_LEKSIKON: 9_800_000},
    )


async def load_demo_procurement(
    session: AsyncSession, *, sealer: OfferSealer, now: datetime | None = None
) -> int:
    """Create the demo rounds that are missing (idempotent: a round loaded once is left as it
    is); returns how many were created. Needs the demo products and agreements loaded."""
    today = (now or datetime.now(UTC)).astimezone(OSLO).date()
    have = set(
        await session.scalars(
            select(ProcurementRound.id).where(
                ProcurementRound.id.in_([ROUND_CONCLUDED, ROUND_NEGOTIATION, ROUND_OPEN])
            )
        )
    )
    products = set(await session.scalars(select(Product.id)))
    if not set(VENDOR_OF) <= products:
        return 0
    created = 0
    if ROUND_CONCLUDED not in have:
        await _concluded_round(session, sealer)
        created += 1
    if ROUND_NEGOTIATION not in have:
        await _negotiation_round(session, sealer, today)
        created += 1
    if ROUND_OPEN not in have:
        await _open_round(session, sealer, today)
        created += 1
    return created
