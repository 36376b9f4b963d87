"""Search latency of `SearchIndex` on both databases: the judged corpus (160 documents) and a
generated one of 10,000, every dev query searched through a real transaction (the catch-up
query included), p50/p95/p99 per database. Not a test: run by hand, record the figures in
docs/decisions/0026.

    .venv/bin/python libs/search/bench/search_latency.py [--docs 10000] [--rounds 5]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
        [--corpus judged|generated] [--backend sqlite|postgresql] [--kinds article] [--json]

`--json` prints one JSON object a line (the figures, and each round's p95 in `p95_by_round_ms`),
which `make bench`'s services stage reads.
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


def _p95(ms: list[float]) -> float:
    ordered = sorted(ms)
    return round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2)


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
    backend: str,
    docs: list[SearchDocument],
    rounds: int,
    postgres: str,
    kinds: frozenset[str] | None = None,
) -> dict[str, object]:
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
            by_round = []
            for _ in range(rounds):
                this_round = []
                for q, lang in queries():
                    began = time.perf_counter()
                    async with db.transaction(write=False) as tx:
                        await index.search(
                            tx, SearchQuery(text=q, lang=lang, limit=20, kinds=kinds)
                        )
                    this_round.append(time.perf_counter() - began)
                timings += this_round
                by_round.append(_p95([t * 1000 for t in this_round]))
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
        "p95_by_round_ms": by_round,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--corpus", choices=("judged", "generated"), help="one corpus only")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument(
        "--kinds", help="comma-separated kinds: only these documents, searched with this filter"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object a line")
    args = parser.parse_args()
    kinds = frozenset(k for k in args.kinds.split(",") if k) if args.kinds else None
    corpora = {}
    if args.corpus in (None, "judged"):
        corpora["judged"] = judged_corpus()
    if args.corpus in (None, "generated"):
        corpora["generated"] = generated_corpus(args.docs)
    backends = [args.backend] if args.backend else ["sqlite", "postgresql"]
    for corpus, all_docs in corpora.items():
        docs = [d for d in all_docs if kinds is None or d.kind in kinds]
        for backend in backends:
            figures = await measure(backend, docs, args.rounds, args.postgres, kinds)
            if args.json:
                line = {"corpus": corpus, "documents": len(docs), "backend": backend, **figures}
                print(json.dumps(line), flush=True)
            else:
                label = f"{corpus} ({len(docs)})"
                print(f"{label:18s} {backend:10s} {figures}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
