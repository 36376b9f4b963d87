"""Who may do what, in the queries: staff of library L reach none of another library's tickets on
any path (404, as if it did not exist), lists never carry them, other roles are refused."""

from __future__ import annotations

import base64

from helpdesk_factories import desk, if_match, raise_ticket

MINE = "NO-2030000"
THEIRS = "NO-2120100"


async def test_another_librarys_ticket_is_out_of_reach_on_every_path(helpdesk, issuer):
    client, _app = helpdesk
    service = await desk(client, issuer)
    agent = issuer.headers("agent")
    theirs = await raise_ticket(client, issuer.headers("staff", isil=THEIRS), service["id"])
    path = f"/v1/tickets/{theirs['id']}"
    attachment = await client.post(
        f"{path}/attachments",
        json={
            "filename": "a.txt",
            "media_type": "text/plain",
            "content": base64.b64encode(b"hi").decode(),
        },
        headers=agent,
    )
    assert attachment.status_code == 201
    me = issuer.headers("staff", isil=MINE)
    reads = [
        path,
        f"{path}/comments",
        f"{path}/attachments",
        f"{path}/attachments/{attachment.json()['id']}",
        f"{path}/sla",
        f"{path}/articles",
    ]
    for read in reads:
        assert (await client.get(read, headers=me)).status_code == 404, read
    writes = [
        (f"{path}/comments", {"body": "me too"}),
        (f"{path}/moves", {"to": "closed"}),
        (f"{path}/satisfaction", {"rating": 5}),
        (
            f"{path}/attachments",
            {"filename": "b.txt", "media_type": "text/plain", "content": "aGk="},
        ),
    ]
    for write, body in writes:
        answer = await client.post(write, json=body, headers=me | if_match(theirs))
        assert answer.status_code == 404, (write, answer.text)
    assert (await client.get("/v1/tickets", headers=me)).json()["items"] == []
    no_library = issuer.headers("staff")
    assert (await client.get("/v1/tickets", headers=no_library)).json()["items"] == []
    for role in ("analyst", "operator", "library", "vendor"):
        assert (await client.get(path, headers=issuer.headers(role))).status_code == 403, role
    assert (await client.get(path)).status_code == 401
