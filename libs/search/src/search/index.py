"""`SearchIndex`: documents kept in the service's database, ranked by an in-process index that
catches up with every other process's writes before each search (decision 0025)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.sql import Row, Transaction, joined
from search.analysis import Analyzer, shipped_analyzers
from search.highlight import matcher
from search.model import LANGUAGES, SearchDocument, SearchHit, SearchQuery
from search.ranking import Ranker, Weights
from search.snippets import snippet
from search.statements import Statements, statements
from search.tables import search_tables

# A query is analysed up to this many characters (a service answers a longer one with 422).
MAX_QUERY_LENGTH = 500
# What a transaction that put or removed a document keeps in its `info`.
_WROTE = "search.wrote"

Db = AsyncSession | Transaction


async def _tx_and_info(db: Db) -> tuple[Transaction, dict[Any, Any]]:
    if isinstance(db, Transaction):
        return db, db.info
    return await joined(db), db.info


def _current(db: Db) -> object:
    """What identifies the transaction `db` is in: a session outlives its transactions (and
    its `info` with them), a `Transaction` is one."""
    return db.get_transaction() if isinstance(db, AsyncSession) else db


def _document(row: Row) -> SearchDocument:
    return SearchDocument(
        slug=row["slug"],
        kind=row["kind"],
        lang=row["lang"],
        title=row["title"],
        body=row["body"],
        tags=tuple(row["tags"]),
        facets=dict(row["facets"]),
        audience=row["audience"],
    )


class SearchIndex:
    """The index of one service. Build one per process (a service resource); `put` and
    `remove` write in the caller's transaction; `search` first reads what other transactions
    committed since it last looked (one small query), then ranks in memory."""

    def __init__(
        self,
        tables: tuple[Table, Table] | None = None,
        *,
        word_lists: Sequence[Path] = (),
        weights: Weights | None = None,
    ) -> None:
        documents, state = tables if tables is not None else search_tables(MetaData())
        self._sql: Statements = statements(documents, state)
        analyzers: dict[str, Analyzer] = (
            {lang: Analyzer.load(lang, word_lists) for lang in LANGUAGES}
            if word_lists
            else shipped_analyzers()
        )
        self._ranker = Ranker(analyzers, weights)
        self._epoch: str | None = None
        self._seen = 0
        self._lock = asyncio.Lock()

    async def warm(self, db: Db) -> int:
        """Read every committed document now (a service's start-up): the first search of a
        process otherwise pays for it (about half a second per 1,000 documents). The count
        indexed."""
        tx, _ = await _tx_and_info(db)
        await self._catch_up(tx)
        return len(self._ranker)

    async def put(self, db: Db, document: SearchDocument) -> None:
        """Insert or replace the document of `document.slug`."""
        tx, info = await _tx_and_info(db)
        revision = await self._next_revision(tx)
        info[_WROTE] = _current(db)
        await tx.run(
            self._sql.upsert[tx.backend],
            slug=document.slug,
            revision=revision,
            removed=False,
            kind=document.kind,
            lang=document.lang,
            audience=document.audience,
            title=document.title,
            body=document.body,
            tags=list(document.tags),
            facets=dict(document.facets),
        )

    async def remove(self, db: Db, slug: str) -> bool:
        """Take the document out of the index; False when there was none."""
        tx, info = await _tx_and_info(db)
        if await tx.row(self._sql.exists, slug=slug) is None:
            return False
        revision = await self._next_revision(tx)
        info[_WROTE] = _current(db)
        await tx.run(self._sql.tombstone, target=slug, revision=revision, tags=[], facets={})
        return True

    async def search(self, db: Db, query: SearchQuery) -> list[SearchHit]:
        """The best hits, best first; [] when nothing answers the query well enough."""
        tx, info = await _tx_and_info(db)
        if info.get(_WROTE) is not _current(db):
            # A transaction that wrote sees the index as last committed: its own uncommitted
            # rows must not enter the index every request shares.
            await self._catch_up(tx)
        text = query.text[:MAX_QUERY_LENGTH]
        ranked = self._ranker.search(query if text == query.text else _shortened(query, text))
        hits = []
        # One matcher per query and language: a word is marked by what it is, not where.
        matchers: dict[tuple[str, int], Callable[[str], bool]] = {}
        for found in ranked:
            doc = found.doc
            key = (doc.lang, id(found.terms))
            is_match = matchers.get(key)
            if is_match is None:
                is_match = matchers[key] = matcher(self._ranker.analyzers[doc.lang], found)
            hits.append(
                SearchHit(
                    slug=doc.slug,
                    kind=doc.kind,
                    lang=doc.lang,
                    title=doc.title,
                    snippet=snippet(doc.body, is_match),
                    score=round(found.score, 6),
                    facets=doc.facets,
                    tags=doc.tags,
                    audience=doc.audience,
                )
            )
        return hits

    async def _next_revision(self, tx: Transaction) -> int:
        row = await tx.row(self._sql.next_revision[tx.backend], epoch=uuid.uuid4().hex)
        assert row is not None
        return int(row["revision"])

    async def _catch_up(self, tx: Transaction) -> None:
        state = await tx.row(self._sql.state)
        epoch = state["epoch"] if state else None
        revision = int(state["revision"]) if state else 0
        if epoch == self._epoch and revision <= self._seen:
            # Nothing new (or this transaction's snapshot is older than what another request
            # of this process has already read: its search may see a little more).
            return
        async with self._lock:
            if epoch == self._epoch and revision <= self._seen:
                return  # another request caught up while this one waited
            if epoch != self._epoch:
                # The state row was made anew (an emptied database): everything again.
                self._ranker.clear()
                self._epoch, self._seen = epoch, 0
            if state is None:
                return
            for row in await tx.rows(self._sql.changed, after=self._seen):
                if row["removed"]:
                    self._ranker.remove(row["slug"])
                else:
                    self._ranker.put(_document(row))
                self._seen = max(self._seen, int(row["revision"]))
            self._seen = max(self._seen, revision)


def _shortened(query: SearchQuery, text: str) -> SearchQuery:
    return SearchQuery(
        text=text,
        lang=query.lang,
        limit=query.limit,
        facets=query.facets,
        audiences=query.audiences,
        kinds=query.kinds,
    )
