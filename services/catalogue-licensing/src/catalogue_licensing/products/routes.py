"""HTTP routes of products for those who manage them: vendors (their own) and the programme.
The public listing of active products is the library catalogue's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from catalogue_licensing.deps import IdempotencyDep
from catalogue_licensing.products import service
from catalogue_licensing.products.deps import ProductDep
from catalogue_licensing.products.models import Product
from catalogue_licensing.products.schemas import (
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductQuery,
)
from catalogue_licensing.products.sushi import SushiChecksDep
from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatch,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["products"])
PRIVATE_CACHE = "private, no-cache"


def _json(
    product: Product, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return tagged_json(
        service.product_view(product), product, status_code=status_code, headers=headers
    )


async def _move_status(
    request: Request,
    product: Product,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatch,
    *,
    to: str,
) -> JSONResponse:
    """Activate and retire: the same If-Match and the same rule, only the target differs."""
    if_match.require(product)
    moved = await service.move_status(
        session, principal=principal, product=product, to=to, request_id=request_id_of(request)
    )
    return _json(moved)


@router.post(
    "/v1/products",
    status_code=201,
    summary="Describe a new product (as a draft)",
    response_model=ProductOut,
    responses=problem_responses(400, 403, 422),
)
async def create_product(
    request: Request,
    body: ProductIn,
    # Before the session: the lookup runs outside any transaction.
    sushi: SushiChecksDep,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    product = await service.create_product(
        session,
        principal=principal,
        body=body,
        sushi=sushi,
        request_id=request_id_of(request),
    )
    response = _json(product, status_code=201, headers={"Location": f"/v1/products/{product.id}"})
    return await idem.remember(response)


@router.get(
    "/v1/products",
    summary="List the products you manage (a vendor: its own, in every status)",
    response_model=Page[ProductOut],
    responses=problem_responses(400, 422),
)
async def list_products(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[ProductQuery, Query()],
) -> Page[ProductOut]:
    rows = await service.list_products(
        session,
        principal=principal,
        status=page.status,
        vendor_id=page.vendor,
        category=page.category,
        after=id_after(page),
        limit=page.limit + 1,
    )
    products, next_cursor = cut_page(request, response, rows, page=page, key=lambda p: [str(p.id)])
    return Page[ProductOut](
        items=[service.product_view(p) for p in products], next_cursor=next_cursor
    )


@router.get(
    "/v1/products/{product_id}",
    summary="Read a product you manage",
    response_model=ProductOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_product(product: ProductDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, service.product_view(product), product, cache_control=PRIVATE_CACHE
    )


@router.patch(
    "/v1/products/{product_id}",
    summary="Change a product's description or answers",
    response_model=ProductOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def update_product(
    request: Request,
    body: ProductPatch,
    # Before the session and the product's load: the lookup runs outside any transaction.
    sushi: SushiChecksDep,
    product: ProductDep,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(product)
    product = await service.update_product(
        session,
        principal=principal,
        product=product,
        body=body,
        sushi=sushi,
        request_id=request_id_of(request),
    )
    return _json(product)


@router.post(
    "/v1/products/{product_id}/activate",
    summary="Activate a draft product",
    response_model=ProductOut,
    responses=problem_responses(404, 409, 412, 428),
)
async def activate_product(
    request: Request,
    product: ProductDep,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    return await _move_status(request, product, session, principal, if_match, to="active")


@router.post(
    "/v1/products/{product_id}/retire",
    summary="Retire an active product",
    response_model=ProductOut,
    responses=problem_responses(404, 409, 412, 428),
)
async def retire_product(
    request: Request,
    product: ProductDep,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    return await _move_status(request, product, session, principal, if_match, to="retired")
