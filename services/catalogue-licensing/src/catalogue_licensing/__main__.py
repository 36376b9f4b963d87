"""python -m catalogue_licensing serve | migrate | load-reference | load-reference-abroad"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from catalogue_licensing.app import SPEC
from catalogue_licensing.directory.reference_abroad import (
    AbroadFiles,
    load_abroad,
    read_abroad,
    read_libraries,
)
from catalogue_licensing.directory.reference_load import (
    ReferenceDataError,
    ReferenceFiles,
    load_reference,
    read_reference,
)
from catalogue_licensing.settings import CatalogueSettings
from catalogue_licensing.wiring import wire
from chassis.cli import ExtraCommand, service_main
from chassis.db import Database

_DEFAULTS = ReferenceFiles()
_ABROAD = AbroadFiles()


def _reference_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--counties",
        type=Path,
        default=_DEFAULTS.counties,
        help="CSV: number,name_nb,name_nn_or_sami_if_any,population_<year>... (default: shipped)",
    )
    parser.add_argument(
        "--county-name-languages",
        type=Path,
        default=_DEFAULTS.county_name_languages,
        help="CSV: number,language,name: the language of each parallel county name",
    )
    parser.add_argument(
        "--municipalities",
        type=Path,
        default=_DEFAULTS.municipalities,
        help="CSV: number,name,county_number,population_<year>... (default: shipped)",
    )
    parser.add_argument(
        "--libraries",
        type=Path,
        default=_DEFAULTS.libraries,
        help="CSV: isil,name,kind,municipality_number,country (default: shipped sample)",
    )


async def _load(settings: CatalogueSettings, files: ReferenceFiles) -> str:
    # Said here too, not left to importing the app: a population the files change recomputes
    # cost shares, which only the wiring makes the directory's loader do.
    wire()
    data = read_reference(files)
    async with Database(settings) as db:
        async with db.writer() as session, session.begin():
            report = await load_reference(session, data)
        await db.refresh_statistics()
    return report.summary()


def run_load_reference(settings: CatalogueSettings, args: argparse.Namespace) -> int:
    files = ReferenceFiles(
        counties=args.counties,
        county_name_languages=args.county_name_languages,
        municipalities=args.municipalities,
        libraries=args.libraries,
    )
    try:
        summary = asyncio.run(_load(settings, files))
    except ReferenceDataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"nothing loaded: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"nothing loaded: {exc}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def _abroad_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--flanders",
        type=Path,
        default=_ABROAD.flanders,
        help="CSV: level,nis_code,name_nl,name_fr,parent_nis_code,merged_from_2025,"
        "population_<year>... (default: shipped)",
    )
    parser.add_argument(
        "--netherlands",
        type=Path,
        default=_ABROAD.netherlands,
        help="CSV: level,cbs_code,name,parent_code,population_<year>... (default: shipped)",
    )
    parser.add_argument(
        "--libraries",
        type=Path,
        default=None,
        help="CSV: isil,name,kind,municipality_number,country: libraries in these areas "
        "(default: none)",
    )


async def _load_abroad(settings: CatalogueSettings, args: argparse.Namespace) -> str:
    wire()
    data = read_abroad(AbroadFiles(flanders=args.flanders, netherlands=args.netherlands))
    if args.libraries is not None:
        data = read_libraries(args.libraries, data)
    async with Database(settings) as db:
        async with db.writer() as session, session.begin():
            report = await load_abroad(session, data)
        await db.refresh_statistics()
    return report.summary()


def run_load_reference_abroad(settings: CatalogueSettings, args: argparse.Namespace) -> int:
    try:
        summary = asyncio.run(_load_abroad(settings, args))
    except ReferenceDataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"nothing loaded: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"nothing loaded: {exc}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def main(argv: list[str] | None = None) -> int:
    return service_main(
        SPEC,
        CatalogueSettings,
        argv,
        extra={
            "load-reference": ExtraCommand(
                help="load counties, municipalities, populations and libraries (idempotent)",
                run=run_load_reference,
                arguments=_reference_arguments,
            ),
            "load-reference-abroad": ExtraCommand(
                help="load Flanders' provinces and municipalities (NIS) and the Dutch provinces "
                "with Drenthe's municipalities (CBS), optionally libraries in them (idempotent)",
                run=run_load_reference_abroad,
                arguments=_abroad_arguments,
            ),
        },
    )


if __name__ == "__main__":
    sys.exit(main())
