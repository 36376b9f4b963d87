"""Peers and rankings: the median of the libraries (or municipalities) of the same size class and
country, each figure by the indicator's own rule (a ratio per library as the ratio of its sums),
none under 3 peers; rankings 1, 2, 2, 4 with those without a figure after, unranked; filters,
pages, scope and bad questions as 4xx problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from kpi_factories import ANALYST, committed, indicator_body

from kpi.organisations.models import Population
from kpi.organisations.schemas import OrganisationIn
from kpi.organisations.service import create_organisation
from kpi.peers.classes import size_class


@dataclass
class World:
    client: Any
    analyst: dict[str, str]


# Municipality number → (county, population in 2025, its libraries' ISILs).
MUNICIPALITIES = {
    "1801": ("18", 3_000, ["NO-1801000", "NO-1801001"]),
    "1802": ("18", 4_000, ["NO-1802000"]),
    "1803": ("18", 4_500, ["NO-1803000"]),
    "1804": ("18", 4_900, ["NO-1804000"]),
    "1805": ("18", 12_000, ["NO-1805000"]),
    "0301": ("03", 4_000, ["NO-0301000"]),
    "0302": ("03", 700_000, ["NO-0302000"]),
    "1806": ("18", None, ["NO-1806000"]),
}
# Loans in 2025-01 (a library not named has none).
LOANS = {
    "NO-1801000": 100,
    "NO-1801001": 10,
    "NO-1802000": 20,
    "NO-1803000": 30,
    "NO-1804000": 30,
    "NO-1805000": 1000,
    "BE-1100200": 5000,
}


@pytest.fixture
async def world(kpi, issuer) -> World:
    client, app = kpi
    async with committed(app) as session:

        async def add(level: str, code: str, parent: Any) -> Any:
            body = OrganisationIn(level=level, code=code, name=f"Name {code}", parent_id=parent)
            made = await create_organisation(session, principal=ANALYST, body=body, request_id=None)
            return made.id

        norway = await add("country", "NO", None)
        counties = {c: await add("county", c, norway) for c in ("18", "03")}
        for number, (county, people, isils) in MUNICIPALITIES.items():
            municipality = await add("municipality", number, counties[county])
            if people is not None:
                session.add(Population(organisation_id=municipality, year=2025, population=people))
            for isil in isils:
                await add("library", isil, municipality)
        belgium = await add("country", "BE", None)
        flanders = await add("county", "10000", belgium)
        brussels = await add("municipality", "11002", flanders)
        session.add(Population(organisation_id=brussels, year=2025, population=3_500))
        await add("library", "BE-1100200", brussels)
    analyst = issuer.headers("analyst")
    for isil, loans in LOANS.items():
        answer = await client.post(
            "/v1/observations",
            json={"indicator": "loans", "organisation": isil, "period": "2025-01", "value": loans},
            headers=analyst,
        )
        assert answer.status_code == 201, answer.text
    return World(client, analyst)


async def _peers(world: World, organisation: str, period: str = "2025", **kw: Any) -> Any:
    params = {"indicator": kw.pop("indicator", "loans"), "organisation": organisation}
    return await world.client.get(
        "/v1/comparisons/peers",
        params=params | {"period": period},
        headers=kw.pop("headers", world.analyst),
    )


async def test_the_median_of_the_libraries_of_the_same_size_class(world):
    answer = await _peers(world, "NO-1801000")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # Peers under 5,000 in Norway, itself excluded: 10, 20, 30, 30 (0301's library has no
    # figure; 1805's is in 5k-20k; the Belgian library is in another country).
    assert (body["value"], body["peer_median"], body["peer_count"]) == (100, 25, 4)
    assert body["size_class"] == {
        "code": "lt5k",
        "label": "under 5,000",
        "min_population": 0,
        "max_population": 5_000,
    }
    assert (body["population"], body["population_year"], body["note"]) == (3_000, 2025, None)


async def test_fewer_than_three_peers_give_no_median(world):
    body = (await _peers(world, "NO-1805000")).json()
    assert (body["size_class"]["code"], body["peer_median"], body["peer_count"]) == (
        "5k-20k",
        None,
        0,
    )
    assert "fewer than 3 peers" in body["note"]
    unknown = (await _peers(world, "NO-1806000")).json()
    assert (unknown["size_class"], unknown["peer_median"], unknown["peer_count"]) == (None, None, 0)
    assert "no population for 2025" in unknown["note"]


async def test_a_municipality_is_compared_with_municipalities(world):
    body = (await _peers(world, "1801")).json()
    # 1801's two libraries add up to 110; peers 1802, 1803, 1804 (0301 has no figure).
    assert (body["level"], body["value"], body["peer_median"], body["peer_count"]) == (
        "municipality",
        110,
        30,
        3,
    )


async def test_a_ratio_is_each_peers_ratio_of_sums_then_the_median(world):
    created = await world.client.post(
        "/v1/indicators",
        json=indicator_body(
            code="loans_per_visit",
            value_type="ratio",
            rollup="ratio",
            numerator="loans",
            denominator="visits",
            periodicity="month",
            unit="loans per visit",
        ),
        headers=world.analyst,
    )
    assert created.status_code == 201, created.text
    # Visits in January and February, loans in February (January's loans are set above).
    figures = {
        "NO-1801001": ((10, 10), 90, 30),  # (10+90)/(10+30) = 2.5; the mean of ratios is 2
        "NO-1802000": ((20, 10), 20, 10),  # 40/20 = 2
        "NO-1803000": ((30, 10), 60, 10),  # 90/20 = 4.5
        "NO-1804000": ((30, 30), 0, 30),  # 30/60 = 0.5
    }
    for isil, ((_, visits_jan), loans_feb, visits_feb) in figures.items():
        for indicator, period, value in [
            ("visits", "2025-01", visits_jan),
            ("visits", "2025-02", visits_feb),
            ("loans", "2025-02", loans_feb),
        ]:
            answer = await world.client.post(
                "/v1/observations",
                json={
                    "indicator": indicator,
                    "organisation": isil,
                    "period": period,
                    "value": value,
                },
                headers=world.analyst,
            )
            assert answer.status_code == 201, answer.text
    body = (await _peers(world, "NO-1801000", "2025-Q1", indicator="loans_per_visit")).json()
    # 1801000 has loans but no visits: no figure of its own, and 4 peers with one.
    assert (body["value"], body["peer_count"]) == (None, 4)
    assert body["note"] == "the numerator or the denominator has no figure in this period"
    assert body["peer_median"] == pytest.approx((2 + 2.5) / 2)


async def test_bad_peer_questions_are_422_naming_the_parameter(world):
    for params, field in [
        ({"indicator": "nope", "organisation": "NO-1801000", "period": "2025"}, "indicator"),
        ({"indicator": "loans", "organisation": "NO-9999999", "period": "2025"}, "organisation"),
        ({"indicator": "loans", "organisation": "county:18", "period": "2025"}, "organisation"),
        ({"indicator": "loans", "organisation": "NO", "period": "2025"}, "organisation"),
        ({"indicator": "loans", "organisation": "NO-1801000", "period": "2025-13"}, "period"),
        ({"indicator": "cost", "organisation": "NO-1801000", "period": "2025-01"}, "period"),
    ]:
        answer = await world.client.get(
            "/v1/comparisons/peers", params=params, headers=world.analyst
        )
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"][0]["location"] == f"query.{field}", params


async def test_peers_of_an_organisation_outside_the_scope_are_403(world, issuer):
    mine = issuer.headers("staff", isil="NO-1801000")
    assert (await _peers(world, "NO-1801000", headers=mine)).status_code == 200
    assert (await _peers(world, "NO-1802000", headers=mine)).status_code == 403
    county = issuer.headers("county_admin", county="18")
    assert (await _peers(world, "1802", headers=county)).status_code == 200
    assert (await _peers(world, "NO-0301000", headers=county)).status_code == 403


async def _ranking(world: World, headers: dict[str, str] | None = None, /, **params: Any) -> Any:
    query = {"indicator": "loans", "period": "2025", "level": "library"} | params
    return await world.client.get("/v1/rankings", params=query, headers=headers or world.analyst)


def _rows(answer: Any) -> list[tuple[Any, str, Any]]:
    assert answer.status_code == 200, answer.text
    return [(i["rank"], i["organisation"], i["value"]) for i in answer.json()["items"]]


async def test_a_ranking_shares_ranks_and_lists_those_without_a_figure_after(world):
    rows = _rows(await _ranking(world, within="country:NO"))
    assert rows == [
        (1, "NO-1805000", 1000),
        (2, "NO-1801000", 100),
        (3, "NO-1803000", 30),
        (3, "NO-1804000", 30),
        (5, "NO-1802000", 20),
        (6, "NO-1801001", 10),
        (None, "NO-0301000", None),
        (None, "NO-0302000", None),
        (None, "NO-1806000", None),
    ]
    everywhere = _rows(await _ranking(world))
    assert everywhere[0] == (1, "BE-1100200", 5000)
    lowest = _rows(await _ranking(world, within="country:NO", order="asc"))
    assert [r[0] for r in lowest[:6]] == [1, 2, 3, 3, 5, 6]
    assert lowest[0] == (1, "NO-1801001", 10)


async def test_a_ranking_by_county_within_a_parent_and_a_size_class(world):
    counties = _rows(await _ranking(world, level="county", within="NO"))
    assert counties == [(1, "18", 1190), (None, "03", None)]
    in_county = _rows(await _ranking(world, within="county:18", size_class="lt5k"))
    assert [r[1] for r in in_county] == [
        "NO-1801000",
        "NO-1803000",
        "NO-1804000",
        "NO-1802000",
        "NO-1801001",
    ]
    municipalities = _rows(await _ranking(world, level="municipality", size_class="5k-20k"))
    assert municipalities == [(1, "1805", 1000)]


async def test_a_ranking_comes_in_pages(world):
    first = await _ranking(world, within="country:NO", limit=4)
    assert [r[1] for r in _rows(first)] == [
        "NO-1805000",
        "NO-1801000",
        "NO-1803000",
        "NO-1804000",
    ]
    cursor = first.json()["next_cursor"]
    assert cursor
    assert 'rel="next"' in first.headers["Link"]
    second = await _ranking(world, within="country:NO", limit=4, cursor=cursor)
    assert _rows(second)[0] == (5, "NO-1802000", 20)
    third = await _ranking(world, within="country:NO", limit=4, cursor=second.json()["next_cursor"])
    assert [r[1] for r in _rows(third)] == ["NO-1806000"]
    assert third.json()["next_cursor"] is None
    assert (await _ranking(world, cursor="not-a-cursor")).status_code == 400


async def test_bad_rankings_are_422_naming_the_parameter(world):
    for params, field in [
        ({"level": "country"}, "level"),
        ({"level": "county", "size_class": "lt5k"}, "size_class"),
        ({"size_class": "huge"}, "size_class"),
        ({"within": "NO-1801000"}, "within"),
        ({"level": "county", "within": "county:18"}, "within"),
        ({"within": "county:99"}, "within"),
        ({"indicator": "nope"}, "indicator"),
        ({"indicator": "cost", "period": "2025-Q1"}, "period"),
        ({"period": "2025-W60"}, "period"),
    ]:
        answer = await _ranking(world, **params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["errors"][0]["location"] == f"query.{field}", params


async def test_a_county_admin_ranks_inside_the_county_only(world, issuer):
    county = issuer.headers("county_admin", county="18")
    assert len(_rows(await _ranking(world, county, within="county:18"))) == 7
    assert len(_rows(await _ranking(world, county, within="1801"))) == 2
    outside: list[dict[str, Any]] = [{}, {"within": "county:03"}, {"within": "NO"}]
    for params in outside:
        answer = await _ranking(world, county, **params)
        assert answer.status_code == 403, params
        assert answer.json()["errors"][0]["location"] == "query.within"
    staff = issuer.headers("staff", isil="NO-1801000")
    assert (await _ranking(world, staff, within="1801")).status_code == 403


def _code(people: float | None) -> str | None:
    found = size_class(people)
    return None if found is None else found.code


def test_size_class_bounds():
    assert [_code(n) for n in (0, 4_999, 5_000, 19_999, 20_000)] == [
        "lt5k",
        "lt5k",
        "5k-20k",
        "5k-20k",
        "20k-50k",
    ]
    assert [_code(n) for n in (49_999, 50_000, 99_999, 100_000, 10**7)] == [
        "20k-50k",
        "50k-100k",
        "50k-100k",
        "ge100k",
        "ge100k",
    ]
    assert _code(None) is None
