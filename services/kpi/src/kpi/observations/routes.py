"""HTTP routes of observations: figures entered and corrected within the caller's scope, read as
they stand or as they stood on a date, each with its history."""

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
from chassis.pagination import Page, PageQueryDep, cut_page, id_after, int_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.deps import IdempotencyDep
from kpi.observations import service
from kpi.observations.deps import ObservationDep
from kpi.observations.schemas import (
    ObservationIn,
    ObservationOut,
    ObservationPatch,
    ObservationQuery,
    RevisionOut,
)

router = APIRouter(tags=["observations"])
PRIVATE_CACHE = "private, no-cache"


@router.post(
    "/v1/observations",
    status_code=201,
    summary="Record a figure",
    response_model=ObservationOut,
    responses=problem_responses(400, 403, 409, 422),
)
async def create_observation(
    request: Request,
    body: ObservationIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    observation, code = await service.create_observation(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.observation_view(observation, code),
        observation,
        status_code=201,
        headers={"Location": f"/v1/observations/{observation.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/observations",
    summary="List figures, as they stand or as they stood at the end of a day",
    response_model=Page[ObservationOut],
    responses=problem_responses(400, 422),
)
async def list_observations(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[ObservationQuery, Query()],
) -> Page[ObservationOut]:
    rows = await service.list_observations(
        session, principal=principal, query=page, after=id_after(page)
    )
    kept, next_cursor = cut_page(request, response, rows, page=page, key=lambda o: [str(o.id)])
    return Page[ObservationOut](items=kept, next_cursor=next_cursor)


@router.get(
    "/v1/observations/{observation_id:uuid}",
    summary="Read a figure as it stands",
    response_model=ObservationOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_observation(found: ObservationDep, if_none_match: IfNoneMatchDep) -> Response:
    observation, code = found
    return conditional_json(
        if_none_match,
        service.observation_view(observation, code),
        observation,
        cache_control=PRIVATE_CACHE,
    )


@router.patch(
    "/v1/observations/{observation_id:uuid}",
    summary="Correct a figure (what it was stays in its history)",
    response_model=ObservationOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def correct_observation(
    request: Request,
    found: ObservationDep,
    body: ObservationPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    observation, code = found
    if_match.require(observation)
    observation = await service.correct_observation(
        session,
        principal=principal,
        observation=observation,
        organisation_code=code,
        body=body,
        request_id=request_id_of(request),
    )
    return tagged_json(service.observation_view(observation, code), observation)


@router.get(
    "/v1/observations/{observation_id:uuid}/revisions",
    summary="Every figure an observation has had, oldest first",
    response_model=Page[RevisionOut],
    responses=problem_responses(400, 404, 422),
)
async def list_revisions(
    request: Request,
    response: Response,
    found: ObservationDep,
    session: SessionDep,
    page: PageQueryDep,
) -> Page[RevisionOut]:
    rows = await service.revisions_of(
        session, observation=found[0], after=int_after(page), limit=page.limit + 1
    )
    kept, next_cursor = cut_page(request, response, rows, page=page, key=lambda r: [r.version])
    return Page[RevisionOut](items=kept, next_cursor=next_cursor)
