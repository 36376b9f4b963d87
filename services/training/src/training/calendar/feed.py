"""One iCalendar document (RFC 5545) from sessions: a VEVENT per session with a stable UID and a
SEQUENCE that rises with every change, and a VTIMEZONE for each zone the events use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from icalendar import Calendar, Event, vCalAddress, vText

from training.calendar.vtimezone import vtimezone
from training.sessions.models import TrainingSession
from training.zones import in_zone

PRODID = "-//Library platform//Training calendar//EN"
UID_DOMAIN = "training.library-platform"


@dataclass(frozen=True)
class FeedEntry:
    """A session as one calendar shows it. `sequence` rises with every change the calendar
    shows; `status` is the event's STATUS; `note` comes first in the description."""

    session: TrainingSession
    course_title: str
    sequence: int
    status: str
    note: str = ""


def uid_of(session: TrainingSession) -> str:
    return f"session-{session.id}@{UID_DOMAIN}"


def _event(entry: FeedEntry) -> Event:
    ts = entry.session
    event = Event()
    event.add("uid", uid_of(ts))
    # DTSTAMP: when this version of the event was made (stable, so the feed's ETag is too).
    event.add("dtstamp", ts.updated_at)
    event.add("last-modified", ts.updated_at)
    event.add("created", ts.created_at)
    event.add("sequence", entry.sequence)
    event.add("dtstart", in_zone(ts.starts_at, ts.time_zone))
    event.add("dtend", in_zone(ts.ends_at, ts.time_zone))
    event.add("summary", ts.title)
    event.add("status", entry.status)
    lines = [entry.note] if entry.note else []
    lines += [f"Course: {entry.course_title}", f"Trainer: {ts.trainer_name}"]
    lines.append(f"Language: {ts.language}; format: {ts.format}; track: {ts.track}")
    if ts.online_url:
        lines.append(f"Online: {ts.online_url}")
        event.add("url", ts.online_url)
    if ts.notes:
        lines.append(ts.notes)
    event.add("description", "\n".join(lines))
    if ts.venue:
        venue = ts.venue
        parts = [venue.get("name"), venue.get("address"), venue.get("city"), venue.get("country")]
        event.add("location", vText(", ".join(p for p in parts if p)))
    elif ts.online_url:
        event.add("location", vText(ts.online_url))
    event.add("categories", [ts.track, ts.format])
    organizer = vCalAddress(f"urn:training:trainer:{ts.trainer_subject}")
    organizer.params["cn"] = vText(ts.trainer_name)
    event.add("organizer", organizer)
    return event


def calendar_document(name: str, entries: Sequence[FeedEntry]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    years: dict[str, tuple[int, int]] = {}
    for entry in entries:
        ts = entry.session
        first, last = years.get(ts.time_zone, (ts.starts_at.year, ts.ends_at.year))
        years[ts.time_zone] = (min(first, ts.starts_at.year), max(last, ts.ends_at.year))
    for zone, (first, last) in sorted(years.items()):
        calendar.add_component(vtimezone(zone, first, last))
    for entry in entries:
        calendar.add_component(_event(entry))
    return bytes(calendar.to_ical())
