"""iCalendar feeds: RFC 5545 that a parser reads back, stable UIDs, SEQUENCE raised on every
change, cancellations as STATUS:CANCELLED, ETag and 304, a VTIMEZONE an independent reader agrees
with zoneinfo on, and private feeds behind a revocable token."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import tz  # type: ignore[import-untyped]
from icalendar import Calendar

from training_factories import created, make_course, make_session, session_body


def _events(body: bytes) -> dict[str, dict[str, Any]]:
    calendar = Calendar.from_ical(body)
    return {
        str(e["uid"]): {
            "sequence": int(str(e["sequence"])),
            "status": str(e["status"]),
            "summary": str(e["summary"]),
            "start": e.decoded("dtstart"),
            "tzid": e["dtstart"].params.get("TZID"),
            "description": str(e["description"]),
            "location": str(e.get("location", "")),
        }
        for e in calendar.walk("VEVENT")
    }


async def test_the_public_feed_follows_every_change_and_shows_cancellations(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    oslo = await make_session(client, trainer)
    assen = await make_session(
        client,
        trainer,
        format="classroom",
        time_zone="Europe/Amsterdam",
        venue={"name": "Bibliotheek Assen", "city": "Assen", "country": "NL"},
        capacity={"in_person": 15},
        online_url=None,
        language="nl",
    )
    first = await client.get("/v1/calendar.ics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    events = _events(first.content)
    uid = f"session-{oslo['id']}@training.library-platform"
    assert set(events) == {uid, f"session-{assen['id']}@training.library-platform"}
    assert events[uid]["sequence"] == 0
    assert events[uid]["status"] == "CONFIRMED"
    assert events[uid]["tzid"] == "Europe/Oslo"
    assert events[uid]["start"] == datetime(2027, 3, 11, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    assert "https://meet.example.org/wise-101" in events[uid]["description"]
    assert "Assen" in events[f"session-{assen['id']}@training.library-platform"]["location"]
    calendar = Calendar.from_ical(first.content)
    zones = {str(z["tzid"]): z for z in calendar.walk("VTIMEZONE")}
    assert set(zones) == {"Europe/Oslo", "Europe/Amsterdam"}
    parts = {p.name for p in zones["Europe/Oslo"].subcomponents}
    assert parts == {"STANDARD", "DAYLIGHT"}

    etag = first.headers["ETag"]
    unchanged = await client.get("/v1/calendar.ics", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    moved = await client.patch(
        f"/v1/sessions/{oslo['id']}",
        json={"starts_at": "2027-03-11T09:00"},
        headers=trainer | {"If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    second = await client.get("/v1/calendar.ics", headers={"If-None-Match": etag})
    assert second.status_code == 200
    assert second.headers["ETag"] != etag
    assert _events(second.content)[uid]["sequence"] == 1
    cancelled = await client.patch(
        f"/v1/sessions/{oslo['id']}",
        json={"status": "cancelled"},
        headers=trainer | {"If-Match": '"2"'},
    )
    assert cancelled.status_code == 200
    third = _events((await client.get("/v1/calendar.ics")).content)
    assert (third[uid]["status"], third[uid]["sequence"]) == ("CANCELLED", 2)
    # The same UID throughout: a calendar program updates the event it imported.
    classroom = _events(
        (await client.get("/v1/calendar.ics", params={"format": "classroom"})).content
    )
    assert list(classroom) == [f"session-{assen['id']}@training.library-platform"]
    assert (
        _events((await client.get("/v1/calendar.ics", params={"track": "in-depth"})).content) == {}
    )
    bad = await client.get("/v1/calendar.ics", params={"format": "podcast"})
    assert bad.status_code == 422


async def test_the_vtimezone_read_by_dateutil_agrees_with_zoneinfo_across_both_changes(
    training, issuer
):
    client, _ = training
    trainer = issuer.headers("trainer")
    course = await make_course(client, trainer, status="published")
    for zone in ("Europe/Oslo", "Europe/Brussels", "Europe/Amsterdam", "America/New_York"):
        await created(client, "/v1/sessions", session_body(course["id"], time_zone=zone), trainer)
    feed = (await client.get("/v1/calendar.ics")).content.decode()
    blocks = re.findall(r"BEGIN:VTIMEZONE.*?END:VTIMEZONE\r?\n", feed, flags=re.S)
    assert len(blocks) == 4
    for block in blocks:
        parsed = tz.tzical(io.StringIO(block))
        (name,) = parsed.keys()
        theirs, ours = parsed.get(name), ZoneInfo(name)
        # Every quarter of an hour of the year 2027 around the spring and autumn changes.
        for day in (
            datetime(2027, 3, 14, tzinfo=UTC),
            datetime(2027, 3, 28, tzinfo=UTC),
            datetime(2027, 10, 31, tzinfo=UTC),
            datetime(2027, 11, 7, tzinfo=UTC),
        ):
            for quarter in range(-8, 4 * 30):
                instant = day + timedelta(minutes=15 * quarter)
                expected = instant.astimezone(ours)
                got = instant.astimezone(theirs)
                assert got.replace(tzinfo=None) == expected.replace(tzinfo=None), (name, instant)
                assert got.utcoffset() == expected.utcoffset(), (name, instant)


async def test_a_private_feed_shows_seats_and_waiting_places_until_revoked(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    me = issuer.headers("staff", sub="kari")
    other = issuer.headers("staff", sub="ola")
    full = await make_session(client, trainer, capacity={"online": 1})
    roomy = await make_session(client, trainer, capacity={"online": 5})
    await client.post(f"/v1/sessions/{full['id']}/registrations", json={}, headers=other)
    waiting = await client.post(f"/v1/sessions/{full['id']}/registrations", json={}, headers=me)
    seat = await client.post(f"/v1/sessions/{roomy['id']}/registrations", json={}, headers=me)
    assert waiting.json()["status"] == "waiting"
    made = await client.post("/v1/calendar/feeds", headers=me)
    assert made.status_code == 201, made.text
    path = made.json()["path"]
    assert len(made.json()["token"]) >= 43
    # No Authorization header: calendar programs send none.
    feed = await client.get(path)
    assert feed.status_code == 200
    events = _events(feed.content)
    by_session = {uid.split("@")[0].removeprefix("session-"): e for uid, e in events.items()}
    assert set(by_session) == {full["id"], roomy["id"]}
    assert by_session[full["id"]]["status"] == "TENTATIVE"
    assert "waiting list" in by_session[full["id"]]["description"]
    assert by_session[roomy["id"]]["status"] == "CONFIRMED"
    cancel = await client.post(
        f"/v1/registrations/{seat.json()['id']}/cancel", headers=me | {"If-Match": '"1"'}
    )
    assert cancel.status_code == 200
    after = {
        uid.split("@")[0].removeprefix("session-"): e
        for uid, e in _events((await client.get(path)).content).items()
    }
    assert after[roomy["id"]]["status"] == "CANCELLED"
    assert after[roomy["id"]]["sequence"] > by_session[roomy["id"]]["sequence"]
    # Someone else's list of feeds does not hold mine, nor may they revoke it.
    feed_id = made.json()["id"]
    assert (await client.get("/v1/calendar/feeds", headers=other)).json()["items"] == []
    foreign = await client.delete(
        f"/v1/calendar/feeds/{feed_id}", headers=other | {"If-Match": '"1"'}
    )
    assert foreign.status_code == 404
    revoked = await client.delete(f"/v1/calendar/feeds/{feed_id}", headers=me | {"If-Match": '"1"'})
    assert revoked.status_code == 204
    assert (await client.get(path)).status_code == 404
    guessed = await client.get("/v1/calendar/private/" + "A" * 43 + ".ics")
    assert guessed.status_code == 404
