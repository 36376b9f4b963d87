"""What the OCDS export reads, in one transaction: the round, its moves, its offers with their
vendors and products, and the agreements the awards became."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.agreements.models import Agreement
from catalogue_licensing.procurement.ocds.build import RoundFacts
from catalogue_licensing.procurement.offers.models import Offer
from catalogue_licensing.procurement.rounds.models import ProcurementRound, RoundMove
from catalogue_licensing.products.models import Product
from catalogue_licensing.settings import CatalogueSettings
from catalogue_licensing.vendors.models import Vendor


async def round_facts(
    session: AsyncSession, *, round_: ProcurementRound, settings: CatalogueSettings
) -> RoundFacts:
    moves = (
        await session.scalars(
            select(RoundMove).where(RoundMove.round_id == round_.id).order_by(RoundMove.seq)
        )
    ).all()
    offers = (
        await session.execute(
            select(Offer, Vendor, Product)
            .join(Vendor, Vendor.id == Offer.vendor_id)
            .join(Product, Product.id == Offer.product_id)
            .where(Offer.round_id == round_.id)
            .order_by(Offer.id)
        )
    ).all()
    agreement_ids = [o.agreement_id for o, _, _ in offers if o.agreement_id is not None]
    agreements = (
        (await session.scalars(select(Agreement).where(Agreement.id.in_(agreement_ids)))).all()
        if agreement_ids
        else []
    )
    return RoundFacts(
        round_=round_,
        moves=list(moves),
        offers=[(o, v, p) for o, v, p in offers],
        agreements={a.id: a for a in agreements},
        buyer_name=settings.procurement_buyer_name,
        ocid_prefix=settings.ocds_ocid_prefix,
    )
