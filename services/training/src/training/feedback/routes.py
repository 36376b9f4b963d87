"""HTTP routes of feedback: attendees rate a session once; trainers and analysts read aggregates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import tagged_json
from chassis.pagination import BadCursor, Page, cut_page, decode_cursor
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.feedback import service
from training.feedback.schemas import AggregateOut, AggregateQuery, FeedbackIn, FeedbackOut
from training.sessions.deps import TrainingSessionDep

router = APIRouter(tags=["feedback"])


@router.post(
    "/v1/sessions/{session_id}/feedback",
    status_code=201,
    summary="Rate a session you attended (once, 1 to 5, with a comment)",
    response_model=FeedbackOut,
    responses=problem_responses(403, 404, 409, 422),
)
async def give_feedback(
    request: Request,
    ts: TrainingSessionDep,
    body: FeedbackIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> JSONResponse:
    feedback = await service.give_feedback(
        session, principal=principal, ts=ts, body=body, request_id=request_id_of(request)
    )
    return tagged_json(FeedbackOut.model_validate(feedback), feedback, status_code=201)


def _after(page: AggregateQuery) -> str | None:
    if page.cursor is None:
        return None
    (raw,) = decode_cursor(page.cursor, arity=1)
    if not isinstance(raw, str):
        raise BadCursor("The cursor is not one this API issued")
    return raw


@router.get(
    "/v1/feedback",
    summary="Feedback aggregates per session, course or trainer",
    response_model=Page[AggregateOut],
    responses=problem_responses(400, 422),
)
async def feedback_aggregates(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[AggregateQuery, Query()],
) -> Page[AggregateOut]:
    rows = await service.aggregates(session, page=page, after=_after(page))
    kept, cursor = cut_page(request, response, rows, page=page, key=lambda r: [r[0]])
    return Page[AggregateOut](items=[a for _, a in kept], next_cursor=cursor)
