"""HTTP routes of recordings: trainers attach them and upload subtitles; staff watch and read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import IfMatchDep, tagged_json
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.deps import IdempotencyDep
from training.recordings import service
from training.recordings.deps import RecordingDep
from training.recordings.schemas import (
    RecordingIn,
    RecordingOut,
    RecordingPatch,
    RecordingQuery,
    SubtitlesIn,
    SubtitlesOut,
)
from training.resources import ResourcesDep
from training.vocabulary import Language

router = APIRouter(tags=["recordings"])
CACHE = "private, no-cache"
LangPath = Annotated[Language, PathParam(description="The subtitles' language")]
VTT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/vtt": {"schema": {"type": "string"}}}, "description": "WebVTT"}
}


@router.post(
    "/v1/recordings",
    status_code=201,
    summary="Attach a recording to a session (and so to its course)",
    response_model=RecordingOut,
    responses=problem_responses(400, 409, 422),
)
async def add_recording(
    request: Request,
    body: RecordingIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    recording = await service.add_recording(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.recording_view(recording, []),
        recording,
        status_code=201,
        headers={"Location": f"/v1/recordings/{recording.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/recordings",
    summary="Recordings (staff: of published courses)",
    response_model=Page[RecordingOut],
    responses=problem_responses(400, 422),
)
async def list_recordings(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[RecordingQuery, Query()],
) -> Page[RecordingOut]:
    rows = await service.list_recordings(
        session, principal=principal, page=page, after=id_after(page)
    )
    kept, cursor = cut_page(request, response, rows, page=page, key=lambda r: [str(r[0].id)])
    return Page[RecordingOut](
        items=[service.recording_view(r, s) for r, s in kept], next_cursor=cursor
    )


@router.get(
    "/v1/recordings/{recording_id}",
    summary="Read a recording, with its subtitle tracks",
    response_model=RecordingOut,
    responses=problem_responses(404, 422),
)
async def get_recording(recording: RecordingDep, session: SessionDep) -> JSONResponse:
    subtitles = await service.subtitles_of(session, recording.id)
    view = service.recording_view(recording, subtitles)
    return tagged_json(view, recording, headers={"Cache-Control": CACHE})


@router.patch(
    "/v1/recordings/{recording_id}",
    summary="Change a recording's address or title",
    response_model=RecordingOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_recording(
    request: Request,
    recording: RecordingDep,
    body: RecordingPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
    resources: ResourcesDep,
) -> JSONResponse:
    if_match.require(recording)
    recording = await service.update_recording(
        session,
        principal=principal,
        recording=recording,
        body=body,
        index=resources.index,
        request_id=request_id_of(request),
    )
    subtitles = await service.subtitles_of(session, recording.id)
    return tagged_json(service.recording_view(recording, subtitles), recording)


@router.put(
    "/v1/recordings/{recording_id}/subtitles/{lang}",
    summary="Upload a language's WebVTT subtitles (checked strictly; replaces that language's)",
    response_model=SubtitlesOut,
    responses=problem_responses(404, 422),
)
async def put_subtitles(
    request: Request,
    recording: RecordingDep,
    lang: LangPath,
    body: SubtitlesIn,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
) -> JSONResponse:
    track = await service.put_subtitles(
        session,
        principal=principal,
        recording=recording,
        lang=lang,
        vtt=body.vtt,
        index=resources.index,
        request_id=request_id_of(request),
    )
    return tagged_json(SubtitlesOut.model_validate(track), track)


@router.get(
    "/v1/recordings/{recording_id}/subtitles/{lang}",
    summary="A language's subtitles as WebVTT",
    response_class=Response,
    responses={**VTT_RESPONSE, **problem_responses(404, 422)},
)
async def get_subtitles(recording: RecordingDep, lang: LangPath, session: SessionDep) -> Response:
    track = await service.get_subtitles(session, recording=recording, lang=lang)
    return Response(
        track.vtt,
        media_type="text/vtt; charset=utf-8",
        headers={"ETag": track.etag, "Cache-Control": CACHE},
    )
