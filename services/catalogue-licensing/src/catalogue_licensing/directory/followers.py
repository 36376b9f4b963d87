"""The directory's extension points: what other domains do, in the directory's transaction, when
counties' populations change or a library is about to move county; the directory calls them
without knowing who listens (the service wires them at start-up, `catalogue_licensing.wiring`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from chassis.sql import Transaction


class PopulationFollower(Protocol):
    """Called after changed county populations are flushed; raises a problem to refuse them."""

    async def __call__(
        self,
        session: AsyncSession,
        *,
        county_ids: Sequence[uuid.UUID],
        principal: Principal,
        request_id: str | None,
    ) -> object: ...


@dataclass(frozen=True)
class LibraryMove:
    """A library about to move from one county to another."""

    library_id: uuid.UUID
    isil: str
    from_county: str
    to_county: str


class MoveGuard(Protocol):
    """Called before a library moves to another county; raises a problem to refuse the move."""

    async def __call__(self, tx: Transaction, move: LibraryMove) -> None: ...


class NotWired(RuntimeError):
    """A directory change ran before the service wired its followers: going on would skip what
    other domains must do in the same transaction (recomputing cost shares), silently."""


@dataclass
class DirectoryFollowers:
    population_followers: list[PopulationFollower] = field(default_factory=list)
    move_guards: list[MoveGuard] = field(default_factory=list)
    wired: bool = False

    def subscribe(
        self, *, population_changed: PopulationFollower | None, library_moving: MoveGuard | None
    ) -> None:
        """Add followers; adding one already there changes nothing, so wiring twice is safe."""
        if population_changed is not None and population_changed not in self.population_followers:
            self.population_followers.append(population_changed)
        if library_moving is not None and library_moving not in self.move_guards:
            self.move_guards.append(library_moving)
        self.wired = True

    def _require_wiring(self) -> None:
        if not self.wired:
            raise NotWired("the directory's followers are not wired (catalogue_licensing.wiring)")

    async def population_changed(
        self,
        session: AsyncSession,
        *,
        county_ids: Sequence[uuid.UUID],
        principal: Principal,
        request_id: str | None,
    ) -> None:
        self._require_wiring()
        for follower in self.population_followers:
            await follower(
                session, county_ids=county_ids, principal=principal, request_id=request_id
            )

    async def library_moving(self, tx: Transaction, move: LibraryMove) -> None:
        self._require_wiring()
        for guard in self.move_guards:
            await guard(tx, move)


# The one registry of the process: the routes and the reference loader both reach it.
FOLLOWERS = DirectoryFollowers()
