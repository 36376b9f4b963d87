"""Loading the shipped reference files: every row checked first, loaded idempotently, a changed
population updated; the command refuses bad files whole."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from catalogue_factories import committed, copy_reference, in_row, rewrite_csv
from catalogue_licensing.__main__ import run_load_reference
from catalogue_licensing.app import SPEC
from catalogue_licensing.directory.models import County, Library, Municipality
from catalogue_licensing.directory.reference_load import (
    REFERENCE_DIR,
    ReferenceDataError,
    ReferenceFiles,
    load_reference,
    read_reference,
)
from catalogue_licensing.settings import CatalogueSettings
from chassis.migrations import upgrade


def test_the_shipped_files_read_whole_and_consistent():
    data = read_reference(ReferenceFiles())
    assert (len(data.counties), len(data.municipalities), len(data.libraries)) == (15, 357, 44)
    names = {c.number: c.name for c in data.counties}
    assert names["55"] == {"nb": "Troms", "se": "Romsa", "fkv": "Tromssa"}
    assert names["18"] == {"nb": "Nordland", "smj": "Nordlánnda"}
    assert names["03"] == {"nb": "Oslo"}
    populations = {c.number: c.populations for c in data.counties}
    assert sum(p[2024] for p in populations.values()) == 5_550_203
    assert sum(p[2025] for p in populations.values()) == 5_594_340
    # The county totals are the sums of their municipalities.
    for county in data.counties:
        members = [m for m in data.municipalities if m.county == county.number]
        assert sum(m.populations[2025] for m in members) == county.populations[2025]
    assert {m.number for m in data.municipalities if m.name == "Herøy"} == {"1515", "1818"}


@pytest.mark.parametrize(
    ("file", "change", "reason"),
    [
        ("libraries", in_row("isil", "NO-2030000", isil="NO_2030000"), "not an ISIL"),
        ("libraries", in_row("isil", "NO-2030000", isil="NO-20300000000000"), "longer than 16"),
        (
            "libraries",
            in_row("isil", "NO-2030000", municipality_number="0399"),
            "unknown municipality",
        ),
        ("libraries", in_row("isil", "NO-2030000", kind="museum"), "public or school"),
        (
            "municipalities",
            in_row("number", "0301", county_number="11"),
            "must begin with the county",
        ),
        ("municipalities", in_row("number", "0301", county_number="99"), "unknown county"),
        ("municipalities", in_row("number", "0301", population_2025="-5"), "not a whole number"),
        ("counties", in_row("number", "03", name_nn_or_sami_if_any="Ukjent"), "has no language"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_read(tmp_path, file, change, reason):
    files = copy_reference(tmp_path)
    rewrite_csv(getattr(files, file), change)
    with pytest.raises(ReferenceDataError) as caught:
        read_reference(files)
    assert any(reason in p for p in caught.value.problems), caught.value.problems


async def test_loading_twice_changes_nothing_and_a_new_population_updates(catalogue, tmp_path):
    _, app = catalogue
    async with committed(app) as session:
        first = await load_reference(session, read_reference(ReferenceFiles()))
    assert first.inserted == {
        "countries": 1,
        "counties": 15,
        "municipalities": 357,
        "libraries": 44,
    }
    async with committed(app) as session:
        second = await load_reference(session, read_reference(ReferenceFiles()))
    assert not second.changed
    files = copy_reference(tmp_path)
    rewrite_csv(files.counties, in_row("number", "18", population_2025="244000"))
    async with committed(app) as session:
        third = await load_reference(session, read_reference(files))
    assert (third.inserted, third.updated) == ({}, {"counties": 1})
    async with committed(app) as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (County, Municipality, Library)
        ]
    assert counts == [15, 357, 44]
    nordland = await app_county(app, "18")
    assert nordland == {2024: 243_081, 2025: 244_000}


async def app_county(app: Any, number: str) -> dict[int, int]:
    async with committed(app) as session:
        county = await session.scalar(
            select(County).options(selectinload(County.populations)).where(County.number == number)
        )
        assert county is not None
        return {p.year: p.population for p in county.populations}


def test_the_command_loads_and_refuses_bad_files_whole(tmp_path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'catalogue.db'}"
    upgrade(SPEC.alembic_ini, url)
    settings = CatalogueSettings(database_url=url)
    files = copy_reference(tmp_path)
    rewrite_csv(files.libraries, in_row("isil", "NO-2030000", isil="bad isil"))

    def args(libraries: Path) -> argparse.Namespace:
        return argparse.Namespace(
            counties=files.counties,
            county_name_languages=files.county_name_languages,
            municipalities=files.municipalities,
            libraries=libraries,
        )

    assert run_load_reference(settings, args(files.libraries)) == 1
    assert "nothing loaded" in capsys.readouterr().err
    assert run_load_reference(settings, args(REFERENCE_DIR / "libraries-sample.csv")) == 0
    assert (
        "inserted 15 counties, 1 countries, 44 libraries, 357 municipalities"
        in capsys.readouterr().out
    )
    assert run_load_reference(settings, args(REFERENCE_DIR / "libraries-sample.csv")) == 0
    assert capsys.readouterr().out.strip() == "inserted nothing; updated nothing"
    assert run_load_reference(settings, args(tmp_path / "missing.csv")) == 1
