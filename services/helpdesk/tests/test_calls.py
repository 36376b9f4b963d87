"""The phone log: a call in a few fields, solved or turned into a linked ticket; bad input refused."""

from __future__ import annotations

from typing import Any

from helpdesk_factories import desk, event_types, events_of, raise_ticket

LIB = "NL-DRN001"


def call(service_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "library_isil": LIB,
        "caller": "els@drn",
        "service_id": service_id,
        "topic": "renewals",
        "duration_seconds": 180,
        "outcome": "solved",
    } | overrides


async def test_an_agent_logs_calls_solved_and_turned_into_tickets(helpdesk, issuer):
    client, app = helpdesk
    service = await desk(client, issuer)
    agent = issuer.headers("agent", sub="agent@desk")
    solved = await client.post("/v1/calls", json=call(service["id"]), headers=agent)
    assert solved.status_code == 201, solved.text
    assert (solved.json()["agent"], solved.json()["ticket_id"]) == ("agent@desk", None)
    turned = await client.post(
        "/v1/calls",
        json=call(
            service["id"],
            topic="e-books",
            outcome="ticket",
            duration_seconds=420,
            ticket={"subject": "App login loops", "description": "Patrons cannot log in."},
        ),
        headers=agent,
    )
    assert turned.status_code == 201, turned.text
    ticket_id = turned.json()["ticket_id"]
    ticket = await client.get(f"/v1/tickets/{ticket_id}", headers=issuer.headers("staff", isil=LIB))
    assert ticket.status_code == 200
    assert (ticket.json()["channel"], ticket.json()["requester"]) == ("phone", "els@drn")
    existing = await raise_ticket(client, issuer.headers("staff", isil=LIB), service["id"])
    linked = await client.post(
        "/v1/calls",
        json=call(service["id"], outcome="ticket", ticket_id=existing["id"]),
        headers=agent,
    )
    assert linked.status_code == 201
    logged = await events_of(app, "call.logged")
    assert [e["outcome"] for e in logged] == ["solved", "ticket", "ticket"]
    assert (await client.get("/v1/calls", headers=agent)).json()["items"][0]["topic"] == "renewals"
    assert (
        await client.get("/v1/calls", headers=issuer.headers("staff", isil=LIB))
    ).status_code == 403


async def test_bad_calls_are_refused_and_nothing_is_written(helpdesk, issuer):
    client, app = helpdesk
    service = await desk(client, issuer)
    agent = issuer.headers("agent")
    other = await raise_ticket(client, issuer.headers("staff", isil="NL-OTHER1"), service["id"])
    before = await event_types(app)
    cases = [
        (call(service["id"], duration_seconds=-1), "body.duration_seconds"),
        (call(service["id"], topic="knitting"), "body.topic"),
        (call("0193a5a0-0000-7000-8000-000000000000"), "body.service_id"),
        (call(service["id"], outcome="ticket"), "body"),
        (call(service["id"], outcome="solved", ticket_id=other["id"]), "body"),
        (call(service["id"], outcome="ticket", ticket_id=other["id"]), "body.ticket_id"),
        (call(service["id"], occurred_at="2999-01-01T00:00:00Z"), "body.occurred_at"),
        (call(service["id"], occurred_at="2026-01-01T00:00:00"), "body.occurred_at"),
    ]
    for body, location in cases:
        answer = await client.post("/v1/calls", json=body, headers=agent)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert location in {e["location"] for e in answer.json()["errors"]}, answer.text
    assert await event_types(app) == before
