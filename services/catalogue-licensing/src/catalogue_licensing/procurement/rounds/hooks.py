"""The rounds' extension point: checks that later parts of procurement (offers, awards) run, in
the move's transaction, before a round moves; the rounds call them without knowing who listens
(the service wires them at start-up, `catalogue_licensing.wiring`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.states import RoundState


class MoveCheck(Protocol):
    """Raises a problem to refuse moving `round_` to `to` at `now`."""

    async def __call__(
        self, session: AsyncSession, *, round_: ProcurementRound, to: RoundState, now: datetime
    ) -> object: ...


@dataclass
class MoveChecks:
    checks: list[MoveCheck] = field(default_factory=list)

    def subscribe(self, check: MoveCheck) -> None:
        if check not in self.checks:
            self.checks.append(check)

    async def run(
        self, session: AsyncSession, *, round_: ProcurementRound, to: RoundState, now: datetime
    ) -> None:
        for check in self.checks:
            await check(session, round_=round_, to=to, now=now)


MOVE_CHECKS = MoveChecks()
