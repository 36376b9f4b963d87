"""Token verification in the services: what is refused with 401/400, and 403 for a role without the right."""

import time

import pytest

from chassis.testing import tampered, unsigned_token, with_header


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_with_the_role_is_let_in(notes, issuer):
    client, _ = notes
    response = await client.post("/v1/notes", json={"title": "t"}, headers=issuer.headers("staff"))
    assert response.status_code == 201


async def test_missing_token_is_401_with_a_challenge(notes):
    client, _ = notes
    response = await client.post("/v1/notes", json={"title": "t"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer a b", "token"])
async def test_malformed_authorization_header_is_400(notes, header):
    client, _ = notes
    response = await client.post(
        "/v1/notes", json={"title": "t"}, headers={"Authorization": header}
    )
    assert response.status_code == 400
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


def _cases(issuer, foreign_issuer):
    now = int(time.time())
    return {
        "expired": issuer.sign(issuer.claims(["staff"], iat=now - 900, exp=now - 600)),
        "tampered": tampered(issuer.token("staff")),
        "alg none": unsigned_token(issuer.claims(["staff"]), issuer.kid),
        "foreign key": foreign_issuer.token("staff"),
        "foreign key, our kid": foreign_issuer.sign(foreign_issuer.claims(["staff"])).replace(
            foreign_issuer.kid, issuer.kid
        ),
        "wrong audience": issuer.sign(issuer.claims(["staff"], aud="another-platform")),
        "wrong issuer": issuer.sign(issuer.claims(["staff"], iss="https://evil.example")),
        "no exp": issuer.sign({k: v for k, v in issuer.claims(["staff"]).items() if k != "exp"}),
        "garbage": "not.a.jwt",
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "tampered",
        "alg none",
        "foreign key",
        "foreign key, our kid",
        "wrong audience",
        "wrong issuer",
        "no exp",
        "garbage",
    ],
)
async def test_untrustworthy_tokens_are_401(notes, issuer, foreign_issuer, case):
    client, _ = notes
    token = _cases(issuer, foreign_issuer)[case]
    response = await client.post("/v1/notes", json={"title": "t"}, headers=bearer(token))
    assert response.status_code == 401, (case, response.text)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_a_bad_token_is_refused_even_on_public_reads(notes, issuer):
    client, _ = notes
    assert (await client.get("/v1/notes")).status_code == 200
    response = await client.get("/v1/notes", headers=bearer(tampered(issuer.token("staff"))))
    assert response.status_code == 401


async def test_role_without_the_right_is_403(notes, issuer):
    client, _ = notes
    response = await client.post("/v1/notes", json={"title": "t"}, headers=issuer.headers("vendor"))
    assert response.status_code == 403
    assert "staff" in response.json()["detail"]


@pytest.mark.parametrize(
    "fields",
    [
        {"alg": "RS256\u00e9"},
        {"alg": "\u2603"},
        {"alg": ["RS256"]},
        {"alg": {"RS256": 1}},
        {"alg": 256},
        {"alg": None},
        {"kid": ["a"]},
        {"kid": "\u2603"},
        {"crit": ["exp"]},
    ],
)
async def test_a_token_with_a_strange_header_is_401_on_every_route(notes, issuer, fields):
    client, _ = notes
    token = with_header(issuer.token("staff"), **fields)
    for method, path in (("GET", "/v1/notes"), ("POST", "/v1/notes")):
        response = await client.request(method, path, json={"title": "t"}, headers=bearer(token))
        assert response.status_code == 401, (fields, method, response.text)
        assert response.headers["www-authenticate"].isascii()
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
