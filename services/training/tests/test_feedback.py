"""Feedback: attendees only, once, 1 to 5; aggregates per session, course and trainer."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from chassis.types import utcnow
from training_factories import events_of, make_session


def _oslo(at) -> str:
    return at.astimezone(ZoneInfo("Europe/Oslo")).replace(tzinfo=None).isoformat(timespec="minutes")


async def test_attendees_rate_once_and_trainers_see_aggregates(training, issuer):
    client, app = training
    trainer = issuer.headers("trainer", sub="trainer-kari")
    now = utcnow()
    session = await make_session(
        client,
        trainer,
        starts_at=_oslo(now - timedelta(hours=2)),
        ends_at=_oslo(now + timedelta(hours=1)),
        registration_opens_at=_oslo(now - timedelta(days=2)),
        registration_closes_at=_oslo(now + timedelta(minutes=30)),
    )
    sid = session["id"]
    people = {n: issuer.headers("staff", sub=f"p{n}") for n in range(4)}
    registrations = {}
    for n, headers in people.items():
        answer = await client.post(f"/v1/sessions/{sid}/registrations", json={}, headers=headers)
        registrations[n] = answer.json()["id"]
    for n in (0, 1, 2):
        marked = await client.put(
            f"/v1/registrations/{registrations[n]}/attendance",
            json={"attended": n != 2},
            headers=trainer | {"If-Match": '"1"'},
        )
        assert marked.status_code == 200, marked.text
    url = f"/v1/sessions/{sid}/feedback"
    assert (
        await client.post(url, json={"rating": 5, "comment": "Nyttig!"}, headers=people[0])
    ).status_code == 201
    assert (await client.post(url, json={"rating": 4}, headers=people[1])).status_code == 201
    again = await client.post(url, json={"rating": 1}, headers=people[0])
    assert again.status_code == 409
    absent = await client.post(url, json={"rating": 1}, headers=people[2])
    assert absent.status_code == 403
    assert absent.json()["type"].endswith("not-an-attendee")
    unmarked = await client.post(url, json={"rating": 1}, headers=people[3])
    assert unmarked.status_code == 403
    for rating in (0, 6, "five"):
        bad = await client.post(url, json={"rating": rating}, headers=people[1])
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["location"] == "body.rating"
    for by, key in (
        ("session", sid),
        ("course", session["course_id"]),
        ("trainer", "trainer-kari"),
    ):
        answer = await client.get(
            "/v1/feedback", params={"by": by}, headers=issuer.headers("analyst")
        )
        assert answer.status_code == 200, answer.text
        (aggregate,) = answer.json()["items"]
        assert (aggregate["key"], aggregate["count"], aggregate["average"]) == (key, 2, 4.5)
        assert aggregate["ratings"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert (await client.get("/v1/feedback", headers=people[0])).status_code == 403
    assert [e["rating"] for e in await events_of(app, "feedback.given")] == [5, 4]
