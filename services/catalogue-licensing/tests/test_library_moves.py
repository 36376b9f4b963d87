"""A library that takes part in an agreement through its county cannot silently move county: the
move is refused (409, naming the agreements) until its county removes it from them."""

from __future__ import annotations

from typing import Any

import pytest

from catalogue_factories import (
    agreement_payload,
    committed,
    create_municipality,
    events_of,
    seed_agreement_world,
)


@pytest.fixture
async def deichman_takes_part(catalogue: Any, issuer: Any) -> dict[str, Any]:
    """Deichman (Oslo, 03) takes part in two agreements; Grünerløkka (Oslo) in none. Oslo has a
    second municipality to move within the county."""
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    async with committed(app) as session:
        world = await seed_agreement_world(session)
        await create_municipality(session, world["oslo"], number="0302", name="Oslo øst")
    agreements = []
    for product in ("audiobooks", "film"):
        created = await client.post(
            "/v1/agreements", json=agreement_payload(world[product].id), headers=admin
        )
        assert created.status_code == 201, created.text
        url = f"/v1/agreements/{created.json()['id']}"
        joined = await client.put(
            f"{url}/participations/03", json={"libraries": ["NO-2030000"]}, headers=admin
        )
        assert joined.status_code == 201, joined.text
        agreements.append(url)
    return {"admin": admin, "agreements": agreements}


async def _move(client: Any, isil: str, municipality: str, headers: dict[str, str]) -> Any:
    current = await client.get(f"/v1/libraries/{isil}")
    return await client.patch(
        f"/v1/libraries/{isil}",
        json={"municipality": municipality},
        headers=headers | {"If-Match": current.headers["ETag"]},
    )


async def test_a_participating_library_is_not_moved_to_another_county(
    catalogue, deichman_takes_part
):
    client, app = catalogue
    admin = deichman_takes_part["admin"]
    before = await client.get("/v1/libraries/NO-2030000")

    refused = await _move(client, "NO-2030000", "4601", admin)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith(":library-takes-part")
    ids = sorted(url.rsplit("/", 1)[1] for url in deichman_takes_part["agreements"])
    assert problem["agreements"] == ids
    assert (problem["county"], problem["to_county"]) == ("03", "46")
    assert all(agreement_id in problem["detail"] for agreement_id in ids)

    # Nothing changed: the library, its version, and what it takes part in.
    after = await client.get("/v1/libraries/NO-2030000")
    assert after.json() == before.json()
    assert await events_of(app, "library.updated") == []
    for url in deichman_takes_part["agreements"]:
        listed = (await client.get(f"{url}/participations", headers=admin)).json()["items"]
        assert [(p["county_number"], p["libraries"]) for p in listed] == [("03", ["NO-2030000"])]


async def test_within_its_county_or_without_participation_a_library_moves(
    catalogue, deichman_takes_part
):
    client, _ = catalogue
    admin = deichman_takes_part["admin"]
    within = await _move(client, "NO-2030000", "0302", admin)
    assert within.status_code == 200, within.text
    assert (within.json()["municipality"], within.json()["county"]) == ("0302", "03")
    elsewhere = await _move(client, "NO-2030001", "4601", admin)
    assert elsewhere.status_code == 200, elsewhere.text
    assert elsewhere.json()["county"] == "46"


async def test_once_its_county_withdraws_it_the_library_moves(catalogue, deichman_takes_part):
    client, app = catalogue
    admin = deichman_takes_part["admin"]
    first, second = deichman_takes_part["agreements"]
    participation = await client.get(f"{first}/participations", headers=admin)
    assert participation.status_code == 200
    # One agreement without it (the county keeps another library there), one withdrawn whole.
    current = await client.get(f"{first}/participations", headers=admin)
    version = current.json()["items"][0]["version"]
    replaced = await client.put(
        f"{first}/participations/03",
        json={"libraries": ["NO-2030001"]},
        headers=admin | {"If-Match": f'"{version}"'},
    )
    assert replaced.status_code == 200, replaced.text
    still = await _move(client, "NO-2030000", "4601", admin)
    assert still.status_code == 409
    assert still.json()["agreements"] == [second.rsplit("/", 1)[1]]

    version = (await client.get(f"{second}/participations", headers=admin)).json()["items"][0][
        "version"
    ]
    withdrawn = await client.delete(
        f"{second}/participations/03", headers=admin | {"If-Match": f'"{version}"'}
    )
    assert withdrawn.status_code == 204, withdrawn.text
    moved = await _move(client, "NO-2030000", "4601", admin)
    assert moved.status_code == 200, moved.text
    assert moved.json()["county"] == "46"
    assert (await events_of(app, "library.updated"))[-1]["county"] == "46"
