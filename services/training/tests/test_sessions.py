"""Sessions over HTTP: times in a named zone, a place for the format, the public calendar."""

from __future__ import annotations

from training_factories import created, events_of, make_course, make_session, session_body


async def test_a_trainer_schedules_a_hybrid_session_in_gent_and_anyone_reads_it(training, issuer):
    client, app = training
    trainer = issuer.headers("trainer")
    session = await make_session(
        client,
        trainer,
        format="hybrid",
        time_zone="Europe/Brussels",
        starts_at="2027-03-28T09:30",
        ends_at="2027-03-28T12:00",
        venue={
            "name": "De Krook",
            "address": "Miriam Makebaplein 1",
            "city": "Gent",
            "country": "BE",
        },
        capacity={"in_person": 12, "online": 40},
        language="nl",
    )
    # 28 March 2027: clocks went forward at 02:00 that night; 09:30 is CEST (UTC+2).
    assert session["starts_at"] == "2027-03-28T07:30:00Z"
    assert session["local_start"] == "2027-03-28T09:30:00+02:00"
    assert session["track"] == "starter"
    assert session["status"] == "scheduled"
    assert [(s["mode"], s["capacity"], s["available"]) for s in session["seats"]] == [
        ("in_person", 12, 12),
        ("online", 40, 40),
    ]
    assert session["registration_closes_at"] == session["starts_at"]
    public = await client.get(f"/v1/sessions/{session['id']}")
    assert public.status_code == 200
    assert public.json()["venue"]["city"] == "Gent"
    calendar = await client.get("/v1/sessions", params={"format": "hybrid"})
    assert [s["id"] for s in calendar.json()["items"]] == [session["id"]]
    scheduled = await events_of(app, "session.scheduled")
    assert scheduled[0]["capacity"] == {"in_person": 12, "online": 40}


async def test_sessions_of_draft_courses_are_for_trainers_only(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    draft = await make_course(client, trainer)
    session = await created(client, "/v1/sessions", session_body(draft["id"]), trainer)
    assert (await client.get(f"/v1/sessions/{session['id']}")).status_code == 404
    staff = issuer.headers("staff")
    assert (await client.get(f"/v1/sessions/{session['id']}", headers=staff)).status_code == 404
    assert (await client.get(f"/v1/sessions/{session['id']}", headers=trainer)).status_code == 200
    assert (await client.get("/v1/sessions")).json()["items"] == []


async def test_calendar_filters_and_pages_by_start(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    course = await make_course(client, trainer, status="published", level="in-depth")
    for day in ("2027-04-14", "2027-04-12", "2027-04-13"):
        await created(
            client,
            "/v1/sessions",
            session_body(course["id"], starts_at=f"{day}T10:00", ends_at=f"{day}T11:00"),
            trainer,
        )
    first = await client.get("/v1/sessions", params={"limit": 2, "track": "in-depth"})
    days = [s["local_start"][:10] for s in first.json()["items"]]
    assert days == ["2027-04-12", "2027-04-13"]
    rest = await client.get("/v1/sessions", params={"cursor": first.json()["next_cursor"]})
    assert [s["local_start"][:10] for s in rest.json()["items"]] == ["2027-04-14"]
    window = await client.get(
        "/v1/sessions", params={"starts_from": "2027-04-13", "starts_before": "2027-04-14"}
    )
    assert [s["local_start"][:10] for s in window.json()["items"]] == ["2027-04-13"]
    assert (await client.get("/v1/sessions", params={"track": "starter"})).json()["items"] == []


async def test_bad_sessions_are_problems_naming_the_field(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    course = await make_course(client, trainer)
    cases = [
        (
            session_body(course["id"], ends_at="2027-03-11T09:00"),
            "body.ends_at",
            "ends-before-start",
        ),
        (
            session_body(course["id"], time_zone="Europe/Atlantis"),
            "body.time_zone",
            "unknown-time-zone",
        ),
        (
            session_body(course["id"], time_zone="../../etc/passwd"),
            "body.time_zone",
            "unknown-time-zone",
        ),
        (
            session_body(course["id"], starts_at="2027-03-28T02:30", ends_at="2027-03-28T04:00"),
            "body.starts_at",
            "nonexistent-local-time",
        ),
        (session_body(course["id"], online_url=None), "body.online_url", "format-needs-place"),
        (session_body(course["id"], format="classroom"), "body.venue", "format-needs-place"),
        (
            session_body(course["id"], capacity={"online": 5, "in_person": 5}),
            "body.capacity.in_person",
            "format-needs-place",
        ),
        (session_body(course["id"], capacity={"online": 0}), "body.capacity.online", None),
        (
            session_body(course["id"], registration_closes_at="2027-03-12T10:00"),
            "body.registration_closes_at",
            "bad-registration-window",
        ),
        (session_body(course["id"], starts_at="tomorrow"), "body.starts_at", None),
    ]
    for body, location, kind in cases:
        answer = await client.post("/v1/sessions", json=body, headers=trainer)
        assert answer.status_code == 422, (location, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        errors = {e["location"]: e["type"] for e in answer.json()["errors"]}
        assert location in errors, answer.json()
        if kind is not None:
            assert errors[location] == kind
    assert (await client.get("/v1/sessions", headers=trainer)).json()["items"] == []


async def test_changes_raise_the_version_and_cancelling_is_final(training, issuer):
    client, app = training
    trainer = issuer.headers("trainer")
    session = await make_session(client, trainer)
    url = f"/v1/sessions/{session['id']}"
    moved = await client.patch(
        url, json={"time_zone": "Europe/Amsterdam"}, headers=trainer | {"If-Match": '"1"'}
    )
    assert moved.status_code == 200, moved.text
    # The wall-clock time is kept in the new zone.
    assert moved.json()["local_start"] == "2027-03-11T10:00:00+01:00"
    assert moved.headers["ETag"] == '"2"'
    bigger = await client.patch(
        url, json={"capacity": {"online": 20}}, headers=trainer | {"If-Match": '"2"'}
    )
    assert bigger.json()["seats"][0]["capacity"] == 20
    assert bigger.headers["ETag"] == '"3"'
    stale = await client.patch(url, json={"title": "x"}, headers=trainer | {"If-Match": '"1"'})
    assert stale.status_code == 412
    cancelled = await client.patch(
        url, json={"status": "cancelled"}, headers=trainer | {"If-Match": '"3"'}
    )
    assert cancelled.json()["status"] == "cancelled"
    again = await client.patch(url, json={"title": "Back"}, headers=trainer | {"If-Match": '"4"'})
    assert again.status_code == 409
    assert [e["confirmed"] for e in await events_of(app, "session.cancelled")] == [0]
    # Oslo and Amsterdam share their offset: only the zone changed, then the seats.
    assert [e["changed"] for e in await events_of(app, "session.updated")] == [
        ["time_zone"],
        ["capacity"],
    ]
