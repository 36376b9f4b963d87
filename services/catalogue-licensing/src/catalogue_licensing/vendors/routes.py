"""HTTP routes of vendors: the programme registers them; a vendor reads and keeps its contacts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from catalogue_licensing.deps import IdempotencyDep
from catalogue_licensing.vendors import service
from catalogue_licensing.vendors.deps import VendorDep
from catalogue_licensing.vendors.schemas import VendorIn, VendorOut, VendorPatch, VendorQuery
from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["vendors"])
# Differs by caller and needs a token: only the caller's own cache, revalidated each time.
PRIVATE_CACHE = "private, no-cache"


@router.post(
    "/v1/vendors",
    status_code=201,
    summary="Register a vendor",
    response_model=VendorOut,
    responses=problem_responses(400, 409, 422),
)
async def create_vendor(
    request: Request,
    body: VendorIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    vendor = await service.create_vendor(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.vendor_view(vendor),
        vendor,
        status_code=201,
        headers={"Location": f"/v1/vendors/{vendor.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/vendors",
    summary="List vendors",
    response_model=Page[VendorOut],
    responses=problem_responses(400, 422),
)
async def list_vendors(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[VendorQuery, Query()],
) -> Page[VendorOut]:
    rows = await service.list_vendors(
        session, name_contains=page.name, after=id_after(page), limit=page.limit + 1
    )
    vendors, next_cursor = cut_page(request, response, rows, page=page, key=lambda v: [str(v.id)])
    return Page[VendorOut](items=[service.vendor_view(v) for v in vendors], next_cursor=next_cursor)


@router.get(
    "/v1/vendors/{vendor_id}",
    summary="Read a vendor",
    response_model=VendorOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_vendor(vendor: VendorDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, service.vendor_view(vendor), vendor, cache_control=PRIVATE_CACHE
    )


@router.patch(
    "/v1/vendors/{vendor_id}",
    summary="Change a vendor (a vendor: its own contacts only)",
    response_model=VendorOut,
    responses=problem_responses(403, 404, 409, 412, 422, 428),
)
async def update_vendor(
    request: Request,
    vendor: VendorDep,
    body: VendorPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(vendor)
    vendor = await service.update_vendor(
        session, principal=principal, vendor=vendor, body=body, request_id=request_id_of(request)
    )
    return tagged_json(service.vendor_view(vendor), vendor)
