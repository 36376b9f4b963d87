"""A tiny HTTP app around `SearchIndex` for shared/tools/search-eval: the judged corpus put
into a fresh database at start, `GET /search?q=&lang=&limit=&kinds=` answering `items`.

    SEARCH_EVAL_DATABASE_URL=sqlite+aiosqlite:////tmp/search-eval.db \\
        .venv/bin/python libs/search/bench/eval_server.py --port 8765
    shared/tools/search-eval --url 'http://127.0.0.1:8765/search?q={q}&lang={lang}&limit=20'
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Query
from search_latency import judged_corpus

from chassis.db import Database, new_metadata
from chassis.settings import ServiceSettings
from search import LANGUAGES, SearchIndex, SearchQuery, search_tables

URL = os.environ.get("SEARCH_EVAL_DATABASE_URL", "sqlite+aiosqlite:////tmp/search-eval.db")
index = SearchIndex()
state: dict[str, Database] = {}


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    db = Database(ServiceSettings(database_url=URL))
    metadata = new_metadata()
    search_tables(metadata)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    async with db.transaction(write=True) as tx:
        for document in judged_corpus():
            await index.put(tx, document)
    state["db"] = db
    yield
    await db.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/search")
async def search(
    q: str = "",
    lang: str | None = Query(default=None, pattern="^(" + "|".join(LANGUAGES) + ")$"),
    limit: int = Query(default=10, ge=1, le=100),
    kinds: str | None = None,
) -> dict[str, object]:
    wanted = frozenset(k for k in kinds.split(",") if k) if kinds else None
    async with state["db"].transaction(write=False) as tx:
        hits = await index.search(tx, SearchQuery(text=q, lang=lang, limit=limit, kinds=wanted))
    return {"items": [hit.as_dict() for hit in hits]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    uvicorn.run(app, host="127.0.0.1", port=parser.parse_args().port, log_level="warning")
