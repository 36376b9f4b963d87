"""Rules of awards: in an awarded round, an accepted offer becomes its agreement (the agreements'
own service function, the same transaction) for the round's contract period at the final price
and terms; the round concludes once every offer is settled."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.agreements.models import Agreement
from catalogue_licensing.agreements.schemas import AgreementIn
from catalogue_licensing.agreements.service import create_agreement
from catalogue_licensing.db import trail
from catalogue_licensing.procurement.award.errors import (
    AlreadyAwarded,
    OfferNotAccepted,
    RoundNotAwarding,
    RoundNotSettled,
)
from catalogue_licensing.procurement.award.events import AgreementAwarded
from catalogue_licensing.procurement.award.price import served_population, yearly_price
from catalogue_licensing.procurement.award.schemas import AwardIn, AwardOut
from catalogue_licensing.procurement.offers.models import Offer
from catalogue_licensing.procurement.offers.pricing import OfferContent, OfferTerms, PricingModel
from catalogue_licensing.procurement.offers.schemas import OUTCOMES, OfferStatus
from catalogue_licensing.procurement.offers.sealing import OfferSealer
from catalogue_licensing.procurement.offers.service import audited, sealed_current
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.states import RoundState
from chassis.audit import Change
from chassis.auth import Principal
from chassis.problems import InvalidField
from chassis.types import utcnow

_BY_POPULATION = frozenset({PricingModel.per_inhabitant, PricingModel.tiered_by_population})


def agreement_terms(terms: OfferTerms) -> dict[str, str]:
    """The agreement's terms by language, from the offer's: a summary in Norwegian and English,
    and the vendor's notes (which win for their language)."""
    users = str(terms.simultaneous_users) if terms.simultaneous_users else None
    methods = ", ".join(terms.access_methods)
    yes_no = {True: ("ja", "yes"), False: ("nei", "no")}
    nb = (
        f"Samtidige brukere: {users or 'ubegrenset'}. Tilgang: {methods}. "
        f"Bruk hjemmefra: {yes_no[terms.home_use][0]}. "
        f"Deling med andre bibliotek: {yes_no[terms.sharing_allowed][0]}. "
        f"Brukerstøtte: {terms.support_contact}."
    )
    en = (
        f"Simultaneous users: {users or 'unlimited'}. Access: {methods}. "
        f"Use from home: {yes_no[terms.home_use][1]}. "
        f"Sharing with other libraries: {yes_no[terms.sharing_allowed][1]}. "
        f"Support: {terms.support_contact}."
    )
    return {"nb": nb, "en": en} | {lang: text for lang, text in terms.notes.items() if text}


async def award_offer(
    session: AsyncSession,
    *,
    sealer: OfferSealer,
    principal: Principal,
    round_: ProcurementRound,
    offer: Offer,
    body: AwardIn,
    request_id: str | None,
    now: datetime | None = None,
) -> tuple[Agreement, AwardOut]:
    now = now or utcnow()
    if round_.state != RoundState.awarded:
        raise RoundNotAwarding("round_id", f"round {round_.id} is {round_.state}, not awarded")
    if offer.status != OfferStatus.accepted:
        raise OfferNotAccepted("offer_id", f"offer {offer.id} is {offer.status}, not accepted")
    if offer.agreement_id is not None:
        raise AlreadyAwarded("offer_id", f"offer {offer.id} became agreement {offer.agreement_id}")
    content = OfferContent.model_validate(
        sealer.open(
            await sealed_current(session, offer),
            round_id=offer.round_id,
            offer_id=offer.id,
            number=offer.current_version,
        )
    )
    if body.yearly_price_minor is not None and content.pricing_model is not PricingModel.per_loan:
        raise InvalidField(
            "yearly_price_minor",
            f"a {content.pricing_model} offer's price comes from its price lines",
            kind="price_from_offer",
        )
    population = (
        await served_population(session, on=round_.contract_start)
        if content.pricing_model in _BY_POPULATION
        else None
    )
    price = yearly_price(content, population=population or 0, given=body.yearly_price_minor)
    try:
        agreement_body = AgreementIn(
            product_id=offer.product_id,
            period_start=round_.contract_start,
            period_end=round_.contract_end,
            yearly_price_minor=price,
            currency=round_.currency,
            terms=agreement_terms(content.terms),
            split_key=body.split_key,
            weights=body.weights,
        )
    except ValidationError as exc:
        raise InvalidField(
            "yearly_price_minor", f"the offer gives no valid agreement: {exc.errors()[0]['msg']}"
        ) from exc
    agreement = await create_agreement(
        session, body=agreement_body, principal=principal, request_id=request_id
    )
    before = audited(offer)
    offer.agreement_id = agreement.id
    offer.updated_at = now
    await session.flush()
    await trail.announce(
        session,
        AgreementAwarded(
            round_id=round_.id,
            offer_id=offer.id,
            agreement_id=agreement.id,
            product_id=offer.product_id,
            vendor_id=offer.vendor_id,
            yearly_price_minor=price,
            currency=round_.currency,
            period_start=round_.contract_start,
            period_end=round_.contract_end,
        ),
        principal=principal,
        change=Change("offer", str(offer.id), before=before, after=audited(offer)),
        subject=str(offer.id),
        request_id=request_id,
    )
    return agreement, AwardOut(
        offer_id=offer.id,
        round_id=round_.id,
        agreement_id=agreement.id,
        product_id=offer.product_id,
        yearly_price_minor=price,
        currency=round_.currency,
        population=population,
    )


async def refuse_unsettled_conclusion(
    session: AsyncSession, *, round_: ProcurementRound, to: RoundState, now: datetime
) -> None:
    """A round concludes only when every offer has an outcome and every accepted one its
    agreement (subscribed to the rounds' move checks, `catalogue_licensing.wiring`)."""
    if to is not RoundState.concluded:
        return
    unsettled = await session.scalar(
        select(func.count())
        .select_from(Offer)
        .where(
            Offer.round_id == round_.id,
            or_(
                Offer.status.not_in([o.value for o in OUTCOMES]),
                (Offer.status == OfferStatus.accepted.value) & Offer.agreement_id.is_(None),
            ),
        )
    )
    if unsettled:
        raise RoundNotSettled(
            "to",
            f"{unsettled} offer(s) of round {round_.id} have no outcome yet, or were accepted "
            "and not awarded",
        )


async def record_existing_agreement(
    session: AsyncSession,
    *,
    principal: Principal,
    round_: ProcurementRound,
    offer: Offer,
    agreement: Agreement,
    request_id: str | None,
) -> None:
    """Record that an accepted offer's award is an agreement made already (one made before the
    platform ran its rounds, as the demo's agreements were): the same checks and trail as an
    award, the agreement as it is."""
    if round_.state != RoundState.awarded:
        raise RoundNotAwarding("round_id", f"round {round_.id} is {round_.state}, not awarded")
    if offer.status != OfferStatus.accepted:
        raise OfferNotAccepted("offer_id", f"offer {offer.id} is {offer.status}, not accepted")
    if offer.agreement_id is not None:
        raise AlreadyAwarded("offer_id", f"offer {offer.id} became agreement {offer.agreement_id}")
    if agreement.product_id != offer.product_id:
        raise InvalidField(
            "agreement_id",
            f"agreement {agreement.id} is for another product than offer {offer.id}",
            kind="agreement_of_another_product",
        )
    before = audited(offer)
    offer.agreement_id = agreement.id
    offer.updated_at = utcnow()
    await session.flush()
    await trail.announce(
        session,
        AgreementAwarded(
            round_id=round_.id,
            offer_id=offer.id,
            agreement_id=agreement.id,
            product_id=offer.product_id,
            vendor_id=offer.vendor_id,
            yearly_price_minor=agreement.yearly_price_minor,
            currency=agreement.currency,
            period_start=agreement.period_start,
            period_end=agreement.period_end,
        ),
        principal=principal,
        change=Change("offer", str(offer.id), before=before, after=audited(offer)),
        subject=str(offer.id),
        request_id=request_id,
    )
