"""HTTP routes of products for those who manage them: vendors (their own) and the programme.
The public listing of active products is the library catalogue's."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from catalogue_licensing.audit.service import request_id_of
from catalogue_licensing.idempotent import IdempotencyDep
from catalogue_licensing.products import service
from catalogue_licensing.products.models import Product
from catalogue_licensing.products.schemas import (
    Category,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductStatus,
)
from catalogue_licensing.products.sushi import HostResolver, host_resolver
from chassis.concurrency import etag, matches_if_none_match, require_if_match
from chassis.pagination import Page, PageParamsDep, decode_cursor, encode_cursor, link_next
from chassis.policy import PrincipalDep
from chassis.problems import ProblemError, problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["products"])
ProductId = Annotated[uuid.UUID, PathParam(description="The product's id (a UUID)")]
ResolverDep = Annotated[HostResolver, Depends(host_resolver)]
PRIVATE_CACHE = "private, no-cache"


async def load_product(
    product_id: ProductId, session: SessionDep, principal: PrincipalDep
) -> Product:
    return await service.get_product(session, principal=principal, product_id=product_id)


ProductDep = Annotated[Product, Depends(load_product)]


def _json(
    product: Product, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        service.product_view(product).model_dump(mode="json"),
        status_code=status_code,
        headers={"ETag": etag(product.version), **(headers or {})},
    )


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
    session: SessionDep,
    principal: PrincipalDep,
    resolver: ResolverDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    product = await service.create_product(
        session,
        principal=principal,
        body=body,
        resolver=resolver,
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
    page: PageParamsDep,
    status: Annotated[ProductStatus | None, Query(description="Only in this status")] = None,
    vendor: Annotated[uuid.UUID | None, Query(description="Only this vendor's")] = None,
    category: Annotated[Category | None, Query(description="Only in this category")] = None,
) -> Page[ProductOut]:
    after = None
    if page.cursor is not None:
        (raw,) = decode_cursor(page.cursor, arity=1)
        try:
            after = uuid.UUID(str(raw))
        except ValueError as exc:
            raise ProblemError(400, "bad-cursor", "The cursor is not one this API issued") from exc
    rows = list(
        await service.list_products(
            session,
            principal=principal,
            status=status,
            vendor_id=vendor,
            category=category,
            after=after,
            limit=page.limit + 1,
        )
    )
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = encode_cursor([str(rows[-1].id)])
    link_next(request, response, next_cursor)
    return Page[ProductOut](items=[service.product_view(p) for p in rows], next_cursor=next_cursor)


@router.get(
    "/v1/products/{product_id}",
    summary="Read a product you manage",
    response_model=ProductOut,
    responses={304: {"description": "Not Modified"}, **problem_responses(404, 422)},
)
async def get_product(request: Request, product: ProductDep) -> Response:
    tag = etag(product.version)
    if matches_if_none_match(request, tag):
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": PRIVATE_CACHE})
    return _json(product, headers={"Cache-Control": PRIVATE_CACHE})


@router.patch(
    "/v1/products/{product_id}",
    summary="Change a product's description or answers",
    response_model=ProductOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def update_product(
    request: Request,
    body: ProductPatch,
    product: ProductDep,
    session: SessionDep,
    principal: PrincipalDep,
    resolver: ResolverDep,
) -> JSONResponse:
    require_if_match(request, product.version)
    product = await service.update_product(
        session,
        principal=principal,
        product=product,
        body=body,
        resolver=resolver,
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
    request: Request, product: ProductDep, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    require_if_match(request, product.version)
    product = await service.move_status(
        session,
        principal=principal,
        product=product,
        to="active",
        request_id=request_id_of(request),
    )
    return _json(product)


@router.post(
    "/v1/products/{product_id}/retire",
    summary="Retire an active product",
    response_model=ProductOut,
    responses=problem_responses(404, 409, 412, 428),
)
async def retire_product(
    request: Request, product: ProductDep, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    require_if_match(request, product.version)
    product = await service.move_status(
        session,
        principal=principal,
        product=product,
        to="retired",
        request_id=request_id_of(request),
    )
    return _json(product)
