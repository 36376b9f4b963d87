"""Rules of offers: submitted by a vendor for its product with a complete declaration while the
round is open, revised as new immutable versions until the deadline, content sealed at rest and
shown only to whom may read it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import trail
from catalogue_licensing.procurement.declarations.service import is_complete
from catalogue_licensing.procurement.offers.access import offer_scope, reads_content
from catalogue_licensing.procurement.offers.errors import (
    DeclarationIncomplete,
    OfferExists,
    OfferNotFound,
    OffersClosed,
    ProductRetired,
    UnknownProduct,
)
from catalogue_licensing.procurement.offers.events import OfferEvent, OfferRevised, OfferSubmitted
from catalogue_licensing.procurement.offers.models import Offer, OfferVersion
from catalogue_licensing.procurement.offers.pricing import (
    OfferContent,
    OfferContentOut,
    check_pricing,
)
from catalogue_licensing.procurement.offers.schemas import (
    OfferIn,
    OfferOut,
    OfferStatus,
    OfferVersionOut,
)
from catalogue_licensing.procurement.offers.sealing import OfferSealer
from catalogue_licensing.procurement.rounds.calendar import zone_of
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.states import UNSEALED, RoundState
from catalogue_licensing.products.models import Product
from catalogue_licensing.vendors.access import principal_vendor_id
from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.outbox import EventData
from chassis.types import utcnow

VENDOR = "vendor"
RETIRED = "retired"


def _content(
    sealer: OfferSealer, *, round_id: uuid.UUID, offer_id: uuid.UUID, number: int, sealed: bytes
) -> OfferContentOut:
    return OfferContentOut.model_validate(
        sealer.open(sealed, round_id=round_id, offer_id=offer_id, number=number)
    )


def offer_view(
    offer: Offer,
    *,
    sealed_content: bytes,
    round_: ProcurementRound,
    principal: Principal,
    sealer: OfferSealer,
    now: datetime | None = None,
) -> OfferOut:
    """The offer as the caller may see it: the content only when it may read it."""
    readable = reads_content(principal, offer=offer, round_=round_, now=now or utcnow())
    content = (
        _content(
            sealer,
            round_id=offer.round_id,
            offer_id=offer.id,
            number=offer.current_version,
            sealed=sealed_content,
        )
        if readable
        else None
    )
    fields = {n: getattr(offer, n) for n in OfferOut.model_fields if hasattr(offer, n)}
    return OfferOut.model_validate(fields | {"sealed": not readable, "content": content})


def version_view(
    version: OfferVersion,
    *,
    offer: Offer,
    round_: ProcurementRound,
    principal: Principal,
    sealer: OfferSealer,
    now: datetime | None = None,
) -> OfferVersionOut:
    readable = reads_content(principal, offer=offer, round_=round_, now=now or utcnow())
    content = (
        _content(
            sealer,
            round_id=offer.round_id,
            offer_id=offer.id,
            number=version.number,
            sealed=version.sealed,
        )
        if readable
        else None
    )
    return OfferVersionOut(
        number=version.number,
        origin=version.origin,
        created_by=version.created_by,
        created_at=version.created_at,
        sealed=not readable,
        content=content,
    )


def audited(offer: Offer) -> dict[str, Any]:
    """What the trail keeps of an offer: never its content (sealed until the deadline)."""
    return {
        "round_id": str(offer.round_id),
        "product_id": str(offer.product_id),
        "vendor_id": str(offer.vendor_id),
        "status": offer.status,
        "current_version": offer.current_version,
        "agreement_id": None if offer.agreement_id is None else str(offer.agreement_id),
    }


async def get_offer(
    session: AsyncSession, *, principal: Principal, offer_id: uuid.UUID, for_update: bool = False
) -> Offer:
    """The offer if the caller may see it: another vendor's is 404, as if absent."""
    query = select(Offer).where(Offer.id == offer_id, offer_scope(principal))
    if for_update:
        query = query.with_for_update()
    offer = await session.scalar(query)
    if offer is None:
        raise OfferNotFound(f"No offer {offer_id} that you may see")
    return offer


async def sealed_current(session: AsyncSession, offer: Offer) -> bytes:
    sealed = await session.scalar(
        select(OfferVersion.sealed).where(
            OfferVersion.offer_id == offer.id, OfferVersion.number == offer.current_version
        )
    )
    assert sealed is not None, "every offer has its current version"
    return sealed


async def list_offers(
    session: AsyncSession,
    *,
    principal: Principal,
    round_id: uuid.UUID,
    product_id: uuid.UUID | None,
    status: OfferStatus | None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[tuple[Offer, bytes]]:
    """A page of the round's offers the caller may see, each with its current sealed content."""
    query = (
        select(Offer, OfferVersion.sealed)
        .join(
            OfferVersion,
            (OfferVersion.offer_id == Offer.id) & (OfferVersion.number == Offer.current_version),
        )
        .where(Offer.round_id == round_id, offer_scope(principal))
        .order_by(Offer.id)
        .limit(limit)
    )
    if product_id is not None:
        query = query.where(Offer.product_id == product_id)
    if status is not None:
        query = query.where(Offer.status == status.value)
    if after is not None:
        query = query.where(Offer.id > after)
    return [(offer, sealed) for offer, sealed in await session.execute(query)]


async def list_versions(
    session: AsyncSession, *, offer_id: uuid.UUID, after: int | None, limit: int
) -> Sequence[OfferVersion]:
    query = (
        select(OfferVersion)
        .where(OfferVersion.offer_id == offer_id)
        .order_by(OfferVersion.number)
        .limit(limit)
    )
    if after is not None:
        query = query.where(OfferVersion.number > after)
    return (await session.scalars(query)).all()


def check_offers_open(round_: ProcurementRound, now: datetime) -> None:
    """Offers are taken while the round is open and its deadline has not passed (the deadline
    decides even before the job has closed the round, and names the refusal after it)."""
    if now >= round_.offer_deadline or round_.state in UNSEALED:
        shown = round_.offer_deadline.astimezone(zone_of(round_.time_zone)).isoformat()
        raise OffersClosed("offer_deadline", f"the offer deadline {shown} has passed")
    if round_.state != RoundState.open:
        raise OffersClosed("round_id", f"round {round_.id} is {round_.state}: it takes no offers")


async def _own_product(
    session: AsyncSession, *, principal: Principal, product_id: uuid.UUID
) -> Product:
    product = await session.get(Product, product_id)
    if product is None or product.vendor_id != principal_vendor_id(principal):
        raise UnknownProduct("product_id", f"no product {product_id} of yours")
    if product.status == RETIRED:
        raise ProductRetired("product_id", f"product {product_id} is retired")
    return product


def _sealed_version(
    sealer: OfferSealer,
    *,
    offer: Offer,
    number: int,
    content: OfferContent,
    origin: str,
    principal: Principal,
    now: datetime,
) -> OfferVersion:
    return OfferVersion(
        offer_id=offer.id,
        number=number,
        sealed=sealer.seal(
            content.model_dump(mode="json"),
            round_id=offer.round_id,
            offer_id=offer.id,
            number=number,
        ),
        origin=origin,
        created_by=principal.subject,
        created_at=now,
    )


async def add_version(
    session: AsyncSession,
    *,
    sealer: OfferSealer,
    offer: Offer,
    content: OfferContent,
    origin: str,
    principal: Principal,
    now: datetime,
) -> OfferVersion:
    """Seal `content` as the offer's next version and make it current (flushed: the offer's
    versioned UPDATE fails on a concurrent change)."""
    number = offer.current_version + 1
    version = _sealed_version(
        sealer,
        offer=offer,
        number=number,
        content=content,
        origin=origin,
        principal=principal,
        now=now,
    )
    offer.current_version = number
    offer.changed_at = now
    offer.updated_at = now
    await session.flush()
    session.add(version)
    await session.flush()
    return version


def offer_event(offer: Offer, kind: type[OfferEvent], **extra: Any) -> OfferEvent:
    return kind(
        round_id=offer.round_id,
        offer_id=offer.id,
        product_id=offer.product_id,
        vendor_id=offer.vendor_id,
        offer_version=offer.current_version,
        **extra,
    )


async def submit_offer(
    session: AsyncSession,
    *,
    sealer: OfferSealer,
    principal: Principal,
    round_: ProcurementRound,
    body: OfferIn,
    request_id: str | None,
    now: datetime | None = None,
) -> Offer:
    now = now or utcnow()
    check_offers_open(round_, now)
    product = await _own_product(session, principal=principal, product_id=body.product_id)
    content = OfferContent.model_validate(body.model_dump(exclude={"product_id"}))
    check_pricing(content)
    if not await is_complete(session, round_id=round_.id, product_id=product.id):
        raise DeclarationIncomplete(
            "product_id",
            "the product's self-declaration in this round is missing or incomplete",
        )
    existing = await session.scalar(
        select(Offer.id).where(Offer.round_id == round_.id, Offer.product_id == product.id)
    )
    if existing is not None:
        raise OfferExists(
            "product_id", f"offer {existing} exists for this product: revise it instead"
        )
    offer = Offer(
        id=uuid7(),
        round_id=round_.id,
        product_id=product.id,
        vendor_id=product.vendor_id,
        current_version=1,
        status=OfferStatus.submitted.value,
        submitted_by=principal.subject,
        submitted_at=now,
        changed_at=now,
        updated_at=now,
    )
    session.add(offer)
    await session.flush()
    session.add(
        _sealed_version(
            sealer,
            offer=offer,
            number=1,
            content=content,
            origin=VENDOR,
            principal=principal,
            now=now,
        )
    )
    await session.flush()
    await trail.announce(
        session,
        offer_event(offer, OfferSubmitted),
        principal=principal,
        change=Change("offer", str(offer.id), before=None, after=audited(offer)),
        subject=str(offer.id),
        request_id=request_id,
    )
    return offer


async def record_offer_change(
    session: AsyncSession,
    *,
    offer: Offer,
    before: dict[str, Any],
    event: EventData,
    principal: Principal,
    request_id: str | None,
) -> None:
    """The trail of a change to an offer (its audit entry holds no content)."""
    await trail.announce(
        session,
        event,
        principal=principal,
        change=Change("offer", str(offer.id), before=before, after=audited(offer)),
        subject=str(offer.id),
        request_id=request_id,
    )


async def revise_offer(
    session: AsyncSession,
    *,
    sealer: OfferSealer,
    principal: Principal,
    round_: ProcurementRound,
    offer: Offer,
    body: OfferContent,
    request_id: str | None,
    now: datetime | None = None,
) -> OfferVersion:
    """A vendor's new version before the deadline (after it, only negotiation changes an offer)."""
    now = now or utcnow()
    check_offers_open(round_, now)
    check_pricing(body)
    before = audited(offer)
    version = await add_version(
        session,
        sealer=sealer,
        offer=offer,
        content=body,
        origin=VENDOR,
        principal=principal,
        now=now,
    )
    await record_offer_change(
        session,
        offer=offer,
        before=before,
        event=offer_event(offer, OfferRevised),
        principal=principal,
        request_id=request_id,
    )
    return version


async def round_of(
    session: AsyncSession, offer: Offer, *, for_update: bool = False
) -> ProcurementRound:
    """The offer's round (whoever sees the offer sees its round)."""
    query = select(ProcurementRound).where(ProcurementRound.id == offer.round_id)
    if for_update:
        query = query.with_for_update()
    round_ = await session.scalar(query)
    assert round_ is not None, "an offer's round is deleted with it"
    return round_
