"""Imports written in the background of the process that accepted them, their progress kept in
memory for the import resource to report; the process waits for them when it stops."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from chassis.auth import Principal
from chassis.db import Database
from chassis.logging import get_logger
from kpi.imports.service import fail_import, write_import
from kpi.imports.validation import ValidRow

log = get_logger("kpi.imports")
STOP_WAIT_SECONDS = 30.0


@dataclass
class ImportRunner:
    db: Database
    _written: dict[uuid.UUID, int] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def written(self, import_id: uuid.UUID) -> int | None:
        """Rows written so far by an import running in this process (None: not running here)."""
        return self._written.get(import_id)

    async def run(
        self,
        *,
        import_id: uuid.UUID,
        principal: Principal,
        rows: Sequence[ValidRow],
        request_id: str | None,
    ) -> None:
        """Write the import (after the request that accepted it has committed it)."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._written[import_id] = 0
        try:
            await self._write(import_id, principal, rows, request_id)
        finally:
            self._written.pop(import_id, None)
            if task is not None:
                self._tasks.discard(task)

    async def _write(
        self,
        import_id: uuid.UUID,
        principal: Principal,
        rows: Sequence[ValidRow],
        request_id: str | None,
    ) -> None:
        def progress(done: int) -> None:
            self._written[import_id] = done

        try:
            async with self.db.writer() as session, session.begin():
                await write_import(
                    session,
                    import_id=import_id,
                    principal=principal,
                    rows=rows,
                    request_id=request_id,
                    progress=progress,
                )
        except IntegrityError:
            await self._fail(
                import_id,
                principal,
                "another write recorded one of the file's figures while it was imported; "
                "nothing was written: send the file again",
            )
        except Exception:  # any failure is the import's state, which its client polls
            log.exception("import_failed", import_id=str(import_id))
            await self._fail(
                import_id, principal, "the import failed; nothing was written: send it again"
            )

    async def _fail(self, import_id: uuid.UUID, principal: Principal, reason: str) -> None:
        async with self.db.writer() as session, session.begin():
            await fail_import(session, import_id=import_id, principal=principal, reason=reason)

    async def stop(self) -> None:
        """Let running imports finish (each is one transaction: cut short, it writes nothing)."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=STOP_WAIT_SECONDS)
        for task in pending:
            task.cancel()
