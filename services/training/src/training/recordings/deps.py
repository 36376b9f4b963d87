"""Load-or-404 dependencies of recordings' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep
from training.recordings import service
from training.recordings.models import Recording

RecordingId = Annotated[uuid.UUID, PathParam(description="The recording's id (a UUID)")]


async def _recording(
    recording_id: RecordingId, session: SessionDep, principal: PrincipalDep
) -> Recording:
    return await service.get_recording(session, principal=principal, recording_id=recording_id)


RecordingDep = Annotated[Recording, Depends(_recording)]
