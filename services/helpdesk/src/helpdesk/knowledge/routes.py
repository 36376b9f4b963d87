"""HTTP routes of the knowledge base: articles, votes, links to tickets, search, suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import OptionalPrincipalDep, PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from helpdesk.deps import IdempotencyDep
from helpdesk.knowledge import feedback, finding, service
from helpdesk.knowledge.deps import ArticleDep
from helpdesk.knowledge.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    ArticleQuery,
    HitsOut,
    LinkIn,
    LinkOut,
    SearchParams,
    SuggestParams,
    VoteIn,
)
from helpdesk.resources import ResourcesDep
from helpdesk.tickets.deps import TicketDep

router = APIRouter(tags=["knowledge"])
CACHE = "no-cache"


@router.post(
    "/v1/articles",
    status_code=201,
    summary="Write an article (published ones are searchable at once)",
    response_model=ArticleOut,
    responses=problem_responses(400, 409, 422),
)
async def create_article(
    request: Request,
    body: ArticleIn,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    article = await service.create_article(
        session,
        principal=principal,
        index=resources.index,
        body=body,
        request_id=request_id_of(request),
    )
    response = tagged_json(
        service.article_view(article),
        article,
        status_code=201,
        headers={"Location": f"/v1/articles/{article.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/articles",
    summary="List articles (anonymous callers and staff: published public ones)",
    response_model=Page[ArticleOut],
    responses=problem_responses(400, 422),
)
async def list_articles(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: OptionalPrincipalDep,
    page: Annotated[ArticleQuery, Query()],
) -> Page[ArticleOut]:
    rows = await service.list_articles(
        session, principal=principal, query=page, after=id_after(page), limit=page.limit + 1
    )
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda a: [str(a.id)])
    return Page[ArticleOut](items=[service.article_view(a) for a in cut], next_cursor=next_cursor)


@router.get(
    "/v1/articles/{article_id}",
    summary="Read an article",
    response_model=ArticleOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_article(article: ArticleDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, service.article_view(article), article, cache_control=CACHE
    )


@router.patch(
    "/v1/articles/{article_id}",
    summary="Change, publish or archive an article (the index follows in the same transaction)",
    response_model=ArticleOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_article(
    request: Request,
    article: ArticleDep,
    body: ArticlePatch,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(article)
    article = await service.update_article(
        session,
        principal=principal,
        index=resources.index,
        article=article,
        body=body,
        request_id=request_id_of(request),
    )
    return tagged_json(service.article_view(article), article)


@router.post(
    "/v1/articles/{article_id}/votes",
    summary="Did this help? One vote per caller; voting again changes it",
    response_model=ArticleOut,
    responses=problem_responses(404, 409, 422),
)
async def vote_article(
    request: Request,
    article: ArticleDep,
    body: VoteIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> JSONResponse:
    article = await feedback.vote(
        session,
        principal=principal,
        article=article,
        helpful=body.helpful,
        request_id=request_id_of(request),
    )
    return tagged_json(service.article_view(article), article)


@router.post(
    "/v1/tickets/{ticket_id}/articles",
    status_code=201,
    summary="Link an article that solved the ticket",
    response_model=LinkOut,
    responses=problem_responses(404, 409, 422),
)
async def link_article(
    request: Request, ticket: TicketDep, body: LinkIn, session: SessionDep, principal: PrincipalDep
) -> LinkOut:
    row, article = await feedback.link(
        session,
        principal=principal,
        ticket=ticket,
        article_id=body.article_id,
        request_id=request_id_of(request),
    )
    return feedback.link_view(row, article)


@router.get(
    "/v1/tickets/{ticket_id}/articles",
    summary="The articles linked to a ticket (staff: public ones only)",
    response_model=Page[LinkOut],
    responses=problem_responses(404, 422),
)
async def list_ticket_articles(
    ticket: TicketDep, session: SessionDep, principal: PrincipalDep
) -> Page[LinkOut]:
    rows = await feedback.links_of(session, principal=principal, ticket=ticket)
    return Page[LinkOut](items=[feedback.link_view(r, a) for r, a in rows], next_cursor=None)


@router.get(
    "/v1/search",
    summary="Search published articles (anonymous callers and staff: public ones)",
    response_model=HitsOut,
    responses=problem_responses(400, 422),
)
async def search_articles(
    session: SessionDep,
    principal: OptionalPrincipalDep,
    resources: ResourcesDep,
    params: Annotated[SearchParams, Query()],
) -> HitsOut:
    return await finding.find(
        session,
        principal=principal,
        index=resources.index,
        text=params.q,
        lang=params.lang,
        limit=params.limit,
        service_id=params.service_id,
    )


@router.get(
    "/v1/article-suggestions",
    summary="Articles that may answer a ticket being written (never an internal one to staff)",
    response_model=HitsOut,
    responses=problem_responses(400, 422),
)
async def suggest_articles(
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    params: Annotated[SuggestParams, Query()],
) -> HitsOut:
    text = f"{params.subject} {params.description or ''}".strip()
    return await finding.find(
        session,
        principal=principal,
        index=resources.index,
        text=text,
        lang=params.lang,
        limit=params.limit,
        service_id=params.service_id,
    )
