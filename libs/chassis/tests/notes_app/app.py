"""Notes: a versioned, paginated, idempotently created resource that emits events."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Integer, String, Table, UniqueConstraint, select, tuple_
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.caller import CALLER_RULE, caller_router
from chassis.concurrency import etag, matches_if_none_match, require_if_match
from chassis.db import new_metadata
from chassis.idempotency import idempotency_dependency, idempotency_table
from chassis.ids import uuid7
from chassis.jobs import jobs_table, purge_idempotency_records
from chassis.outbox import events_router, outbox_table, record_event
from chassis.pagination import Page, PageParamsDep, decode_cursor, encode_cursor, link_next
from chassis.policy import PrincipalDep, allow, public
from chassis.problems import ProblemError, problem_responses
from chassis.schemas import InputModel, OutputModel
from chassis.service import ServiceSpec, build_app
from chassis.sessions import SessionDep
from chassis.settings import ServiceSettings
from chassis.types import BigIntPK, UTCDateTime, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


outbox = outbox_table(Base.metadata)
idempotency = idempotency_table(Base.metadata)
IdempotencyDep = idempotency_dependency(idempotency)
jobs = jobs_table(Base.metadata)
# Each due time the test job `tick` ran for, and which process ran it (notes_app.ticks).
job_ticks = Table(
    "job_ticks",
    Base.metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("job", String(100), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("job", "due_at"),
)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    author: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}


class NoteIn(InputModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=2000)


class NotePatch(InputModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, max_length=2000)


class NoteOut(OutputModel):
    id: uuid.UUID
    title: str
    body: str
    author: str
    version: int
    created_at: datetime


class NotesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTES_")
    service_name: str = "notes"


router = APIRouter(tags=["notes"])
NoteId = Annotated[uuid.UUID, PathParam(description="The note's id (a UUID)")]


async def load_note(note_id: NoteId, session: SessionDep) -> Note:
    note = await session.get(Note, note_id)
    if note is None:
        raise ProblemError(404, "not-found", f"No note {note_id}")
    return note


NoteDep = Annotated[Note, Depends(load_note)]


def _out(note: Note) -> dict[str, object]:
    return NoteOut.model_validate(note).model_dump(mode="json")


@router.post(
    "/v1/notes",
    status_code=201,
    summary="Create a note",
    response_model=NoteOut,
    responses=problem_responses(409),
)
async def create_note(
    body: NoteIn, session: SessionDep, principal: PrincipalDep, idem: IdempotencyDep
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    note = Note(
        id=uuid7(), title=body.title, body=body.body, author=principal.subject, created_at=utcnow()
    )
    session.add(note)
    await session.flush()
    await record_event(
        session, outbox, type="note.created", subject=str(note.id), data={"title": note.title}
    )
    response = JSONResponse(
        _out(note),
        status_code=201,
        headers={"ETag": etag(note.version), "Location": f"/v1/notes/{note.id}"},
    )
    return await idem.remember(response)


@router.get("/v1/notes", summary="List notes, oldest first", response_model=Page[NoteOut])
async def list_notes(
    request: Request, response: Response, session: SessionDep, page: PageParamsDep
) -> Page[NoteOut]:
    query = select(Note).order_by(Note.created_at, Note.id).limit(page.limit + 1)
    if page.cursor is not None:
        created, note_id = decode_cursor(page.cursor, arity=2)
        try:
            key = (datetime.fromisoformat(created), uuid.UUID(note_id))
        except (TypeError, ValueError) as exc:
            raise ProblemError(400, "bad-cursor", "The cursor is not one this API issued") from exc
        query = query.where(tuple_(Note.created_at, Note.id) > key)
    notes = list((await session.scalars(query)).all())
    next_cursor = None
    if len(notes) > page.limit:
        last = notes[page.limit - 1]
        next_cursor = encode_cursor([last.created_at.isoformat(), str(last.id)])
        notes = notes[: page.limit]
    link_next(request, response, next_cursor)
    return Page[NoteOut](items=[NoteOut.model_validate(n) for n in notes], next_cursor=next_cursor)


@router.get(
    "/v1/notes/{note_id}",
    summary="Read a note",
    response_model=NoteOut,
    responses=problem_responses(404),
)
async def get_note(request: Request, note: NoteDep) -> Response:
    tag = etag(note.version)
    if matches_if_none_match(request, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return JSONResponse(_out(note), headers={"ETag": tag, "Cache-Control": "no-cache"})


@router.patch(
    "/v1/notes/{note_id}",
    summary="Change a note",
    response_model=NoteOut,
    responses=problem_responses(404, 412, 428),
)
async def update_note(
    request: Request, body: NotePatch, note: NoteDep, session: SessionDep
) -> JSONResponse:
    require_if_match(request, note.version)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(note, name, value)
    await session.flush()
    await record_event(session, outbox, type="note.changed", subject=str(note.id), data={})
    return JSONResponse(_out(note), headers={"ETag": etag(note.version)})


@router.delete(
    "/v1/notes/{note_id}",
    status_code=204,
    summary="Delete a note",
    responses=problem_responses(404, 412, 428),
)
async def delete_note(request: Request, note: NoteDep, session: SessionDep) -> Response:
    require_if_match(request, note.version)
    await session.delete(note)
    await record_event(session, outbox, type="note.deleted", subject=str(note.id), data={})
    return Response(status_code=204)


POLICY = {
    "create_note": allow("staff", scope="author: the caller becomes the author"),
    "list_notes": public(),
    "get_note": public(),
    "update_note": allow("staff", scope="none: any staff member"),
    "delete_note": allow("staff", scope="none: any staff member"),
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "read_caller": CALLER_RULE,
}

SPEC = ServiceSpec(
    name="notes",
    title="Notes (chassis test application)",
    description="Exercises every chassis mechanism.",
    version="0.0.0",
    component_dir=Path(__file__).resolve().parent,
    routers=[router, events_router(outbox), caller_router()],
    policy=POLICY,
    tags=[{"name": "notes", "description": "Notes"}],
    jobs=[purge_idempotency_records(idempotency)],
)


def app_from_env() -> FastAPI:
    """For `uvicorn --factory notes_app.app:app_from_env`: settings from NOTES_* variables."""
    return build_app(NotesSettings(), SPEC)
