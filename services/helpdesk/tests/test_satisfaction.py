"""Satisfaction: the requester rates a resolved ticket once; not one an agent solved alone."""

from __future__ import annotations

from helpdesk_factories import desk, events_of, if_match, raise_ticket

LIB = "NO-2030000"


async def _resolve(client, issuer, ticket):
    answer = await client.post(
        f"/v1/tickets/{ticket['id']}/moves",
        json={"to": "resolved"},
        headers=issuer.headers("agent") | if_match(ticket),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_requester_rates_once_after_resolution(helpdesk, issuer):
    client, app = helpdesk
    service = await desk(client, issuer)
    kari = issuer.headers("staff", isil=LIB, sub="kari@lib")
    ticket = await raise_ticket(client, kari, service["id"])
    path = f"/v1/tickets/{ticket['id']}/satisfaction"
    early = await client.post(path, json={"rating": 5}, headers=kari)
    assert early.status_code == 409
    assert (await _resolve(client, issuer, ticket))["satisfaction_asked"] is True
    for bad in (0, 6, "five"):
        answer = await client.post(path, json={"rating": bad}, headers=kari)
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["location"] == "body.rating"
    colleague = issuer.headers("staff", isil=LIB, sub="ola@lib")
    assert (await client.post(path, json={"rating": 1}, headers=colleague)).status_code == 403
    rated = await client.post(path, json={"rating": 4, "comment": "Quick and clear"}, headers=kari)
    assert rated.status_code == 201, rated.text
    twice = await client.post(path, json={"rating": 5}, headers=kari)
    assert twice.status_code == 409
    assert twice.headers["content-type"] == "application/problem+json"
    assert [e["rating"] for e in await events_of(app, "csat.given")] == [4]
    listed = await client.get("/v1/satisfaction", headers=issuer.headers("analyst"))
    assert [r["rating"] for r in listed.json()["items"]] == [4]


async def test_a_ticket_an_agent_raised_and_solved_alone_is_not_rated(helpdesk, issuer):
    client, _app = helpdesk
    service = await desk(client, issuer)
    agent = issuer.headers("agent")
    ticket = await raise_ticket(
        client, agent, service["id"], library_isil=LIB, requester="kari@lib", channel="phone"
    )
    assert (await _resolve(client, issuer, ticket))["satisfaction_asked"] is False
    kari = issuer.headers("staff", isil=LIB, sub="kari@lib")
    answer = await client.post(
        f"/v1/tickets/{ticket['id']}/satisfaction", json={"rating": 5}, headers=kari
    )
    assert answer.status_code == 409
    assert "alone" in answer.json()["detail"]
