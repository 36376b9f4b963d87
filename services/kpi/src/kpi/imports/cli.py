"""`kpi import-observations FILE`: the API's import from the command line, straight to the
database, with a progress bar while it writes. The operator runs it with an analyst's rights."""

from __future__ import annotations

import argparse
import asyncio
import getpass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from chassis.auth import Principal
from chassis.db import Database
from chassis.settings import ServiceSettings
from kpi.imports.errors import ImportRejected
from kpi.imports.service import checked_rows, fail_import, start_import, write_import
from kpi.settings import KpiSettings

console = Console(stderr=True)


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", type=Path, help="UTF-8 CSV: indicator,organisation,period,value[,status,comment]"
    )


def _print_report(exc: ImportRejected) -> None:
    console.print(f"[bold red]{exc.detail}[/]")
    for row in exc.extra.get("report", []):
        where = "the file" if row["row"] == 0 else f"row {row['row']}"
        column = f", {row['column']}" if row["column"] else ""
        console.print(f"  {where}{column}: {row['message']}")


async def import_file(settings: ServiceSettings, path: Path) -> int:
    data = await asyncio.to_thread(path.read_bytes)
    principal = Principal(subject=f"cli:{getpass.getuser()}", roles=frozenset({"analyst"}))
    async with Database(settings) as db:
        try:
            async with db.writer() as session, session.begin():
                with console.status("checking every row"):
                    rows = await checked_rows(session, principal=principal, data=data)
                record = await start_import(
                    session, principal=principal, rows_total=len(rows), request_id=None
                )
        except ImportRejected as exc:
            _print_report(exc)
            return 1
        columns = (
            TextColumn("writing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        try:
            with Progress(*columns, console=console) as bar:
                task = bar.add_task("rows", total=len(rows))
                async with db.writer() as session, session.begin():
                    written = await write_import(
                        session,
                        import_id=record.id,
                        principal=principal,
                        rows=rows,
                        request_id=None,
                        progress=lambda done: bar.update(task, completed=done),
                    )
        except Exception:
            async with db.writer() as session, session.begin():
                await fail_import(
                    session,
                    import_id=record.id,
                    principal=principal,
                    reason="the import failed; nothing was written",
                )
            raise
    console.print(
        f"import {record.id}: {written.created} new, {written.corrected} corrected, "
        f"{written.unchanged} unchanged"
    )
    return 0


def run(settings: KpiSettings, args: argparse.Namespace) -> int:
    return asyncio.run(import_file(settings, args.file))
