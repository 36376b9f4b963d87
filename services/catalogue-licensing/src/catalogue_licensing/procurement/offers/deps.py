"""Load-or-404 dependencies of offers' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam
from starlette.requests import HTTPConnection

from catalogue_licensing.procurement.offers import service
from catalogue_licensing.procurement.offers.models import Offer
from catalogue_licensing.procurement.offers.sealing import OfferSealer
from chassis.policy import PrincipalDep
from chassis.runtime import app_runtime
from chassis.sessions import SessionDep

OfferId = Annotated[uuid.UUID, PathParam(description="The offer's id (a UUID)")]


async def _offer(offer_id: OfferId, session: SessionDep, principal: PrincipalDep) -> Offer:
    return await service.get_offer(session, principal=principal, offer_id=offer_id)


async def _offer_for_change(
    offer_id: OfferId, session: SessionDep, principal: PrincipalDep
) -> Offer:
    # Locked (PostgreSQL): concurrent changes of one offer follow one another, so each later one
    # sees the version the first made and its stale If-Match is a 412.
    return await service.get_offer(session, principal=principal, offer_id=offer_id, for_update=True)


OfferDep = Annotated[Offer, Depends(_offer)]
OfferForChangeDep = Annotated[Offer, Depends(_offer_for_change)]


async def _sealer(connection: HTTPConnection) -> OfferSealer:
    # The service's resources carry the sealer; read by attribute so the offers do not import
    # the service-wide resources module (which joins every domain's resources together).
    sealer = getattr(app_runtime(connection.app).resources, "sealer", None)
    if not isinstance(sealer, OfferSealer):
        raise TypeError("this application's resources carry no OfferSealer")
    return sealer


SealerDep = Annotated[OfferSealer, Depends(_sealer)]
