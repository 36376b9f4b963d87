"""The mechanism's SQL, written once (chassis.sql.Prepared), per backend where they differ."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from chassis.sql import Prepared

STATE_ROW = 1
DOCUMENT_COLUMNS = ("kind", "lang", "audience", "title", "body", "tags", "facets")


@dataclass(frozen=True)
class Statements:
    state: Prepared
    changed: Prepared
    exists: Prepared
    tombstone: Prepared
    # By backend: the next revision (the state row made when missing), a document's upsert.
    next_revision: dict[str, Prepared]
    upsert: dict[str, Prepared]


def statements(documents: Table, state: Table) -> Statements:
    read_state = select(state.c.revision, state.c.epoch).where(state.c.id == STATE_ROW)
    changed = (
        select(documents)
        .where(documents.c.revision > bindparam("after", type_=documents.c.revision.type))
        .order_by(documents.c.revision)
    )
    exists = select(documents.c.slug).where(
        documents.c.slug == bindparam("slug", type_=documents.c.slug.type),
        documents.c.removed.is_(False),
    )
    tombstone = (
        update(documents)
        .where(documents.c.slug == bindparam("target", type_=documents.c.slug.type))
        .values(
            removed=True,
            revision=bindparam("revision", type_=documents.c.revision.type),
            title="",
            body="",
            tags=bindparam("tags", type_=documents.c.tags.type),
            facets=bindparam("facets", type_=documents.c.facets.type),
        )
    )
    next_revision: dict[str, Prepared] = {}
    upsert: dict[str, Prepared] = {}
    for backend, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert)):
        bump = insert(state).values(
            id=STATE_ROW,
            revision=1,
            epoch=bindparam("epoch", type_=state.c.epoch.type),
        )
        next_revision[backend] = Prepared(
            bump.on_conflict_do_update(
                index_elements=[state.c.id], set_={"revision": state.c.revision + 1}
            ).returning(state.c.revision)
        )
        values = {
            name: bindparam(name, type_=documents.c[name].type)
            for name in ("slug", "revision", "removed", *DOCUMENT_COLUMNS)
        }
        row = insert(documents).values(values)
        upsert[backend] = Prepared(
            row.on_conflict_do_update(
                index_elements=[documents.c.slug],
                set_={
                    name: row.excluded[name] for name in ("revision", "removed", *DOCUMENT_COLUMNS)
                },
            )
        )
    return Statements(
        state=Prepared(read_state),
        changed=Prepared(changed),
        exists=Prepared(exists),
        tombstone=Prepared(tombstone),
        next_revision=next_revision,
        upsert=upsert,
    )
