"""HTTP routes of a round's questionnaire."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from catalogue_licensing.procurement.questionnaire import service
from catalogue_licensing.procurement.questionnaire.schemas import QuestionnaireIn, QuestionnaireOut
from catalogue_licensing.procurement.rounds.deps import RoundDep, RoundForChangeDep
from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["procurement"])
PRIVATE_CACHE = "private, no-cache"


@router.get(
    "/v1/procurement-rounds/{round_id}/questionnaire",
    summary="Read a round's questionnaire",
    response_model=QuestionnaireOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_questionnaire(
    round_: RoundDep, session: SessionDep, if_none_match: IfNoneMatchDep
) -> Response:
    questionnaire = await service.get_questionnaire(session, round_id=round_.id)
    return conditional_json(
        if_none_match,
        service.questionnaire_view(questionnaire),
        questionnaire,
        cache_control=PRIVATE_CACHE,
    )


@router.put(
    "/v1/procurement-rounds/{round_id}/questionnaire",
    summary="Set a round's questionnaire (until the round opens)",
    response_model=QuestionnaireOut,
    responses={201: {"description": "Created"}, **problem_responses(404, 409, 412, 422, 428)},
)
async def put_questionnaire(
    request: Request,
    round_: RoundForChangeDep,
    body: QuestionnaireIn,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    existing = await service.find_questionnaire(session, round_id=round_.id)
    if existing is None:
        if_match.require_absent("the round has no questionnaire yet")
    else:
        if_match.require(existing)
    questionnaire = await service.set_questionnaire(
        session,
        principal=principal,
        round_=round_,
        existing=existing,
        body=body,
        request_id=request_id_of(request),
    )
    return tagged_json(
        service.questionnaire_view(questionnaire),
        questionnaire,
        status_code=201 if existing is None else 200,
    )
