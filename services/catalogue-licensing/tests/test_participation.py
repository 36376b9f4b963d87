"""Participation over HTTP: a county declares its libraries; foreign counties and ISILs are refused whole."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from catalogue_factories import (
    agreement_payload,
    committed,
    events_of,
    row_count,
    seed_agreement_world,
)
from catalogue_licensing.agreements.models import CostShare, Participation, participation_libraries
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.db import outbox


async def _snapshot(app: Any) -> tuple[int, ...]:
    """Row counts of everything a participation change writes."""
    return tuple(
        [
            await row_count(app, what)
            for what in (Participation, participation_libraries, CostShare, AuditEntry, outbox)
        ]
    )


@pytest.fixture
async def agreement(catalogue, issuer) -> dict[str, Any]:
    client, app = catalogue
    async with committed(app) as session:
        world = await seed_agreement_world(session)
    created = await client.post(
        "/v1/agreements",
        json=agreement_payload(world["audiobooks"].id),
        headers=issuer.headers("programme_admin"),
    )
    assert created.status_code == 201
    return {"url": f"/v1/agreements/{created.json()['id']}", **created.json()}


async def test_a_county_admin_declares_its_own_county_and_may_replace_it_with_if_match(
    catalogue, issuer, agreement
):
    client, app = catalogue
    oslo = issuer.headers("county_admin", county="03")
    url = f"{agreement['url']}/participations/03"
    joined = await client.put(url, json={"libraries": ["NO-2030000"]}, headers=oslo)
    assert joined.status_code == 201, joined.text
    assert joined.headers["ETag"] == '"1"'
    assert joined.headers["Location"] == url
    assert joined.json()["libraries"] == ["NO-2030000"]
    assert joined.json()["county_number"] == "03"

    both = {"libraries": ["NO-2030001", "NO-2030000", "NO-2030001"]}
    assert (await client.put(url, json=both, headers=oslo)).status_code == 428
    stale = await client.put(url, json=both, headers=oslo | {"If-Match": '"7"'})
    assert stale.status_code == 412
    again = await client.put(url, json=both, headers=oslo | {"If-None-Match": "*"})
    assert again.status_code == 412
    replaced = await client.put(url, json=both, headers=oslo | {"If-Match": '"1"'})
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["ETag"] == '"2"'
    assert replaced.json()["libraries"] == ["NO-2030000", "NO-2030001"]

    listed = await client.get(f"{agreement['url']}/participations", headers=oslo)
    assert [(p["county_number"], p["libraries"]) for p in listed.json()["items"]] == [
        ("03", ["NO-2030000", "NO-2030001"])
    ]
    # The Location answers, with the ETag a change sends, to anyone who may read the list.
    for reader in (oslo, issuer.headers("county_admin", county="46"), issuer.headers("partner")):
        located = await client.get(joined.headers["Location"], headers=reader)
        assert located.status_code == 200, located.text
        assert located.headers["ETag"] == '"2"'
        assert located.json() == replaced.json()
    current = await client.get(url, headers=oslo | {"If-None-Match": '"2"'})
    assert (current.status_code, current.headers["ETag"]) == (304, '"2"')
    absent = await client.get(f"{agreement['url']}/participations/46", headers=oslo)
    assert absent.status_code == 404
    read = await client.get(agreement["url"], headers=oslo)
    assert read.json()["participating_counties"] == ["03"]

    changes = await events_of(app, "participation.changed")
    assert [
        (e["change"], e["library_count"], e["participating_county_count"]) for e in changes
    ] == [
        ("joined", 1, 1),
        ("updated", 2, 1),
    ]
    assert len(await events_of(app, "cost_shares.recomputed")) == 2
    async with committed(app) as session:
        trail = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.resource_type == "participation")
                .order_by(AuditEntry.seq)
            )
        ).all()
    assert [e.resource_id for e in trail] == [f"{agreement['id']}/03"] * 2
    assert trail[1].changes == {
        "libraries": {"old": ["NO-2030000"], "new": ["NO-2030000", "NO-2030001"]}
    }


async def test_if_match_on_a_participation_that_does_not_exist_is_412(catalogue, issuer, agreement):
    client, app = catalogue
    answer = await client.put(
        f"{agreement['url']}/participations/03",
        json={"libraries": ["NO-2030000"]},
        headers=issuer.headers("programme_admin") | {"If-Match": '"1"'},
    )
    assert answer.status_code == 412
    assert await row_count(app, Participation) == 0


async def test_another_countys_participation_is_refused_and_nothing_is_written(
    catalogue, issuer, agreement
):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    url = f"{agreement['url']}/participations/46"
    await client.put(url, json={"libraries": ["NO-2120100"]}, headers=admin)
    before = await _snapshot(app)
    oslo = issuer.headers("county_admin", county="03")
    for answer in (
        await client.put(url, json={"libraries": ["NO-2120100"]}, headers=oslo),
        await client.put(
            url, json={"libraries": ["NO-2120100"]}, headers=oslo | {"If-Match": '"1"'}
        ),
        await client.delete(url, headers=oslo | {"If-Match": '"1"'}),
        await client.put(
            f"{agreement['url']}/participations/18",
            json={"libraries": ["NO-2180400"]},
            headers=oslo,
        ),
    ):
        assert answer.status_code == 403, answer.text
        assert answer.json()["type"].endswith("foreign-county")
    assert await _snapshot(app) == before
    no_county = issuer.headers("county_admin")
    refused = await client.put(url, json={"libraries": ["NO-2120100"]}, headers=no_county)
    assert refused.status_code == 403


async def test_one_foreign_or_unknown_isil_refuses_the_whole_request(catalogue, issuer, agreement):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    url = f"{agreement['url']}/participations/03"
    before = await _snapshot(app)
    answer = await client.put(
        url,
        json={"libraries": ["NO-2030000", "NO-2120100", "NO-2039999", "NO-2030001"]},
        headers=admin,
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"].endswith("validation-error")
    assert [(e["location"], e["type"]) for e in problem["errors"]] == [
        ("body.libraries.1", "foreign_isil"),
        ("body.libraries.2", "unknown_isil"),
    ]
    assert "NO-2120100" in problem["detail"]
    assert "NO-2039999" in problem["detail"]
    assert await _snapshot(app) == before


@pytest.mark.parametrize(
    "body",
    [{"libraries": []}, {"libraries": ["not an isil"]}, {"libraries": ["NO-2030000"], "x": 1}],
)
async def test_malformed_participations_are_422(catalogue, issuer, agreement, body):
    client, _app = catalogue
    answer = await client.put(
        f"{agreement['url']}/participations/03",
        json=body,
        headers=issuer.headers("programme_admin"),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["location"].startswith("body.")


async def test_unknown_counties_and_agreements_are_404(catalogue, issuer, agreement):
    client, _app = catalogue
    admin = issuer.headers("programme_admin")
    unknown_county = await client.put(
        f"{agreement['url']}/participations/99", json={"libraries": ["NO-2030000"]}, headers=admin
    )
    assert unknown_county.status_code == 404
    unknown_agreement = await client.get(
        "/v1/agreements/0192f7a0-0000-7000-8000-000000000000/participations", headers=admin
    )
    assert unknown_agreement.status_code == 404
    bad_number = await client.put(
        f"{agreement['url']}/participations/x1", json={"libraries": ["NO-2030000"]}, headers=admin
    )
    assert bad_number.status_code == 422


async def test_withdrawing_needs_if_match_and_recomputes_the_others_shares(
    catalogue, issuer, agreement
):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    await client.put(
        f"{agreement['url']}/participations/03", json={"libraries": ["NO-2030000"]}, headers=admin
    )
    await client.put(
        f"{agreement['url']}/participations/46", json={"libraries": ["NO-2120100"]}, headers=admin
    )
    url = f"{agreement['url']}/participations/03"
    oslo = issuer.headers("county_admin", county="03")
    assert (await client.delete(url, headers=oslo)).status_code == 428
    assert (await client.delete(url, headers=oslo | {"If-Match": '"2"'})).status_code == 412
    withdrawn = await client.delete(url, headers=oslo | {"If-Match": '"1"'})
    assert withdrawn.status_code == 204
    assert (await client.delete(url, headers=oslo | {"If-Match": '"1"'})).status_code == 404
    shares = await client.get(f"{agreement['url']}/cost-shares", headers=admin)
    assert [(s["county_number"], s["amount_minor"]) for s in shares.json()["items"]] == [
        ("46", 1_000_000)
    ]
    last = (await events_of(app, "participation.changed"))[-1]
    assert (last["change"], last["county_number"], last["library_count"]) == ("withdrawn", "03", 0)
    assert last["participating_county_count"] == 1
    assert await row_count(app, participation_libraries) == 1


async def test_fixed_weights_must_cover_a_county_that_joins_and_stay_covering(
    catalogue, issuer, agreement
):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    made = await client.patch(
        agreement["url"],
        json={"split_key": "fixed_weights", "weights": {"03": 3}},
        headers=admin | {"If-Match": '"1"'},
    )
    assert made.status_code == 200, made.text
    joined = await client.put(
        f"{agreement['url']}/participations/03", json={"libraries": ["NO-2030000"]}, headers=admin
    )
    assert joined.status_code == 201
    before = await _snapshot(app)
    uncovered = await client.put(
        f"{agreement['url']}/participations/46", json={"libraries": ["NO-2120100"]}, headers=admin
    )
    assert uncovered.status_code == 409
    assert "46" in uncovered.json()["detail"]
    assert await _snapshot(app) == before
    dropping = await client.patch(
        agreement["url"], json={"weights": {"46": 1}}, headers=admin | {"If-Match": '"2"'}
    )
    assert dropping.status_code == 422
    error = dropping.json()["errors"][0]
    assert error["location"] == "body.weights"
    assert "03" in error["message"]
    assert await _snapshot(app) == before


async def test_per_inhabitant_without_any_population_names_the_county(catalogue, issuer, agreement):
    client, app = catalogue
    admin = issuer.headers("programme_admin")
    assert (
        await client.patch(
            agreement["url"],
            json={"split_key": "per_inhabitant"},
            headers=admin | {"If-Match": '"1"'},
        )
    ).status_code == 200
    before = await _snapshot(app)
    answer = await client.put(
        f"{agreement['url']}/participations/18", json={"libraries": ["NO-2180400"]}, headers=admin
    )
    assert answer.status_code == 409
    assert answer.json()["counties"] == ["18"]
    assert "18" in answer.json()["detail"]
    assert await _snapshot(app) == before


async def test_an_etag_never_repeats_across_withdrawing_and_joining_again(
    catalogue, issuer, agreement
):
    """Issue 15, point 8: a stale "1" from a withdrawn participation must not match the one that
    joined again (its row is new, its version would start at 1 again)."""
    client, _app = catalogue
    url = f"{agreement['url']}/participations/03"
    oslo = issuer.headers("county_admin", county="03")
    seen = []
    joined = await client.put(url, json={"libraries": ["NO-2030000"]}, headers=oslo)
    seen.append(joined.headers["ETag"])
    changed = await client.put(
        url, json={"libraries": ["NO-2030000", "NO-2030001"]}, headers=oslo | {"If-Match": seen[-1]}
    )
    assert changed.status_code == 200, changed.text
    seen.append(changed.headers["ETag"])
    withdrawn = await client.delete(url, headers=oslo | {"If-Match": seen[-1]})
    assert withdrawn.status_code == 204
    again = await client.put(url, json={"libraries": ["NO-2030000"]}, headers=oslo)
    assert again.status_code == 201, again.text
    assert again.headers["ETag"] not in seen
    read = await client.get(url, headers=oslo)
    assert read.headers["ETag"] == again.headers["ETag"]
    for stale in seen:
        refused = await client.put(
            url, json={"libraries": ["NO-2030001"]}, headers=oslo | {"If-Match": stale}
        )
        assert refused.status_code == 412, stale
    current = await client.put(
        url, json={"libraries": ["NO-2030001"]}, headers=oslo | {"If-Match": again.headers["ETag"]}
    )
    assert current.status_code == 200, current.text
    assert current.headers["ETag"] not in [*seen, again.headers["ETag"]]


async def test_participations_are_listed_in_pages_whose_versions_are_the_etags(
    catalogue, issuer, agreement
):
    """Issue 15, point 13: the list pages like every other (`limit`, `cursor`, `next_cursor`),
    and an item's `version` is the ETag a county administrator sends: no guessing."""
    client, _ = catalogue
    admin = issuer.headers("programme_admin")
    for county, isil in (("03", "NO-2030000"), ("18", "NO-2180400"), ("46", "NO-2120100")):
        url = f"{agreement['url']}/participations/{county}"
        joined = await client.put(url, json={"libraries": [isil]}, headers=admin)
        assert joined.status_code == 201, joined.text

    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = await client.get(f"{agreement['url']}/participations", params=params, headers=admin)
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
        assert 'rel="next"' in page.headers["Link"]
        params = {"limit": 2, "cursor": cursor}
    assert [p["county_number"] for p in seen] == ["03", "18", "46"]
    bad = await client.get(
        f"{agreement['url']}/participations", params={"cursor": "x"}, headers=admin
    )
    assert bad.status_code == 400

    bodo = next(p for p in seen if p["county_number"] == "18")
    nordland = issuer.headers("county_admin", county="18")
    withdrawn = await client.delete(
        f"{agreement['url']}/participations/18",
        headers=nordland | {"If-Match": f'"{bodo["version"]}"'},
    )
    assert withdrawn.status_code == 204, withdrawn.text
