"""Load-or-404 dependencies of rounds' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from catalogue_licensing.procurement.rounds import service
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep

RoundId = Annotated[uuid.UUID, PathParam(description="The round's id (a UUID)")]


async def _round(
    round_id: RoundId, session: SessionDep, principal: PrincipalDep
) -> ProcurementRound:
    return await service.get_round(session, principal=principal, round_id=round_id)


async def _round_for_change(
    round_id: RoundId, session: SessionDep, principal: PrincipalDep
) -> ProcurementRound:
    # Locked (PostgreSQL) so a change and the deadline's closing follow one another.
    return await service.get_round(session, principal=principal, round_id=round_id, for_update=True)


RoundDep = Annotated[ProcurementRound, Depends(_round)]
RoundForChangeDep = Annotated[ProcurementRound, Depends(_round_for_change)]
