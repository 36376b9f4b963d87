"""The mechanism's tables, inside each service's own database (like the kit's jobs and outbox).

`search_documents` holds every document put, by slug; a removed one stays as a tombstone (empty
text, `removed` true) so that every process's in-memory index learns of the removal.
`search_state` is one row: the last revision handed out. Each put or remove takes the next
revision (the row's lock orders writers until they commit), so a process that has seen revision
N reads only the rows above N to catch up; `epoch` changes when the row is made anew (an emptied
or restored database), and a process then reloads everything.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

from chassis.types import JSONDoc
from search.model import MAX_NAME, MAX_SLUG

DOCUMENTS = "search_documents"
STATE = "search_state"


def search_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The documents and state tables, added to `metadata` (a service's own)."""
    documents = Table(
        DOCUMENTS,
        metadata,
        Column("slug", String(MAX_SLUG), primary_key=True),
        Column("revision", BigInteger, nullable=False),
        Column("removed", Boolean, nullable=False),
        Column("kind", String(MAX_NAME), nullable=False),
        Column("lang", String(8), nullable=False),
        Column("audience", String(MAX_NAME), nullable=False),
        Column("title", Text, nullable=False),
        Column("body", Text, nullable=False),
        Column("tags", JSONDoc, nullable=False),
        Column("facets", JSONDoc, nullable=False),
        Index(f"ix_{DOCUMENTS}_revision", "revision"),
    )
    state = Table(
        STATE,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("revision", BigInteger, nullable=False),
        Column("epoch", String(32), nullable=False),
    )
    return documents, state
