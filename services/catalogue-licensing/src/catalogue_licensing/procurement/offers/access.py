"""Who sees an offer, and who reads its content: the programme and the counties see that offers
exist; a vendor sees its own only; the content is the vendor's alone until the offer deadline,
then the programme's and the counties' as well."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, true

from catalogue_licensing.procurement.offers.models import Offer
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.vendors.access import principal_vendor_id
from chassis.auth import Principal

ADMINISTRATORS = frozenset({"programme_admin", "county_admin"})


def offer_scope(principal: Principal) -> ColumnElement[bool]:
    if principal.has_any(ADMINISTRATORS):
        return true()
    return Offer.vendor_id == (principal_vendor_id(principal) or uuid.uuid4())


def is_offers_vendor(principal: Principal, offer: Offer) -> bool:
    return principal_vendor_id(principal) == offer.vendor_id


def reads_content(
    principal: Principal, *, offer: Offer, round_: ProcurementRound, now: datetime
) -> bool:
    if is_offers_vendor(principal, offer):
        return True
    return principal.has_any(ADMINISTRATORS) and now >= round_.offer_deadline
