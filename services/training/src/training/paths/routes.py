"""HTTP routes of onboarding paths, progress and the print versions of courses and paths."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import IfMatchDep, tagged_json
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.content.deps import CourseDep, LessonDep
from training.content.outline import lessons_of_course
from training.deps import IdempotencyDep
from training.paths import service
from training.paths.deps import PathDep
from training.paths.printing import course_page
from training.paths.schemas import (
    CompletionOut,
    PathIn,
    PathOut,
    PathPatch,
    PathQuery,
    ProgressOut,
)

router = APIRouter(tags=["paths"])
CACHE = "private, no-cache"
HTML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "For print"}
}


@router.post(
    "/v1/paths",
    status_code=201,
    summary="Make an onboarding path of courses and sessions",
    response_model=PathOut,
    responses=problem_responses(400, 409, 422),
)
async def create_path(
    request: Request,
    body: PathIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    path = await service.create_path(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        PathOut.model_validate(path),
        path,
        status_code=201,
        headers={"Location": f"/v1/paths/{path.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/paths",
    summary="Onboarding paths (staff: published ones)",
    response_model=Page[PathOut],
    responses=problem_responses(400, 422),
)
async def list_paths(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[PathQuery, Query()],
) -> Page[PathOut]:
    rows = await service.list_paths(session, principal=principal, page=page, after=id_after(page))
    kept, cursor = cut_page(request, response, rows, page=page, key=lambda p: [str(p.id)])
    return Page[PathOut](items=[PathOut.model_validate(p) for p in kept], next_cursor=cursor)


@router.get(
    "/v1/paths/{path_id}",
    summary="Read an onboarding path",
    response_model=PathOut,
    responses=problem_responses(404, 422),
)
async def get_path(path: PathDep) -> JSONResponse:
    return tagged_json(PathOut.model_validate(path), path, headers={"Cache-Control": CACHE})


@router.patch(
    "/v1/paths/{path_id}",
    summary="Change, publish or withdraw an onboarding path",
    response_model=PathOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_path(
    request: Request,
    path: PathDep,
    body: PathPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(path)
    path = await service.update_path(
        session, principal=principal, path=path, body=body, request_id=request_id_of(request)
    )
    return tagged_json(PathOut.model_validate(path), path)


@router.get(
    "/v1/paths/{path_id}/progress",
    summary="Your progress along a path",
    response_model=ProgressOut,
    responses=problem_responses(404, 422),
)
async def path_progress(path: PathDep, session: SessionDep, principal: PrincipalDep) -> ProgressOut:
    return await service.progress(session, principal=principal, path=path)


@router.put(
    "/v1/progress/lessons/{lesson_id}",
    summary="Mark a lesson as completed by you",
    response_model=CompletionOut,
    responses=problem_responses(404, 422),
)
async def complete_lesson(
    request: Request, lesson: LessonDep, session: SessionDep, principal: PrincipalDep
) -> CompletionOut:
    done = await service.complete_lesson(
        session, principal=principal, lesson=lesson, request_id=request_id_of(request)
    )
    return CompletionOut.model_validate(done)


@router.get(
    "/v1/paths/{path_id}/print",
    summary="A path as print-friendly HTML (a page per course)",
    response_class=HTMLResponse,
    responses={**HTML_RESPONSE, **problem_responses(404, 422)},
)
async def print_path(path: PathDep, session: SessionDep, principal: PrincipalDep) -> HTMLResponse:
    html = await service.printed_path(session, principal=principal, path=path)
    return HTMLResponse(html, headers={"Cache-Control": CACHE})


@router.get(
    "/v1/courses/{course_id}/print",
    summary="A course as print-friendly HTML",
    response_class=HTMLResponse,
    responses={**HTML_RESPONSE, **problem_responses(404, 422)},
)
async def print_course(
    course: CourseDep, session: SessionDep, principal: PrincipalDep
) -> HTMLResponse:
    outline = await lessons_of_course(session, principal=principal, course=course)
    return HTMLResponse(course_page(course, outline), headers={"Cache-Control": CACHE})
