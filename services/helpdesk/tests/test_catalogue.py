"""The service catalogue over HTTP: calendars and services kept by agents, promises published."""

from __future__ import annotations

from typing import Any

from helpdesk_factories import (
    LEVELS,
    create_calendar,
    create_service,
    event_types,
    flanders_calendar,
    raise_ticket,
    service_body,
)

from helpdesk.texts import negotiate, pick


async def test_an_agent_registers_a_flemish_calendar_and_a_service(helpdesk, issuer):
    client, app = helpdesk
    agent = issuer.headers("agent")
    created = await client.post("/v1/business-calendars", json=flanders_calendar(), headers=agent)
    assert created.status_code == 201, created.text
    calendar = created.json()
    assert created.headers["ETag"] == '"1"'
    assert calendar["yearly_closing_days"][0]["reason"] == "Day of the Flemish Community"
    service = await create_service(client, agent, calendar["id"])
    assert [level["priority"] for level in service["levels"]] == [
        "critical",
        "high",
        "normal",
        "low",
    ]
    read = await client.get(f"/v1/services/{service['id']}", headers=issuer.headers("staff"))
    assert read.status_code == 200
    assert await event_types(app) == ["calendar.created", "service.created"]


async def test_bad_calendars_name_the_field_and_the_rule(helpdesk, issuer):
    client, app = helpdesk
    agent = issuer.headers("agent")
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            flanders_calendar(holidays={"country": "BE", "subdivision": "Wallonia"}),
            "body.holidays",
            "no subdivision",
        ),
        (
            flanders_calendar(holidays={"country": "NO", "categories": ["optional"]}),
            "body.holidays",
            "no holiday category",
        ),
        (flanders_calendar(time_zone="Europe/Atlantis"), "body.time_zone", "time zone"),
        (
            flanders_calendar(
                weekly_hours={
                    "monday": [
                        {"start": "08:00", "end": "12:00"},
                        {"start": "11:00", "end": "16:00"},
                    ]
                }
            ),
            "body.weekly_hours",
            "overlap",
        ),
        (
            flanders_calendar(weekly_hours={"monday": [{"start": "16:00", "end": "08:00"}]}),
            "body.weekly_hours",
            "runs forward",
        ),
        (
            flanders_calendar(weekly_hours={"funday": []}),
            "body.weekly_hours.funday.[key]",
            "monday",
        ),
        (flanders_calendar(weekly_hours={}), "body.weekly_hours", "at least one day"),
        (
            flanders_calendar(yearly_closing_days=[{"month": 4, "day": 31, "reason": "x"}]),
            "body.yearly_closing_days.0",
            "day is out of range",
        ),
    ]
    for body, location, rule in cases:
        answer = await client.post("/v1/business-calendars", json=body, headers=agent)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        errors = {e["location"]: e["message"] for e in answer.json()["errors"]}
        assert location in errors, errors
        assert rule in errors[location], errors
    assert await event_types(app) == []


async def test_bad_services_are_refused_whole(helpdesk, issuer):
    client, _app = helpdesk
    agent = issuer.headers("agent")
    calendar = await create_calendar(client, agent)
    missing_low = service_body(calendar["id"], levels=[*LEVELS[:3], LEVELS[0]])
    answer = await client.post("/v1/services", json=missing_low, headers=agent)
    assert answer.status_code == 422
    assert "one level for each priority" in answer.text
    unknown = service_body("0193a5a0-0000-7000-8000-000000000000")
    answer = await client.post("/v1/services", json=unknown, headers=agent)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["location"] == "body.calendar_id"
    no_product = service_body(calendar["id"], kind="licensed_product")
    assert (await client.post("/v1/services", json=no_product, headers=agent)).status_code == 422
    first = await create_service(client, agent, calendar["id"], code="websites")
    again = await client.post(
        "/v1/services", json=service_body(calendar["id"], code="websites"), headers=agent
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["location"] == "body.code"
    staff = await client.post(
        "/v1/services", json=service_body(calendar["id"]), headers=issuer.headers("staff")
    )
    assert staff.status_code == 403
    changed = await client.patch(
        f"/v1/services/{first['id']}",
        json={"active": False},
        headers=agent | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200
    stale = await client.patch(
        f"/v1/services/{first['id']}", json={"active": True}, headers=agent | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_the_published_catalogue_is_anonymous_and_cached(helpdesk, issuer):
    client, _app = helpdesk
    agent = issuer.headers("agent")
    answer = await client.post("/v1/business-calendars", json=flanders_calendar(), headers=agent)
    calendar = answer.json()
    active = await create_service(client, agent, calendar["id"], code="e-books")
    retired = await create_service(client, agent, calendar["id"], code="old-website")
    await client.patch(
        f"/v1/services/{retired['id']}", json={"active": False}, headers=agent | {"If-Match": '"1"'}
    )
    published = await client.get("/v1/service-catalogue")
    assert published.status_code == 200, published.text
    assert published.headers["Cache-Control"].startswith("public")
    items = published.json()["items"]
    assert [s["code"] for s in items] == [active["code"]]
    promise = items[0]["promises"][0]
    assert (promise["priority"], promise["first_response_minutes"]) == ("critical", 60)
    assert promise["last_quarter"]["tickets"] == 0
    assert items[0]["calendar"]["time_zone"] == "Europe/Brussels"
    assert (items[0]["name"], published.headers["Content-Language"]) == ("Library system", "en")
    dutch = await client.get(
        "/v1/service-catalogue", headers={"Accept-Language": "nl-BE, en;q=0.5"}
    )
    assert dutch.headers["Content-Language"] == "nl"
    assert dutch.json()["items"][0]["name"] == "Bibliotheeksysteem"
    assert dutch.json()["items"][0]["calendar"]["name"] == "Vlaanderen"
    assert dutch.headers["ETag"] != published.headers["ETag"]
    assert items[0]["channels"][1]["hours"] == {"monday": [{"start": "10:00", "end": "12:00"}]}
    again = await client.get(
        "/v1/service-catalogue", headers={"If-None-Match": published.headers["ETag"]}
    )
    assert again.status_code == 304


async def test_a_calendar_change_keeps_it_usable(helpdesk, issuer):
    client, _app = helpdesk
    agent = issuer.headers("agent")
    calendar = await create_calendar(client, agent)
    closed_week = await client.patch(
        f"/v1/business-calendars/{calendar['id']}",
        json={"weekly_hours": {}},
        headers=agent | {"If-Match": '"1"'},
    )
    assert closed_week.status_code == 422
    assert closed_week.json()["errors"][0]["location"] == "body.weekly_hours"
    saturday = await client.patch(
        f"/v1/business-calendars/{calendar['id']}",
        json={"weekly_hours": {"saturday": [{"start": "10:00", "end": "14:00"}]}, "holidays": None},
        headers=agent | {"If-Match": '"1"'},
    )
    assert saturday.status_code == 200, saturday.text
    assert saturday.json()["holidays"] is None


def test_the_reader_s_language_is_negotiated():
    assert negotiate(None) == "en"
    assert negotiate("nl-BE,nl;q=0.9,en;q=0.8") == "nl"
    assert negotiate("de;q=0.2, nb;q=0.9") == "nb"
    assert negotiate("no") == "nb"
    assert negotiate("nl;q=0, sv") == "en"
    assert negotiate("nl;q=abc, nn") == "nn"
    assert pick({"nb": "Norge", "en": "Norway"}, "nn") == "Norge"
    assert pick({"nl": "Vlaanderen"}, "de") == "Vlaanderen"


async def test_the_promise_is_worked_out_for_a_friday_afternoon_before_a_holiday(helpdesk, issuer):
    client, _app = helpdesk
    agent = issuer.headers("agent")
    calendar = await create_calendar(client, agent)  # Norway, 08:00-16:00, public holidays
    service = await create_service(client, agent, calendar["id"])
    # Friday 22 May 2026, half past three: Whit Monday (25 May) follows the weekend.
    friday = "2026-05-22T15:30:00+02:00"
    answer = await client.get(
        f"/v1/service-catalogue/{service['id']}/due-times",
        params={"priority": "normal", "raised_at": friday},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"].startswith("public")
    first, resolution = answer.json()["clocks"]
    assert (first["clock"], first["target_minutes"]) == ("first_response", 240)
    # Half an hour on Friday, then 3.5 hours from Tuesday's opening.
    assert first["local_due_at"] == "2026-05-26T11:30:00+02:00"
    counted = [i for i in first["intervals"] if i["counted"]]
    assert sum(i["minutes"] for i in counted) == 240
    assert [i["local_start"][:10] for i in counted] == ["2026-05-22", "2026-05-26"]
    skipped = {i["local_start"][:10]: i["reason"] for i in first["intervals"] if not i["counted"]}
    assert skipped["2026-05-25"].startswith("public holiday")
    assert resolution["due_at"] > first["due_at"]

    # The same arithmetic as a ticket's own clocks: raised now, asked for its moment.
    ticket = await raise_ticket(
        client, issuer.headers("staff", isil="NO-2030000"), service["id"], priority="high"
    )
    same = await client.get(
        f"/v1/service-catalogue/{service['id']}/due-times",
        params={"priority": "high", "raised_at": ticket["created_at"]},
    )
    sla = await client.get(f"/v1/tickets/{ticket['id']}/sla", headers=agent)
    assert [c["due_at"] for c in same.json()["clocks"]] == [
        c["due_at"] for c in sla.json()["clocks"]
    ]


async def test_due_times_refuse_what_cannot_be_worked_out(helpdesk, issuer):
    client, _app = helpdesk
    agent = issuer.headers("agent")
    calendar = await create_calendar(client, agent)
    service = await create_service(client, agent, calendar["id"])
    path = f"/v1/service-catalogue/{service['id']}/due-times"
    for params, location in [
        ({"priority": "urgent"}, "query.priority"),
        ({"priority": "low", "raised_at": "2026-05-22T15:30:00"}, "query.raised_at"),
        ({"priority": "low", "raised_at": "2100-05-22T15:30:00Z"}, "query.raised_at"),
        ({"priority": "low", "raised_at": "1140-08-03T14:20:20Z"}, "query.raised_at"),
        ({"priority": "low", "raised_at": "Friday"}, "query.raised_at"),
    ]:
        answer = await client.get(path, params=params)
        assert answer.status_code == 422, params
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.json()["errors"][0]["location"] == location
    unknown = await client.get(
        "/v1/service-catalogue/0193a5c2-7b4e-7e01-9a00-0000000000ff/due-times",
        params={"priority": "low"},
    )
    assert unknown.status_code == 404
    await client.patch(
        f"/v1/services/{service['id']}", json={"active": False}, headers=agent | {"If-Match": '"1"'}
    )
    retired = await client.get(path, params={"priority": "low"})
    assert retired.status_code == 404
