"""Several processes (and several transactions at once) writing one service's index: every
process finds every committed document, on both databases."""

import asyncio
import os
import sys
from pathlib import Path

from search import SearchDocument, SearchIndex, SearchQuery

WRITER = """
import asyncio, sys
from chassis.db import Database
from search_testing.app import SearchTestSettings
from search import SearchDocument, SearchIndex

async def main(url, slug, text):
    db = Database(SearchTestSettings(database_url=url))
    try:
        async with db.transaction(write=True) as tx:
            await SearchIndex().put(tx, SearchDocument(slug=slug, kind="article", lang="en", title=text, body=text))
    finally:
        await db.dispose()

asyncio.run(main(*sys.argv[1:]))
"""


TESTS = str(Path(__file__).resolve().parent)


async def run_writer(url: str, slug: str, text: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WRITER,
        url,
        slug,
        text,
        env={**os.environ, "PYTHONPATH": TESTS},
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def slugs(db, index, text):
    async with db.transaction(write=False) as tx:
        return [h.slug for h in await index.search(tx, SearchQuery(text=text, lang="en", limit=50))]


async def test_a_document_another_process_puts_is_found_here(db, index):
    assert await slugs(db, index, "kiosk") == []
    await run_writer(db.url, "en-kiosk", "Self-checkout kiosk restarts")
    assert await slugs(db, index, "kiosk") == ["en-kiosk"]
    await run_writer(db.url, "en-kiosk", "Returns machine jammed")
    assert await slugs(db, index, "kiosk") == []
    assert await slugs(db, index, "jammed") == ["en-kiosk"]


async def test_concurrent_writers_and_a_reader_miss_nothing(db, index):
    """Twenty transactions put at once while another process's index keeps searching: each
    catch-up reads only what is above the revision it saw, and nothing is skipped."""
    reader = SearchIndex()

    async def put(i: int) -> None:
        document = SearchDocument(
            slug=f"en-{i:02d}", kind="article", lang="en", title=f"Renewal rule {i}", body="renewal"
        )
        async with db.transaction(write=True) as tx:
            await index.put(tx, document)

    async def keep_reading() -> None:
        for _ in range(20):
            await slugs(db, reader, "renewal")
            await asyncio.sleep(0)

    await asyncio.gather(*(put(i) for i in range(20)), keep_reading())
    expected = [f"en-{i:02d}" for i in range(20)]
    assert sorted(await slugs(db, reader, "renewal")) == expected
    assert sorted(await slugs(db, SearchIndex(), "renewal")) == expected
