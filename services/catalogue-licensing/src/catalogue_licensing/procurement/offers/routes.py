"""HTTP routes of offers: a vendor submits and revises its own; the programme and the counties
see that offers exist, and read their content once the offer deadline has passed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from catalogue_licensing.deps import IdempotencyDep
from catalogue_licensing.procurement.offers import service
from catalogue_licensing.procurement.offers.deps import OfferDep, OfferForChangeDep, SealerDep
from catalogue_licensing.procurement.offers.pricing import OfferContent
from catalogue_licensing.procurement.offers.schemas import (
    OfferIn,
    OfferOut,
    OfferQuery,
    OfferVersionOut,
)
from catalogue_licensing.procurement.rounds.deps import RoundDep, RoundForChangeDep
from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import Page, PageQueryDep, cut_page, id_after, int_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from chassis.types import utcnow

router = APIRouter(tags=["procurement"])
# What a caller reads changes at the deadline without a write: never served from a cache.
NO_STORE = "private, no-store"


@router.post(
    "/v1/procurement-rounds/{round_id}/offers",
    status_code=201,
    summary="Submit an offer for one of your products (sealed until the offer deadline)",
    response_model=OfferOut,
    responses=problem_responses(400, 404, 409, 422),
)
async def submit_offer(
    request: Request,
    round_: RoundForChangeDep,
    body: OfferIn,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    offer = await service.submit_offer(
        session,
        sealer=sealer,
        principal=principal,
        round_=round_,
        body=body,
        request_id=request_id_of(request),
    )
    view = service.offer_view(
        offer,
        sealed_content=await service.sealed_current(session, offer),
        round_=round_,
        principal=principal,
        sealer=sealer,
    )
    response = tagged_json(
        view, offer, status_code=201, headers={"Location": f"/v1/offers/{offer.id}"}
    )
    return await idem.remember(response)


@router.get(
    "/v1/procurement-rounds/{round_id}/offers",
    summary="List a round's offers (a vendor: its own; content only to whom may read it)",
    response_model=Page[OfferOut],
    responses=problem_responses(400, 404, 422),
)
async def list_offers(
    request: Request,
    response: Response,
    round_: RoundDep,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    page: Annotated[OfferQuery, Query()],
) -> Page[OfferOut]:
    rows = await service.list_offers(
        session,
        principal=principal,
        round_id=round_.id,
        product_id=page.product_id,
        status=page.status,
        after=id_after(page),
        limit=page.limit + 1,
    )
    kept, next_cursor = cut_page(request, response, rows, page=page, key=lambda r: [str(r[0].id)])
    response.headers["Cache-Control"] = NO_STORE
    now = utcnow()
    return Page[OfferOut](
        items=[
            service.offer_view(
                offer,
                sealed_content=sealed,
                round_=round_,
                principal=principal,
                sealer=sealer,
                now=now,
            )
            for offer, sealed in kept
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/v1/offers/{offer_id}",
    summary="Read an offer (its content only if yours to read)",
    response_model=OfferOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_offer(
    offer: OfferDep,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    if_none_match: IfNoneMatchDep,
) -> Response:
    view = service.offer_view(
        offer,
        sealed_content=await service.sealed_current(session, offer),
        round_=await service.round_of(session, offer),
        principal=principal,
        sealer=sealer,
    )
    # The ETag names the offer's version; whether it is sealed changes with the clock, so a
    # copy is never reused without asking (no-store) and 304 only for an unchanged offer.
    return conditional_json(if_none_match, view, offer, cache_control=NO_STORE)


@router.get(
    "/v1/offers/{offer_id}/versions",
    summary="The versions of an offer, oldest first (content only if yours to read)",
    response_model=Page[OfferVersionOut],
    responses=problem_responses(400, 404, 422),
)
async def list_offer_versions(
    request: Request,
    response: Response,
    offer: OfferDep,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    page: PageQueryDep,
) -> Page[OfferVersionOut]:
    rows = await service.list_versions(
        session, offer_id=offer.id, after=int_after(page), limit=page.limit + 1
    )
    kept, next_cursor = cut_page(request, response, rows, page=page, key=lambda v: [v.number])
    response.headers["Cache-Control"] = NO_STORE
    round_ = await service.round_of(session, offer)
    now = utcnow()
    return Page[OfferVersionOut](
        items=[
            service.version_view(
                v, offer=offer, round_=round_, principal=principal, sealer=sealer, now=now
            )
            for v in kept
        ],
        next_cursor=next_cursor,
    )


@router.post(
    "/v1/offers/{offer_id}/versions",
    status_code=201,
    summary="Revise your offer before the deadline: a new immutable version",
    response_model=OfferOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def revise_offer(
    request: Request,
    offer: OfferForChangeDep,
    body: OfferContent,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(offer)
    round_ = await service.round_of(session, offer, for_update=True)
    version = await service.revise_offer(
        session,
        sealer=sealer,
        principal=principal,
        round_=round_,
        offer=offer,
        body=body,
        request_id=request_id_of(request),
    )
    view = service.offer_view(
        offer,
        sealed_content=version.sealed,
        round_=round_,
        principal=principal,
        sealer=sealer,
    )
    return tagged_json(view, offer, status_code=201)
