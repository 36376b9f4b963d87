"""HTTP routes of lessons: trainers write, staff read what is published."""

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
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.content import outline
from training.content.deps import LessonDep
from training.content.schemas import LessonIn, LessonOut, LessonPatch, LessonQuery
from training.deps import IdempotencyDep
from training.resources import ResourcesDep

router = APIRouter(tags=["content"])
PRIVATE_CACHE = "private, no-cache"


@router.post(
    "/v1/lessons",
    status_code=201,
    summary="Create a lesson in a module",
    response_model=LessonOut,
    responses=problem_responses(400, 409, 422),
)
async def create_lesson(
    request: Request,
    body: LessonIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    resources: ResourcesDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    lesson = await outline.create_lesson(
        session,
        principal=principal,
        body=body,
        index=resources.index,
        request_id=request_id_of(request),
    )
    view = outline.lesson_view(lesson)
    return await idem.remember(
        tagged_json(view, lesson, status_code=201, headers={"Location": f"/v1/lessons/{lesson.id}"})
    )


@router.get(
    "/v1/lessons",
    summary="List lessons (staff: published ones of published courses)",
    response_model=Page[LessonOut],
    responses=problem_responses(400, 403, 422),
)
async def list_lessons(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[LessonQuery, Query()],
) -> Page[LessonOut]:
    rows = await outline.list_lessons(session, principal=principal, page=page, after=id_after(page))
    lessons, cursor = cut_page(request, response, rows, page=page, key=lambda x: [str(x.id)])
    return Page[LessonOut](items=[outline.lesson_view(x) for x in lessons], next_cursor=cursor)


@router.get(
    "/v1/lessons/{lesson_id}",
    summary="Read a lesson",
    response_model=LessonOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_lesson(lesson: LessonDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, outline.lesson_view(lesson), lesson, cache_control=PRIVATE_CACHE
    )


@router.patch(
    "/v1/lessons/{lesson_id}",
    summary="Change, publish or withdraw a lesson",
    response_model=LessonOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_lesson(
    request: Request,
    lesson: LessonDep,
    body: LessonPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
    resources: ResourcesDep,
) -> JSONResponse:
    if_match.require(lesson)
    lesson = await outline.update_lesson(
        session,
        principal=principal,
        lesson=lesson,
        body=body,
        index=resources.index,
        request_id=request_id_of(request),
    )
    return tagged_json(outline.lesson_view(lesson), lesson)
