"""Rules of recordings: attached to a session and its course, subtitles checked strictly, the
transcript searchable once the course is published."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from search import SearchDocument, SearchIndex
from training.content.access import visible_courses
from training.content.models import Course, Topic
from training.content.publication import AUDIENCE
from training.db import trail
from training.recordings.errors import (
    MalformedWebVTT,
    RecordingNotFound,
    SubtitlesNotFound,
    UnknownSession,
)
from training.recordings.events import RecordingAdded, RecordingUpdated, SubtitlesUploaded
from training.recordings.models import Recording, Subtitles
from training.recordings.schemas import (
    RecordingIn,
    RecordingOut,
    RecordingPatch,
    RecordingQuery,
    SubtitlesOut,
)
from training.recordings.webvtt import WebVTTError, parse, transcript
from training.sessions.models import TrainingSession


def recording_view(recording: Recording, subtitles: Sequence[Subtitles]) -> RecordingOut:
    return RecordingOut(
        id=recording.id,
        session_id=recording.session_id,
        course_id=recording.course_id,
        title=recording.title,
        url=recording.url,
        subtitles=[SubtitlesOut.model_validate(s) for s in subtitles],
        version=recording.version,
        created_at=recording.created_at,
    )


def _visible(principal: Principal) -> ColumnElement[bool]:
    return Recording.course_id.in_(select(Course.id).where(visible_courses(principal)))


async def subtitles_of(session: AsyncSession, recording_id: uuid.UUID) -> list[Subtitles]:
    query = select(Subtitles).where(Subtitles.recording_id == recording_id).order_by(Subtitles.lang)
    return list((await session.scalars(query)).all())


async def get_recording(
    session: AsyncSession, *, principal: Principal, recording_id: uuid.UUID
) -> Recording:
    found = await session.scalar(
        select(Recording).where(Recording.id == recording_id, _visible(principal))
    )
    if found is None:
        raise RecordingNotFound(f"No recording {recording_id} that you may see")
    return found


async def list_recordings(
    session: AsyncSession, *, principal: Principal, page: RecordingQuery, after: uuid.UUID | None
) -> list[tuple[Recording, list[Subtitles]]]:
    query = (
        select(Recording).where(_visible(principal)).order_by(Recording.id).limit(page.limit + 1)
    )
    if page.session_id is not None:
        query = query.where(Recording.session_id == page.session_id)
    if page.course_id is not None:
        query = query.where(Recording.course_id == page.course_id)
    if after is not None:
        query = query.where(Recording.id > after)
    found = (await session.scalars(query)).all()
    return [(r, await subtitles_of(session, r.id)) for r in found]


async def add_recording(
    session: AsyncSession,
    *,
    principal: Principal,
    body: RecordingIn,
    request_id: str | None,
    recording_id: uuid.UUID | None = None,
) -> Recording:
    ts = await session.get(TrainingSession, body.session_id)
    if ts is None:
        raise UnknownSession("session_id", f"no session {body.session_id}")
    now = utcnow()
    recording = Recording(
        id=recording_id or uuid7(),
        session_id=ts.id,
        course_id=ts.course_id,
        title=body.title or ts.title,
        url=body.url,
        created_at=now,
        updated_at=now,
    )
    session.add(recording)
    await session.flush()
    await trail.announce(
        session,
        RecordingAdded(session_id=str(ts.id), course_id=str(ts.course_id)),
        principal=principal,
        change=Change(
            "recording",
            str(recording.id),
            before=None,
            after={"url": recording.url, "title": recording.title},
        ),
        subject=str(recording.id),
        request_id=request_id,
    )
    return recording


async def update_recording(
    session: AsyncSession,
    *,
    principal: Principal,
    recording: Recording,
    body: RecordingPatch,
    index: SearchIndex,
    request_id: str | None,
) -> Recording:
    """Change a recording's address or title; its transcripts in search carry the new title."""
    before = {"url": recording.url, "title": recording.title}
    for name, value in body.sent().items():
        setattr(recording, name, value)
    changed = await trail.record_update(
        session,
        row=recording,
        principal=principal,
        change=Change(
            "recording",
            str(recording.id),
            before=before,
            after={"url": recording.url, "title": recording.title},
        ),
        subject=str(recording.id),
        request_id=request_id,
        event=lambda changed: RecordingUpdated(
            session_id=str(recording.session_id), changed=changed
        ),
    )
    if "title" in changed:
        course = await session.get(Course, recording.course_id)
        assert course is not None
        topic = await session.get(Topic, course.topic_id)
        assert topic is not None
        for track in await subtitles_of(session, recording.id):
            await _sync_transcript(
                session, index=index, recording=recording, track=track, course=course, topic=topic
            )
    return recording


def transcript_slug(recording: Recording, lang: str) -> str:
    return f"transcript-{recording.id}-{lang}"


async def put_subtitles(
    session: AsyncSession,
    *,
    principal: Principal,
    recording: Recording,
    lang: str,
    vtt: str,
    index: SearchIndex,
    request_id: str | None,
) -> Subtitles:
    """Store the track (replacing the language's earlier one) once every line checks out."""
    try:
        cues = parse(vtt)
    except WebVTTError as exc:
        raise MalformedWebVTT("vtt", str(exc)) from exc
    now = utcnow()
    track = await session.get(Subtitles, (recording.id, lang))
    before = None if track is None else {"cues": track.cues, "duration_ms": track.duration_ms}
    if track is None:
        track = Subtitles(recording_id=recording.id, lang=lang, created_at=now)
        session.add(track)
    track.vtt = vtt
    track.cues = len(cues)
    track.duration_ms = cues[-1].end_ms
    track.updated_at = now
    await session.flush()
    await trail.announce(
        session,
        SubtitlesUploaded(recording_id=str(recording.id), lang=lang, cues=len(cues)),
        principal=principal,
        change=Change(
            "subtitles",
            f"{recording.id}/{lang}",
            before=before,
            after={"cues": track.cues, "duration_ms": track.duration_ms},
        ),
        subject=str(recording.id),
        request_id=request_id,
    )
    course = await session.get(Course, recording.course_id)
    assert course is not None
    topic = await session.get(Topic, course.topic_id)
    assert topic is not None
    await _sync_transcript(
        session, index=index, recording=recording, track=track, course=course, topic=topic
    )
    return track


async def _sync_transcript(
    session: AsyncSession,
    *,
    index: SearchIndex,
    recording: Recording,
    track: Subtitles,
    course: Course,
    topic: Topic,
) -> None:
    slug = transcript_slug(recording, track.lang)
    if course.status != "published":
        await index.remove(session, slug)
        return
    await index.put(
        session,
        SearchDocument(
            slug=slug,
            kind="transcript",
            lang=track.lang,
            title=recording.title,
            body=transcript(parse(track.vtt)),
            facets={"topic": topic.slug, "level": course.level, "format": course.format},
            audience=AUDIENCE,
        ),
    )


async def follow_course(
    session: AsyncSession, *, index: SearchIndex, course: Course, topic: Topic
) -> None:
    """A course was put in or taken out of search: its recordings' transcripts follow."""
    rows = await session.execute(
        select(Recording, Subtitles)
        .join(Subtitles, Subtitles.recording_id == Recording.id)
        .where(Recording.course_id == course.id)
    )
    for recording, track in rows.all():
        await _sync_transcript(
            session, index=index, recording=recording, track=track, course=course, topic=topic
        )


async def get_subtitles(session: AsyncSession, *, recording: Recording, lang: str) -> Subtitles:
    track = await session.get(Subtitles, (recording.id, lang))
    if track is None:
        raise SubtitlesNotFound(f"No {lang} subtitles for recording {recording.id}")
    return track
