"""Load-or-404 dependencies of sessions' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.policy import OptionalPrincipalDep
from chassis.sessions import SessionDep
from training.sessions import service
from training.sessions.models import TrainingSession

SessionId = Annotated[uuid.UUID, PathParam(description="The session's id (a UUID)")]


async def _training_session(
    session_id: SessionId, session: SessionDep, principal: OptionalPrincipalDep
) -> TrainingSession:
    return await service.get_session(session, principal=principal, session_id=session_id)


TrainingSessionDep = Annotated[TrainingSession, Depends(_training_session)]
