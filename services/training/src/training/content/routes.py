"""HTTP routes of topics, courses and their modules: trainers write, staff read what is published."""

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
from chassis.pagination import Page, PageQueryDep, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.content import outline, service
from training.content.deps import CourseDep, ModuleDep, TopicDep
from training.content.schemas import (
    CourseIn,
    CourseOut,
    CoursePatch,
    CourseQuery,
    ModuleIn,
    ModuleOut,
    ModulePatch,
    TopicIn,
    TopicOut,
    TopicPatch,
)
from training.deps import IdempotencyDep
from training.resources import ResourcesDep

router = APIRouter(tags=["content"])
PRIVATE_CACHE = "private, no-cache"


@router.post(
    "/v1/topics",
    status_code=201,
    summary="Create a topic",
    response_model=TopicOut,
    responses=problem_responses(400, 409, 422),
)
async def create_topic(
    request: Request,
    body: TopicIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    topic = await service.create_topic(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    view = service.topic_view(topic)
    return await idem.remember(
        tagged_json(view, topic, status_code=201, headers={"Location": f"/v1/topics/{topic.id}"})
    )


@router.get(
    "/v1/topics",
    summary="List topics",
    response_model=Page[TopicOut],
    responses=problem_responses(400, 422),
)
async def list_topics(
    request: Request, response: Response, session: SessionDep, page: PageQueryDep
) -> Page[TopicOut]:
    rows = await service.list_topics(session, after=id_after(page), limit=page.limit + 1)
    topics, cursor = cut_page(request, response, rows, page=page, key=lambda t: [str(t.id)])
    return Page[TopicOut](items=[service.topic_view(t) for t in topics], next_cursor=cursor)


@router.get(
    "/v1/topics/{topic_id}",
    summary="Read a topic",
    response_model=TopicOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_topic(topic: TopicDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, service.topic_view(topic), topic, cache_control=PRIVATE_CACHE
    )


@router.patch(
    "/v1/topics/{topic_id}",
    summary="Change a topic",
    response_model=TopicOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_topic(
    request: Request,
    topic: TopicDep,
    body: TopicPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(topic)
    topic = await service.update_topic(
        session, principal=principal, topic=topic, body=body, request_id=request_id_of(request)
    )
    return tagged_json(service.topic_view(topic), topic)


@router.post(
    "/v1/courses",
    status_code=201,
    summary="Create a course (a draft unless its status says published)",
    response_model=CourseOut,
    responses=problem_responses(400, 409, 422),
)
async def create_course(
    request: Request,
    body: CourseIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    resources: ResourcesDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    course = await service.create_course(
        session,
        principal=principal,
        body=body,
        index=resources.index,
        request_id=request_id_of(request),
    )
    view = service.course_view(course)
    return await idem.remember(
        tagged_json(view, course, status_code=201, headers={"Location": f"/v1/courses/{course.id}"})
    )


@router.get(
    "/v1/courses",
    summary="List courses (staff: published ones only)",
    response_model=Page[CourseOut],
    responses=problem_responses(400, 403, 422),
)
async def list_courses(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[CourseQuery, Query()],
) -> Page[CourseOut]:
    after = id_after(page)
    rows = await service.list_courses(session, principal=principal, page=page, after=after)
    courses, cursor = cut_page(request, response, rows, page=page, key=lambda c: [str(c.id)])
    return Page[CourseOut](items=[service.course_view(c) for c in courses], next_cursor=cursor)


@router.get(
    "/v1/courses/{course_id}",
    summary="Read a course",
    response_model=CourseOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_course(course: CourseDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, service.course_view(course), course, cache_control=PRIVATE_CACHE
    )


@router.patch(
    "/v1/courses/{course_id}",
    summary="Change, publish or withdraw a course",
    response_model=CourseOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_course(
    request: Request,
    course: CourseDep,
    body: CoursePatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
    resources: ResourcesDep,
) -> JSONResponse:
    if_match.require(course)
    course = await service.update_course(
        session,
        principal=principal,
        course=course,
        body=body,
        index=resources.index,
        request_id=request_id_of(request),
    )
    return tagged_json(service.course_view(course), course)


@router.get(
    "/v1/courses/{course_id}/modules",
    summary="List a course's modules in order",
    response_model=Page[ModuleOut],
    responses=problem_responses(404, 422),
)
async def list_modules(course: CourseDep, session: SessionDep) -> Page[ModuleOut]:
    # A course has tens of modules at most (positions stop at 1000): one page holds them all.
    modules = await outline.list_modules(session, course=course)
    return Page[ModuleOut](items=[outline.module_view(m) for m in modules], next_cursor=None)


@router.post(
    "/v1/courses/{course_id}/modules",
    status_code=201,
    summary="Add a module to a course",
    response_model=ModuleOut,
    responses=problem_responses(400, 404, 422),
)
async def create_module(
    request: Request,
    course: CourseDep,
    body: ModuleIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    module = await outline.create_module(
        session, principal=principal, course=course, body=body, request_id=request_id_of(request)
    )
    location = f"/v1/courses/{course.id}/modules/{module.id}"
    return await idem.remember(
        tagged_json(
            outline.module_view(module), module, status_code=201, headers={"Location": location}
        )
    )


@router.get(
    "/v1/courses/{course_id}/modules/{module_id}",
    summary="Read a module",
    response_model=ModuleOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_module(module: ModuleDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, outline.module_view(module), module, cache_control=PRIVATE_CACHE
    )


@router.patch(
    "/v1/courses/{course_id}/modules/{module_id}",
    summary="Rename or move a module",
    response_model=ModuleOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_module(
    request: Request,
    module: ModuleDep,
    body: ModulePatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(module)
    module = await outline.update_module(
        session, principal=principal, module=module, body=body, request_id=request_id_of(request)
    )
    return tagged_json(outline.module_view(module), module)
