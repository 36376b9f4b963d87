"""Registrations over HTTP: seats, the waiting list in order, promotion, deadlines, attendance."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from chassis.types import utcnow
from training_factories import events_of, make_session


def _staff(issuer, n: int) -> dict[str, str]:
    return issuer.headers("staff", sub=f"staff-{n}", isil="NO-0301000")


async def _register(client, session_id: str, headers: dict[str, str], **body: str):
    return await client.post(f"/v1/sessions/{session_id}/registrations", json=body, headers=headers)


async def test_seats_fill_then_the_waiting_list_then_a_cancellation_promotes(training, issuer):
    client, app = training
    trainer = issuer.headers("trainer")
    session = await make_session(client, trainer, capacity={"online": 2})
    sid = session["id"]
    answers = [await _register(client, sid, _staff(issuer, n)) for n in range(4)]
    assert [a.status_code for a in answers] == [201] * 4
    got = [a.json() for a in answers]
    assert [(r["status"], r["arrival"], r["waiting_position"]) for r in got] == [
        ("confirmed", 1, None),
        ("confirmed", 2, None),
        ("waiting", 3, 1),
        ("waiting", 4, 2),
    ]
    twice = await _register(client, sid, _staff(issuer, 0))
    assert twice.status_code == 409
    assert twice.json()["type"].endswith("already-registered")
    seats = (await client.get(f"/v1/sessions/{sid}")).json()["seats"]
    assert (seats[0]["confirmed"], seats[0]["available"]) == (2, 0)

    # Another staff member cannot see nor cancel it.
    mine = got[1]
    foreign = await client.post(
        f"/v1/registrations/{mine['id']}/cancel", headers=_staff(issuer, 3) | {"If-Match": '"1"'}
    )
    assert foreign.status_code == 404
    cancelled = await client.post(
        f"/v1/registrations/{mine['id']}/cancel", headers=_staff(issuer, 1) | {"If-Match": '"1"'}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    promoted = await client.get(f"/v1/registrations/{got[2]['id']}", headers=_staff(issuer, 2))
    assert promoted.json()["status"] == "confirmed"
    still = await client.get(f"/v1/registrations/{got[3]['id']}", headers=_staff(issuer, 3))
    assert (still.json()["status"], still.json()["waiting_position"]) == ("waiting", 1)
    assert [e["person"] for e in await events_of(app, "registration.promoted")] == ["staff-2"]
    assert len(await events_of(app, "registration.confirmed")) == 2
    assert [e["waiting_position"] for e in await events_of(app, "registration.waitlisted")] == [
        1,
        2,
    ]

    # A trainer sees the whole list; staff see their own only.
    everyone = await client.get(f"/v1/sessions/{sid}/registrations", headers=trainer)
    assert sorted(r["person"] for r in everyone.json()["items"]) == [f"staff-{n}" for n in range(4)]
    own = await client.get("/v1/registrations", headers=_staff(issuer, 3))
    assert [r["person"] for r in own.json()["items"]] == ["staff-3"]
    others = await client.get(
        "/v1/registrations", params={"person": "staff-2"}, headers=_staff(issuer, 3)
    )
    assert others.status_code == 403

    # Capacity cannot go below the confirmed; raising it promotes the next in line.
    version = (await client.get(f"/v1/sessions/{sid}")).headers["ETag"]
    below = await client.patch(
        f"/v1/sessions/{sid}",
        json={"capacity": {"online": 1}},
        headers=trainer | {"If-Match": version},
    )
    assert below.status_code == 409
    assert below.json()["errors"][0]["location"] == "body.capacity.online"
    raised = await client.patch(
        f"/v1/sessions/{sid}",
        json={"capacity": {"online": 3}},
        headers=trainer | {"If-Match": version},
    )
    assert raised.status_code == 200, raised.text
    last = await client.get(f"/v1/registrations/{got[3]['id']}", headers=_staff(issuer, 3))
    assert last.json()["status"] == "confirmed"
    # Re-registering after cancelling joins at the back.
    back = await _register(client, sid, _staff(issuer, 1))
    assert (back.json()["status"], back.json()["arrival"]) == ("waiting", 5)


def _oslo(at) -> str:
    return at.astimezone(ZoneInfo("Europe/Oslo")).replace(tzinfo=None).isoformat(timespec="minutes")


async def test_registration_closes_at_its_deadline_and_a_hybrid_needs_a_mode(training, issuer):
    client, _ = training
    trainer = issuer.headers("trainer")
    now = utcnow()
    closed = await make_session(
        client,
        trainer,
        registration_opens_at=_oslo(now - timedelta(days=3)),
        registration_closes_at=_oslo(now - timedelta(days=1)),
    )
    late = await _register(client, closed["id"], _staff(issuer, 1))
    assert late.status_code == 409
    assert late.json()["type"].endswith("registration-closed")
    early = await make_session(
        client, trainer, registration_opens_at=_oslo(now + timedelta(days=30))
    )
    assert (await _register(client, early["id"], _staff(issuer, 1))).status_code == 409
    hybrid = await make_session(
        client,
        trainer,
        format="hybrid",
        venue={"name": "Deichman", "city": "Oslo"},
        capacity={"in_person": 1, "online": 1},
    )
    unsaid = await _register(client, hybrid["id"], _staff(issuer, 1))
    assert unsaid.status_code == 422
    assert unsaid.json()["errors"][0]["location"] == "body.mode"
    bogus = await _register(client, hybrid["id"], _staff(issuer, 1), mode="telepathy")
    assert bogus.status_code == 422
    in_person = await _register(client, hybrid["id"], _staff(issuer, 1), mode="in_person")
    online = await _register(client, hybrid["id"], _staff(issuer, 2), mode="online")
    third = await _register(client, hybrid["id"], _staff(issuer, 3), mode="online")
    assert [a.json()["status"] for a in (in_person, online, third)] == [
        "confirmed",
        "confirmed",
        "waiting",
    ]


async def test_trainers_record_attendance_of_confirmed_people_once_it_started(training, issuer):
    client, app = training
    trainer = issuer.headers("trainer")
    now = utcnow()
    running = await make_session(
        client,
        trainer,
        starts_at=_oslo(now - timedelta(hours=1)),
        ends_at=_oslo(now + timedelta(hours=2)),
        registration_opens_at=_oslo(now - timedelta(days=1)),
        registration_closes_at=_oslo(now + timedelta(hours=1)),
        capacity={"online": 1},
    )
    seat = (await _register(client, running["id"], _staff(issuer, 1))).json()
    waiting = (await _register(client, running["id"], _staff(issuer, 2))).json()
    url = f"/v1/registrations/{seat['id']}/attendance"
    by_staff = await client.put(
        url, json={"attended": True}, headers=_staff(issuer, 1) | {"If-Match": '"1"'}
    )
    assert by_staff.status_code == 403
    marked = await client.put(url, json={"attended": True}, headers=trainer | {"If-Match": '"1"'})
    assert marked.status_code == 200, marked.text
    assert marked.json()["attended"] is True
    not_seated = await client.put(
        f"/v1/registrations/{waiting['id']}/attendance",
        json={"attended": True},
        headers=trainer | {"If-Match": '"1"'},
    )
    assert not_seated.status_code == 409
    # Too late to cancel once it started.
    cancel = await client.post(
        f"/v1/registrations/{seat['id']}/cancel", headers=_staff(issuer, 1) | {"If-Match": '"2"'}
    )
    assert cancel.status_code == 409
    assert await events_of(app, "attendance.recorded") == [
        {"session_id": running["id"], "person": "staff-1", "attended": True, "isil": "NO-0301000"}
    ]
