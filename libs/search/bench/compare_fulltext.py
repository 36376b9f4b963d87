"""The measurement behind docs/decisions/0025: the judged set's dev queries against the
databases' own full-text search, next to the in-process ranking. Not a test: run by hand.

    .venv/bin/python libs/search/bench/compare_fulltext.py
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Each variant indexes title, tags and body of all 160 documents, searches each query in its
language (OR of its words: AND leaves most queries empty) and is scored as search-eval scores.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from search.analysis import shipped_analyzers
from search.model import SearchQuery
from search.ranking import Ranker
from search.text import fold, words
from search_testing import judged

PG_CONFIG = {"nl": "dutch", "nb": "norwegian", "nn": "norwegian", "en": "english"}
Results = dict[str, list[str]]


def _quoted(word: str) -> str:
    return '"' + word.replace('"', "") + '"'


def sqlite_fts5(tokenizer: str, analyse: Callable[[str, str], list[str]]) -> Results:
    """FTS5 with `tokenizer` over text prepared by `analyse` (folded, maybe stemmed)."""
    db = sqlite3.connect(":memory:")
    db.execute(
        f"CREATE VIRTUAL TABLE docs USING fts5(slug UNINDEXED, lang UNINDEXED, title, tags, body, tokenize = '{tokenizer}')"
    )
    for d in judged.corpus():
        db.execute(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
            (
                d.slug,
                d.lang,
                " ".join(analyse(d.title, d.lang)),
                " ".join(analyse(" ".join(d.tags), d.lang)),
                " ".join(analyse(d.body, d.lang)),
            ),
        )
    out: Results = {}
    for q in judged.queries():
        terms = [
            t for t in analyse(q.text, q.lang) if len(t) >= (3 if "trigram" in tokenizer else 1)
        ]
        if not terms:
            out[q.qid] = []
            continue
        match = " OR ".join(_quoted(t) for t in terms)
        rows = db.execute(
            "SELECT slug FROM docs WHERE docs MATCH ? AND lang = ? ORDER BY bm25(docs, 0, 0, 3.0, 2.0, 1.0) LIMIT 20",
            (match, q.lang),
        ).fetchall()
        out[q.qid] = [r[0] for r in rows]
    return out


def folded(text: str, lang: str) -> list[str]:
    return words(text)


def stemmed(text: str, lang: str) -> list[str]:
    return shipped_analyzers()[lang].terms(text)


async def postgres(url: str) -> dict[str, Results]:
    admin = await asyncpg.connect(url)
    name = f"search_compare_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        conn = await asyncpg.connect(url.rsplit("/", 1)[0] + f"/{name}")
        try:
            return await _postgres_variants(conn)
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def _postgres_variants(conn: asyncpg.Connection) -> dict[str, Results]:
    await conn.execute("CREATE EXTENSION unaccent; CREATE EXTENSION pg_trgm")
    await conn.execute(
        "CREATE TABLE docs (slug text, lang text, cfg regconfig, title text, tags text, body text, doc tsvector, plain text)"
    )
    for d in judged.corpus():
        await conn.execute(
            """INSERT INTO docs VALUES ($1, $2, $3::regconfig, $4, $5, $6,
                 setweight(to_tsvector($3::regconfig, unaccent($4)), 'A')
                 || setweight(to_tsvector($3::regconfig, unaccent($5)), 'B')
                 || setweight(to_tsvector($3::regconfig, unaccent($6)), 'C'),
                 lower(unaccent($4 || ' ' || $5 || ' ' || $6)))""",
            d.slug,
            d.lang,
            PG_CONFIG[d.lang],
            d.title,
            " ".join(d.tags),
            d.body,
        )
    variants: dict[str, Results] = {"tsvector": {}, "pg_trgm": {}, "tsvector+pg_trgm": {}}
    for q in judged.queries():
        cfg = PG_CONFIG[q.lang]
        # OR of the query's lexemes (stop words dropped by the configuration).
        tsq = await conn.fetchval(
            "SELECT replace(plainto_tsquery($1::regconfig, unaccent($2))::text, '&', '|')",
            cfg,
            q.text,
        )
        text = fold(q.text)
        rows = await conn.fetch(
            """SELECT slug,
                      CASE WHEN $3 <> '' THEN ts_rank_cd(doc, to_tsquery($1::regconfig, $3)) ELSE 0 END AS fts,
                      word_similarity($4, plain) AS trg
               FROM docs WHERE lang = $2""",
            cfg,
            q.lang,
            tsq or "",
            text,
        )
        fts = sorted((r for r in rows if r["fts"] > 0), key=lambda r: (-r["fts"], r["slug"]))
        trg = sorted((r for r in rows if r["trg"] >= 0.3), key=lambda r: (-r["trg"], r["slug"]))
        top_f = max((r["fts"] for r in rows), default=0) or 1
        top_t = max((r["trg"] for r in rows), default=0) or 1
        fused = sorted(
            (r for r in rows if r["fts"] > 0 or r["trg"] >= 0.3),
            key=lambda r: (-(r["fts"] / top_f + r["trg"] / top_t), r["slug"]),
        )
        variants["tsvector"][q.qid] = [r["slug"] for r in fts[:20]]
        variants["pg_trgm"][q.qid] = [r["slug"] for r in trg[:20]]
        variants["tsvector+pg_trgm"][q.qid] = [r["slug"] for r in fused[:20]]
    return variants


def in_process() -> Results:
    ranker = Ranker(shipped_analyzers())
    for d in judged.corpus():
        ranker.put(d)
    return {
        q.qid: [r.doc.slug for r in ranker.search(SearchQuery(text=q.text, lang=q.lang, limit=20))]
        for q in judged.queries()
    }


def line(label: str, results: Results) -> str:
    f = judged.figures(results)
    return (
        f"| {label} | {f.ndcg:.3f} | {f.recall:.3f} | {f.mrr:.3f} | {f.zero_rate:.3f} "
        f"| {f.no_answer_empty} of {f.no_answer_total} |"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print("| search | nDCG@10 | Recall@20 | MRR@10 | zero-result rate | no-answer empty |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(
        line(
            "SQLite FTS5 unicode61 remove_diacritics 2, bm25",
            sqlite_fts5("unicode61 remove_diacritics 2", folded),
        )
    )
    print(
        line(
            "SQLite FTS5 over PyStemmer stems (folded), bm25",
            sqlite_fts5("unicode61 remove_diacritics 2", stemmed),
        )
    )
    print(line("SQLite FTS5 trigram over folded text, bm25", sqlite_fts5("trigram", folded)))
    for label, results in (await postgres(args.postgres)).items():
        print(line(f"PostgreSQL 15 {label}", results))
    print(line("in-process (this package)", in_process()))


if __name__ == "__main__":
    asyncio.run(main())
