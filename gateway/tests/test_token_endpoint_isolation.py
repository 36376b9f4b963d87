"""The token endpoint's limit is per address: wrong secrets tried for a client's id from one
address never lock the real client, calling from another address, out."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.scopes import Scope

from .test_oauth import basic, create_client

GRANT = {"grant_type": "client_credentials"}
ATTACKER = ("198.51.100.66", 40000)
REAL_CLIENT = ("203.0.113.20", 50000)


async def test_wrong_secrets_from_one_address_leave_the_real_client_its_tokens(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, secret = await create_client(gateway_db, "library", Scope(isil="NO-2030000"))
    settings = gateway_settings(
        database_url=gateway_db, rate_limit_auth_burst=3, rate_limit_auth_per_second=0.01
    )
    async with open_gateway(settings, ATTACKER) as (attacker, app):
        tried = [
            (await attacker.post("/auth/token", data=GRANT, headers=basic(client_id, "wrong")))
            for _ in range(4)
        ]
        transport = httpx.ASGITransport(app=app, client=REAL_CLIENT)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as real:
            answer = await real.post("/auth/token", data=GRANT, headers=basic(client_id, secret))
        # The attacker's address stays limited, whatever secret it sends.
        still = await attacker.post("/auth/token", data=GRANT, headers=basic(client_id, secret))
    assert [a.status_code for a in tried] == [401, 401, 401, 429]
    assert tried[-1].headers["retry-after"]
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "Bearer"
    assert still.status_code == 429
