"""Flanders (NIS codes) and the Netherlands (CBS codes) in the directory: the shipped files read
whole, loaded idempotently, read by country over HTTP; a malformed code or an unknown country is
a 422 naming the parameter; population events carry the level and the country."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from catalogue_factories import committed, events_of, in_row, rewrite_csv
from catalogue_licensing.__main__ import run_load_reference_abroad
from catalogue_licensing.app import SPEC
from catalogue_licensing.demo import DEMO_LIBRARIES_ABROAD
from catalogue_licensing.directory.reference_abroad import (
    AbroadFiles,
    load_abroad,
    read_abroad,
    read_libraries,
)
from catalogue_licensing.directory.reference_load import REFERENCE_DIR, ReferenceDataError
from catalogue_licensing.settings import CatalogueSettings
from chassis.migrations import upgrade


def test_the_shipped_files_read_whole():
    data = read_abroad(AbroadFiles())
    flanders, netherlands = data["BE"], data["NL"]
    assert (len(flanders.counties), len(flanders.municipalities)) == (5, 285)
    assert (len(netherlands.counties), len(netherlands.municipalities)) == (12, 12)
    provinces = {c.number: c.name for c in flanders.counties}
    assert provinces["40000"] == {"nl": "Oost-Vlaanderen", "fr": "Flandre orientale"}
    hasselt = next(m for m in flanders.municipalities if m.number == "71072")
    # Kortessem (73040, formerly in Limburg's other arrondissement) merged into Hasselt in 2025.
    assert (hasselt.county, hasselt.merged_from) == ("70000", ("71022", "73040"))
    assert sum(1 for m in flanders.municipalities if m.merged_from) == 13
    assert {m.county for m in netherlands.municipalities} == {"PV22"}
    # The reference data has no populations for either: none are invented.
    for data_of in (flanders, netherlands):
        assert all(not c.populations for c in data_of.counties)
        assert all(not m.populations for m in data_of.municipalities)
    demo = read_libraries(DEMO_LIBRARIES_ABROAD, data)
    assert [x.isil for x in demo["NL"].libraries] == [
        "NL-DEMO-ASSEN",
        "NL-DEMO-EMMEN",
        "NL-DEMO-MEPPL",
    ]


def _copy(tmp_path: Path) -> AbroadFiles:
    files = AbroadFiles(
        flanders=tmp_path / "be-flanders.csv", netherlands=tmp_path / "nl-provinces.csv"
    )
    files.flanders.write_bytes((REFERENCE_DIR / "be-flanders.csv").read_bytes())
    files.netherlands.write_bytes((REFERENCE_DIR / "nl-provinces.csv").read_bytes())
    return files


@pytest.mark.parametrize(
    ("file", "change", "reason"),
    [
        ("flanders", in_row("nis_code", "44021", nis_code="4402"), "five digits"),
        ("flanders", in_row("nis_code", "44021", parent_nis_code="50000"), "unknown province"),
        ("flanders", in_row("nis_code", "10000", parent_nis_code="03000"), "not 02000"),
        ("flanders", in_row("nis_code", "71072", merged_from_2025="71022;7304"), "merged_from"),
        ("flanders", in_row("nis_code", "44021", population_2025="many"), "not a whole number"),
        ("netherlands", in_row("cbs_code", "GM0106", cbs_code="GM106"), "GM and four digits"),
        ("netherlands", in_row("cbs_code", "PV22", cbs_code="22"), "PV and two digits"),
        ("netherlands", in_row("cbs_code", "GM0106", level="gemeente"), "not province"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_read(tmp_path, file, change, reason):
    files = _copy(tmp_path)
    rewrite_csv(getattr(files, file), change)
    with pytest.raises(ReferenceDataError) as caught:
        read_abroad(files)
    assert any(reason in p for p in caught.value.problems), caught.value.problems


def test_a_bad_demo_library_is_named(tmp_path):
    path = tmp_path / "libraries.csv"
    path.write_bytes(DEMO_LIBRARIES_ABROAD.read_bytes())
    rewrite_csv(path, in_row("isil", "NL-DEMO-ASSEN", isil="BE-DEMO-ASSEN"))
    with pytest.raises(ReferenceDataError) as caught:
        read_libraries(path, read_abroad(AbroadFiles()))
    assert any("not a library in NL" in p for p in caught.value.problems)
    rewrite_csv(path, in_row("isil", "BE-DEMO-ASSEN", isil="NL-DEMO-ASSEN", country="DE"))
    with pytest.raises(ReferenceDataError) as caught:
        read_libraries(path, read_abroad(AbroadFiles()))
    assert any("country 'DE'" in p for p in caught.value.problems)


async def _load(app: Any) -> None:
    data = read_libraries(DEMO_LIBRARIES_ABROAD, read_abroad(AbroadFiles()))
    async with committed(app) as session:
        report = await load_abroad(session, data)
    assert report.inserted == {
        "countries": 2,
        "counties": 17,
        "municipalities": 297,
        "libraries": 7,
    }


async def test_loading_twice_changes_nothing(catalogue):
    _, app = catalogue
    await _load(app)
    async with committed(app) as session:
        again = await load_abroad(session, read_abroad(AbroadFiles()))
    assert not again.changed
    created = await events_of(app, "library.created")
    assert {
        "isil": "BE-DEMO-HASS",
        "kind": "public",
        "municipality": "71072",
        "county": "70000",
    } in created


async def test_reads_by_country_with_nis_and_cbs_codes(catalogue):
    client, app = catalogue
    await _load(app)
    countries = await client.get("/v1/countries")
    assert countries.status_code == 200
    assert [c["code"] for c in countries.json()] == ["BE", "NL"]
    belgium = await client.get("/v1/countries/BE")
    assert belgium.json()["name"]["nl"] == "België"
    assert (await client.get("/v1/countries/SE")).status_code == 404

    provinces = await client.get("/v1/counties", params={"country": "BE"})
    assert [c["number"] for c in provinces.json()["items"]] == [
        "10000",
        "20001",
        "30000",
        "40000",
        "70000",
    ]
    drenthe = await client.get("/v1/counties/PV22", params={"country": "NL"})
    assert drenthe.status_code == 200
    assert drenthe.json()["name"] == {"nl": "Drenthe"}
    hasselt = await client.get("/v1/municipalities/71072", params={"country": "BE"})
    assert hasselt.status_code == 200
    assert hasselt.json()["county"] == "70000"
    assert hasselt.json()["merged_from"] == ["71022", "73040"]
    assert hasselt.json()["populations"] == []
    in_drenthe = await client.get(
        "/v1/municipalities", params={"country": "NL", "county": "PV22", "limit": 100}
    )
    assert len(in_drenthe.json()["items"]) == 12
    assert in_drenthe.json()["items"][0]["merged_from"] is None
    dutch = await client.get("/v1/libraries", params={"country": "NL"})
    assert [x["county"] for x in dutch.json()["items"]] == ["PV22", "PV22", "PV22"]
    gent = await client.get("/v1/libraries/BE-DEMO-GENT")
    assert (gent.json()["country"], gent.json()["county"]) == ("BE", "40000")


@pytest.mark.parametrize(
    ("path", "params", "status", "location"),
    [
        # A country the directory does not hold: nothing there (404), the parameter named.
        ("/v1/counties", {"country": "XX"}, 404, "query.country"),
        ("/v1/municipalities", {"country": "DE"}, 404, "query.country"),
        ("/v1/libraries", {"country": "SE"}, 404, "query.country"),
        ("/v1/counties/40000", {"country": "FR"}, 404, "query.country"),
        # A code in no country's form: the contract's pattern refuses it (422).
        ("/v1/municipalities/GM106", {"country": "NL"}, 422, "path.number"),
        ("/v1/counties/4000", {"country": "BE"}, 422, "path.number"),
        ("/v1/libraries", {"county": "P22"}, 422, "query.county"),
        # A code of another country's form: no such area in this one (404), the form said.
        ("/v1/municipalities/4402", {"country": "BE"}, 404, "path.number"),
        ("/v1/municipalities/0106", {"country": "NL"}, 404, "path.number"),
        ("/v1/counties/22", {"country": "NL"}, 404, "path.number"),
        ("/v1/counties/40000", {}, 404, "path.number"),
        ("/v1/municipalities", {"country": "NL", "county": "22"}, 404, "query.county"),
        ("/v1/libraries", {"country": "BE", "municipality": "GM0106"}, 404, "query.municipality"),
    ],
)
async def test_an_unknown_country_or_a_malformed_code_is_named(
    catalogue, path, params, status, location
):
    client, app = catalogue
    await _load(app)
    answer = await client.get(path, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["location"] for e in answer.json()["errors"]] == [location]
    if status == 404 and location != "query.country":
        assert "expected" in answer.json()["detail"]


async def test_a_flemish_library_is_registered_and_checked(catalogue, issuer):
    client, app = catalogue
    await _load(app)
    admin = issuer.headers("programme_admin")

    def body(**overrides: Any) -> dict[str, Any]:
        return {
            "isil": "BE-DEMO-GENT2",
            "name": "Demo filiaal Gent",
            "kind": "public",
            "country": "BE",
            "municipality": "44021",
        } | overrides

    for bad, location in [
        (body(country="SE", isil="SE-DEMO1"), "body.country"),
        (body(municipality="GM0106"), "body.municipality"),
        (body(isil="NL-DEMO-GENT"), "body.isil"),
        (body(municipality="44999"), "body.municipality"),
    ]:
        refused = await client.post("/v1/libraries", json=bad, headers=admin)
        assert refused.status_code == 422, refused.text
        assert location in [e["location"] for e in refused.json()["errors"]]
    created = await client.post("/v1/libraries", json=body(), headers=admin)
    assert created.status_code == 201, created.text
    assert (created.json()["municipality"], created.json()["county"]) == ("44021", "40000")
    # A province's administrator (its NIS code in the token) manages that province's only.
    moved = await client.patch(
        "/v1/libraries/BE-DEMO-GENT2",
        json={"municipality": "11002"},
        headers=issuer.headers("county_admin", county="40000") | {"If-Match": '"1"'},
    )
    assert moved.status_code == 403, moved.text


async def test_population_events_carry_level_and_country(catalogue, issuer):
    client, app = catalogue
    await _load(app)
    admin = issuer.headers("programme_admin")
    drenthe = await client.get("/v1/counties/PV22", params={"country": "NL"})
    put = await client.put(
        "/v1/counties/PV22/populations/2025",
        params={"country": "NL"},
        json={"population": 500_000},
        headers=admin | {"If-Match": drenthe.headers["ETag"]},
    )
    assert put.status_code == 200, put.text
    assen = await client.get("/v1/municipalities/GM0106", params={"country": "NL"})
    put = await client.put(
        "/v1/municipalities/GM0106/populations/2025",
        params={"country": "NL"},
        json={"population": 70_000},
        headers=admin | {"If-Match": assen.headers["ETag"]},
    )
    assert put.status_code == 200, put.text
    assert await events_of(app, "county.population_set") == [
        {"level": "county", "country": "NL", "number": "PV22", "year": 2025, "population": 500_000}
    ]
    assert await events_of(app, "municipality.population_set") == [
        {
            "level": "municipality",
            "country": "NL",
            "number": "GM0106",
            "year": 2025,
            "population": 70_000,
        }
    ]


def test_the_command_loads_and_refuses_bad_files_whole(tmp_path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'catalogue.db'}"
    upgrade(SPEC.alembic_ini, url)
    settings = CatalogueSettings(database_url=url)
    files = _copy(tmp_path)
    rewrite_csv(files.netherlands, in_row("cbs_code", "GM0106", cbs_code="GM106"))

    def args(netherlands: Path) -> argparse.Namespace:
        return argparse.Namespace(flanders=files.flanders, netherlands=netherlands, libraries=None)

    assert run_load_reference_abroad(settings, args(files.netherlands)) == 1
    assert "nothing loaded" in capsys.readouterr().err
    shipped = REFERENCE_DIR / "nl-provinces.csv"
    assert run_load_reference_abroad(settings, args(shipped)) == 0
    assert "inserted 17 counties, 2 countries, 297 municipalities" in capsys.readouterr().out
    assert run_load_reference_abroad(settings, args(shipped)) == 0
    assert capsys.readouterr().out.strip() == "inserted nothing; updated nothing"
