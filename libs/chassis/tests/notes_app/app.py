"""Notes: a versioned, paginated, idempotently created resource that emits typed events and keeps
an audit trail."""

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

from chassis.audit import Change, Trail, audit_router, audit_table, request_id_of
from chassis.caller import CALLER_RULE, caller_router
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    Versioned,
    conditional_json,
    tagged_json,
)
from chassis.db import new_metadata
from chassis.idempotency import Idempotency, IdempotencyKeys, idempotency_table
from chassis.ids import uuid7
from chassis.jobs import jobs_table, purge_idempotency_records
from chassis.outbox import EventData, events_router, outbox_table
from chassis.pagination import BadCursor, Page, PageQueryDep, cut_page, decode_cursor
from chassis.policy import PrincipalDep, allow, public
from chassis.problems import NotFound, problem_responses
from chassis.schemas import InputModel, OutputModel, PatchModel
from chassis.service import ServiceSpec, build_app
from chassis.sessions import SessionDep
from chassis.settings import ServiceSettings
from chassis.types import BigIntPK, UTCDateTime, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


outbox = outbox_table(Base.metadata)
idempotency = idempotency_table(Base.metadata)
audit_log = audit_table(Base.metadata)
trail = Trail(audit=audit_log, outbox=outbox)
IdempotencyDep = Annotated[Idempotency, Depends(IdempotencyKeys(idempotency))]
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


class Note(Versioned, Base):
    __tablename__ = "notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NoteCreated(EventData):
    event_type = "note.created"
    title: str


class NoteChanged(EventData):
    event_type = "note.changed"
    changed: list[str]


class NoteDeleted(EventData):
    event_type = "note.deleted"


EVENTS: list[type[EventData]] = [NoteCreated, NoteChanged, NoteDeleted]


class NoteNotFound(NotFound):
    pass


class NoteIn(InputModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=2000)


class NotePatch(PatchModel):
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
        raise NoteNotFound(f"No note {note_id}")
    return note


NoteDep = Annotated[Note, Depends(load_note)]


def _out(note: Note) -> NoteOut:
    return NoteOut.model_validate(note)


def _audited(note: Note) -> dict[str, object]:
    return _out(note).model_dump(mode="json", include={"title", "body"})


@router.post(
    "/v1/notes",
    status_code=201,
    summary="Create a note",
    response_model=NoteOut,
    responses=problem_responses(409),
)
async def create_note(
    request: Request,
    body: NoteIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    now = utcnow()
    note = Note(
        id=uuid7(),
        title=body.title,
        body=body.body,
        author=principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(note)
    await session.flush()
    await trail.announce(
        session,
        NoteCreated(title=note.title),
        principal=principal,
        change=Change("note", str(note.id), before=None, after=_audited(note)),
        subject=str(note.id),
        request_id=request_id_of(request),
    )
    response = tagged_json(
        _out(note), note, status_code=201, headers={"Location": f"/v1/notes/{note.id}"}
    )
    return await idem.remember(response)


@router.get("/v1/notes", summary="List notes, oldest first", response_model=Page[NoteOut])
async def list_notes(
    request: Request, response: Response, session: SessionDep, page: PageQueryDep
) -> Page[NoteOut]:
    query = select(Note).order_by(Note.created_at, Note.id).limit(page.limit + 1)
    if page.cursor is not None:
        created, note_id = decode_cursor(page.cursor, arity=2)
        try:
            key = (datetime.fromisoformat(created), uuid.UUID(note_id))
        except (TypeError, ValueError) as exc:
            raise BadCursor("The cursor is not one this API issued") from exc
        query = query.where(tuple_(Note.created_at, Note.id) > key)
    notes, next_cursor = cut_page(
        request,
        response,
        (await session.scalars(query)).all(),
        page=page,
        key=lambda n: [n.created_at.isoformat(), str(n.id)],
    )
    return Page[NoteOut](items=[_out(n) for n in notes], next_cursor=next_cursor)


@router.get(
    "/v1/notes/{note_id}",
    summary="Read a note",
    response_model=NoteOut,
    responses={**NOT_MODIFIED, **problem_responses(404)},
)
async def get_note(note: NoteDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(if_none_match, _out(note), note, cache_control="no-cache")


@router.patch(
    "/v1/notes/{note_id}",
    summary="Change a note",
    response_model=NoteOut,
    responses=problem_responses(404, 412, 428),
)
async def update_note(
    request: Request,
    body: NotePatch,
    note: NoteDep,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(note)
    before = _audited(note)
    for name, value in body.sent().items():
        setattr(note, name, value)
    await trail.record_update(
        session,
        row=note,
        principal=principal,
        change=Change("note", str(note.id), before=before, after=_audited(note)),
        subject=str(note.id),
        request_id=request_id_of(request),
        event=lambda changed: NoteChanged(changed=changed),
    )
    return tagged_json(_out(note), note)


@router.delete(
    "/v1/notes/{note_id}",
    status_code=204,
    summary="Delete a note",
    responses=problem_responses(404, 412, 428),
)
async def delete_note(
    request: Request,
    note: NoteDep,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> Response:
    if_match.require(note)
    before = _audited(note)
    await session.delete(note)
    await trail.announce(
        session,
        NoteDeleted(),
        principal=principal,
        change=Change("note", str(note.id), before=before, after=None),
        subject=str(note.id),
        request_id=request_id_of(request),
    )
    return Response(status_code=204)


POLICY = {
    "create_note": allow("staff", scope="author: the caller becomes the author"),
    "list_notes": public(),
    "get_note": public(),
    "update_note": allow("staff", scope="none: any staff member"),
    "delete_note": allow("staff", scope="none: any staff member"),
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "list_audit_entries": allow("operator", scope="none: the whole trail"),
    "read_caller": CALLER_RULE,
}

SPEC = ServiceSpec(
    name="notes",
    title="Notes (chassis test application)",
    description="Exercises every chassis mechanism.",
    version="0.0.0",
    component_dir=Path(__file__).resolve().parent,
    routers=[router, events_router(outbox, EVENTS), audit_router(audit_log), caller_router()],
    policy=POLICY,
    tags=[
        {"name": "notes", "description": "Notes"},
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "audit", "description": "Who changed what, when"},
    ],
    jobs=[purge_idempotency_records(idempotency)],
)


def app_from_env() -> FastAPI:
    """For `uvicorn --factory notes_app.app:app_from_env`: settings from NOTES_* variables."""
    return build_app(NotesSettings(), SPEC)
