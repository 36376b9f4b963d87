"""HTTP routes of self-declarations: a vendor answers per product; the programme reads them all."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from catalogue_licensing.procurement.declarations import service
from catalogue_licensing.procurement.declarations.schemas import (
    DeclarationIn,
    DeclarationOut,
    DeclarationQuery,
)
from catalogue_licensing.procurement.rounds.deps import RoundDep, RoundForChangeDep
from catalogue_licensing.products.service import get_product
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

router = APIRouter(tags=["procurement"])
PRIVATE_CACHE = "private, no-cache"
ProductId = Annotated[uuid.UUID, PathParam(description="The product's id (a UUID)")]
DECLARATION = "/v1/procurement-rounds/{round_id}/declarations/{product_id}"


@router.put(
    DECLARATION,
    summary="Answer the round's questionnaire for a product (create or replace)",
    response_model=DeclarationOut,
    responses={201: {"description": "Created"}, **problem_responses(404, 409, 412, 422, 428)},
)
async def put_declaration(
    request: Request,
    round_: RoundForChangeDep,
    product_id: ProductId,
    body: DeclarationIn,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    product = await get_product(session, principal=principal, product_id=product_id)
    existing = await service.find_declaration(session, round_id=round_.id, product_id=product.id)
    if existing is None:
        if_match.require_absent("the product has no declaration in this round yet")
    else:
        if_match.require(existing)
    declaration = await service.put_declaration(
        session,
        principal=principal,
        round_=round_,
        product=product,
        existing=existing,
        body=body,
        request_id=request_id_of(request),
    )
    questions = await service.round_questions(session, round_id=round_.id)
    return tagged_json(
        service.declaration_view(declaration, questions),
        declaration,
        status_code=201 if existing is None else 200,
    )


@router.get(
    DECLARATION,
    summary="Read a product's declaration in a round",
    response_model=DeclarationOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_declaration(
    round_: RoundDep,
    product_id: ProductId,
    session: SessionDep,
    principal: PrincipalDep,
    if_none_match: IfNoneMatchDep,
) -> Response:
    declaration = await service.get_declaration(
        session, principal=principal, round_id=round_.id, product_id=product_id
    )
    questions = await service.round_questions(session, round_id=round_.id)
    return conditional_json(
        if_none_match,
        service.declaration_view(declaration, questions),
        declaration,
        cache_control=PRIVATE_CACHE,
    )


@router.get(
    "/v1/procurement-rounds/{round_id}/declarations",
    summary="List a round's declarations (a vendor: its own)",
    response_model=Page[DeclarationOut],
    responses=problem_responses(400, 404, 422),
)
async def list_declarations(
    request: Request,
    response: Response,
    round_: RoundDep,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[DeclarationQuery, Query()],
) -> Page[DeclarationOut]:
    rows = await service.list_declarations(
        session,
        principal=principal,
        round_id=round_.id,
        product_id=page.product_id,
        after=id_after(page),
        limit=page.limit + 1,
    )
    declarations, next_cursor = cut_page(
        request, response, rows, page=page, key=lambda d: [str(d.id)]
    )
    questions = await service.round_questions(session, round_id=round_.id)
    return Page[DeclarationOut](
        items=[service.declaration_view(d, questions) for d in declarations],
        next_cursor=next_cursor,
    )
