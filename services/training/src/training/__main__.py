"""python -m training serve | migrate | load-search-corpus [--file corpus.jsonl]"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from chassis.cli import ExtraCommand, service_main
from chassis.db import Database
from training.app import SPEC
from training.demo.corpus import CORPUS, load_corpus, read_corpus
from training.resources import build_index
from training.settings import TrainingSettings
from training.wiring import wire


async def _load(settings: TrainingSettings, path: Path) -> dict[str, int]:
    wire()
    items = read_corpus(path)
    async with Database(settings) as db:
        async with db.writer() as session, session.begin():
            created = await load_corpus(session, index=build_index(), items=items)
        await db.refresh_statistics()
    return created


def run_load_search_corpus(settings: TrainingSettings, args: argparse.Namespace) -> int:
    try:
        created = asyncio.run(_load(settings, args.file))
    except (OSError, ValueError, KeyError) as exc:
        print(f"nothing loaded: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(created))
    return 0


def _corpus_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--file",
        type=Path,
        default=CORPUS,
        help="JSON lines of the judged set (id, kind, lang, title, body, topic, level, tags); "
        "its courses and lessons are loaded. Default: the copy shipped with the service.",
    )


def main(argv: list[str] | None = None) -> int:
    return service_main(
        SPEC,
        TrainingSettings,
        argv,
        extra={
            "load-search-corpus": ExtraCommand(
                help="load the judged search set's courses and lessons, published (idempotent)",
                run=run_load_search_corpus,
                arguments=_corpus_arguments,
            )
        },
    )


if __name__ == "__main__":
    sys.exit(main())
