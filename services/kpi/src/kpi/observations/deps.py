"""Load-or-404 dependencies of observations' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep
from kpi.observations import service
from kpi.observations.models import Observation

ObservationId = Annotated[uuid.UUID, PathParam(description="The observation's id (a UUID)")]


async def _observation(
    observation_id: ObservationId, session: SessionDep, principal: PrincipalDep
) -> tuple[Observation, str]:
    return await service.get_observation(
        session, principal=principal, observation_id=observation_id
    )


# The observation and its organisation's natural code.
ObservationDep = Annotated[tuple[Observation, str], Depends(_observation)]
