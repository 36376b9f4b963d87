"""The sessions' extension point: what registrations do, in the session's transaction, when seats
are added to a session (promote the first waiting people); the sessions call it without knowing
who listens (wired at start-up, `training.wiring`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from training.sessions.models import SessionSeats


class SeatsFollower(Protocol):
    """Called after a session's seats grew (their row locked and flushed)."""

    async def __call__(
        self,
        session: AsyncSession,
        *,
        seats: SessionSeats,
        principal: Principal,
        request_id: str | None,
    ) -> object: ...


class NotWired(RuntimeError):
    """Seats grew before the service wired its followers: waiting people would not be promoted."""


@dataclass
class SessionFollowers:
    seats_added: list[SeatsFollower] = field(default_factory=list)
    wired: bool = False

    def subscribe(self, *, seats_added: SeatsFollower) -> None:
        """Add a follower; adding one already there changes nothing, so wiring twice is safe."""
        if seats_added not in self.seats_added:
            self.seats_added.append(seats_added)
        self.wired = True

    async def seats_grew(
        self,
        session: AsyncSession,
        *,
        seats: SessionSeats,
        principal: Principal,
        request_id: str | None,
    ) -> None:
        if not self.wired:
            raise NotWired("the sessions' followers are not wired (training.wiring)")
        for follower in self.seats_added:
            await follower(session, seats=seats, principal=principal, request_id=request_id)


# The one registry of the process: the routes and the demo loader both reach it.
FOLLOWERS = SessionFollowers()
