"""Search latency of `SearchIndex` on both databases: the judged corpus (160 documents) and a
generated one of 10,000, every dev query searched through a real transaction (the catch-up
query included), p50/p95/p99 per database. Not a test: run by hand, record the figures in
docs/decisions/0026.

    .venv/bin/python libs/search/bench/search_latency.py [--docs 10000] [--rounds 5]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from chassis.db import Database, create_engine, new_metadata
from chassis.settings import ServiceSettings
from search import SearchDocument, SearchIndex, SearchQuery, search_tables

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def judged_corpus() -> list[SearchDocument]:
    docs = []
    for line in (DATA / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        docs.append(
            SearchDocument(
                slug=raw["id"],
                kind=raw["kind"],
                lang=raw["lang"],
                title=raw["title"],
                body=raw["body"],
                tags=tuple(raw["tags"]),
                facets={"topic": raw["topic"], "level": raw["level"]},
            )
        )
    return docs


def generated_corpus(size: int, seed: int = 7) -> list[SearchDocument]:
    """`size` documents made of the judged corpus's sentences and titles, shuffled per language
    (the same vocabulary and lengths, many more documents)."""
    rng = random.Random(seed)  # noqa: S311 (made-up text, not a secret)
    base = judged_corpus()
    sentences: dict[str, list[str]] = {}
    titles: dict[str, list[str]] = {}
    for doc in base:
        sentences.setdefault(doc.lang, []).extend(s.strip() for s in doc.body.split(". ") if s)
        titles.setdefault(doc.lang, []).append(doc.title)
    out = []
    for i in range(size):
        model = base[i % len(base)]
        body = ". ".join(rng.sample(sentences[model.lang], k=rng.randint(4, 9))) + "."
        out.append(
            SearchDocument(
                slug=f"gen-{i:05d}",
                kind=model.kind,
                lang=model.lang,
                title=rng.choice(titles[model.lang]),
                body=body,
                tags=model.tags,
                facets=model.facets,
            )
        )
    return out


def queries() -> list[tuple[str, str]]:
    out = []
    for line in (DATA / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        out.append((raw["query"], raw["lang"]))
    return out


async def _database(backend: str, tmp: Path, postgres: str) -> tuple[Database, str | None]:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return Database(ServiceSettings(database_url=url)), None
    name = f"search_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
    return Database(ServiceSettings(database_url=url)), name


async def _drop(postgres: str, name: str) -> None:
    admin = create_engine(postgres)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def measure(
    backend: str, docs: list[SearchDocument], rounds: int, postgres: str
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db, pg_name = await _database(backend, Path(tmp), postgres)
        try:
            metadata = new_metadata()
            search_tables(metadata)
            async with db.engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
            writer = SearchIndex()
            for start in range(0, len(docs), 500):
                async with db.transaction(write=True) as tx:
                    for doc in docs[start : start + 500]:
                        await writer.put(tx, doc)
            await db.refresh_statistics()
            # A process that starts after the load: its first search reads everything.
            index = SearchIndex()
            began = time.perf_counter()
            async with db.transaction(write=False) as tx:
                await index.search(tx, SearchQuery(text="warm-up", lang="en"))
            first = time.perf_counter() - began
            timings = []
            for _ in range(rounds):
                for q, lang in queries():
                    began = time.perf_counter()
                    async with db.transaction(write=False) as tx:
                        await index.search(tx, SearchQuery(text=q, lang=lang, limit=20))
                    timings.append(time.perf_counter() - began)
        finally:
            await db.dispose()
            if pg_name:
                await _drop(postgres, pg_name)
    timings.sort()
    ms = [t * 1000 for t in timings]
    return {
        "searches": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 2),
        "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 2),
        "first_search_s": round(first, 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    corpora = {
        "judged (160)": judged_corpus(),
        f"generated ({args.docs})": generated_corpus(args.docs),
    }
    for label, docs in corpora.items():
        for backend in ("sqlite", "postgresql"):
            figures = await measure(backend, docs, args.rounds, args.postgres)
            print(f"{label:18s} {backend:10s} {figures}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
