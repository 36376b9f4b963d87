"""GET /v1/me answers with the caller's own token, for every role, and never without one."""

import pytest

from chassis.auth import ROLES


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_every_role_reads_itself(notes, issuer, role):
    client, _ = notes
    response = await client.get("/v1/me", headers=issuer.headers(role))
    assert response.status_code == 200
    assert response.json()["roles"] == [role]


async def test_the_scope_comes_back_as_the_token_states_it(notes, issuer):
    client, _ = notes
    headers = issuer.headers("county_admin", "analyst", county="46", client_id="c-1")
    body = (await client.get("/v1/me", headers=headers)).json()
    assert body["roles"] == ["analyst", "county_admin"]
    assert body["county"] == "46"
    assert body["client_id"] == "c-1"
    assert body["vendor_id"] is None
    assert body["isil"] is None


async def test_anonymous_gets_401(notes):
    client, _ = notes
    response = await client.get("/v1/me")
    assert response.status_code == 401
