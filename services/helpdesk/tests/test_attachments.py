"""Attachments: the type proven by content, the size limited, internal ones hidden from staff."""

from __future__ import annotations

import base64

from helpdesk_factories import desk, raise_ticket

from helpdesk.tickets.attachments.content import sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def staff(issuer):
    return issuer.headers("staff", isil="NO-2030000", sub="kari@lib")


def test_sniffing_reads_content_not_names():
    assert sniff(PNG) == "image/png"
    assert sniff(PDF) == "application/pdf"
    assert sniff("Lånekort: 12 ødelagte\n".encode()) == "text/plain"
    assert sniff(EXE) is None
    assert sniff(b"\xff\xfe\xfa garbage") is None


async def test_attachments_are_checked_and_internal_ones_hidden(helpdesk, issuer):
    client, _app = helpdesk
    service = await desk(client, issuer)
    ticket = await raise_ticket(client, staff(issuer), service["id"])
    path = f"/v1/tickets/{ticket['id']}/attachments"

    async def upload(content, media_type, headers, internal=False, filename="file.png"):
        body = {
            "filename": filename,
            "media_type": media_type,
            "content": base64.b64encode(content).decode(),
            "internal": internal,
        }
        return await client.post(path, json=body, headers=headers)

    shot = await upload(PNG, "image/png", staff(issuer))
    assert shot.status_code == 201, shot.text
    assert (shot.json()["media_type"], shot.json()["size"]) == ("image/png", len(PNG))
    disguised = await upload(EXE, "image/png", staff(issuer))
    assert disguised.status_code == 422
    assert disguised.headers["content-type"] == "application/problem+json"
    assert "not the declared image/png" in disguised.json()["detail"]
    forbidden = await upload(EXE, "application/x-msdownload", staff(issuer))
    assert forbidden.status_code == 415
    too_large = await upload(b"a" * (700 * 1024 + 1), "text/plain", staff(issuer))
    assert too_large.status_code == 413
    staff_internal = await upload(PDF, "application/pdf", staff(issuer), internal=True)
    assert staff_internal.status_code == 403
    agent = issuer.headers("agent")
    secret = await upload(PDF, "application/pdf", agent, internal=True, filename="vendor.pdf")
    assert secret.status_code == 201
    listed = await client.get(path, headers=staff(issuer))
    assert [a["filename"] for a in listed.json()["items"]] == ["file.png"]
    assert len((await client.get(path, headers=agent)).json()["items"]) == 2
    hidden = await client.get(f"{path}/{secret.json()['id']}", headers=staff(issuer))
    assert hidden.status_code == 404
    download = await client.get(f"{path}/{shot.json()['id']}", headers=staff(issuer))
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
