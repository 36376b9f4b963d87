"""Load-or-404 dependencies of paths' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep
from training.paths import service
from training.paths.models import OnboardingPath

PathId = Annotated[uuid.UUID, PathParam(description="The path's id (a UUID)")]


async def _path(path_id: PathId, session: SessionDep, principal: PrincipalDep) -> OnboardingPath:
    return await service.get_path(session, principal=principal, path_id=path_id)


PathDep = Annotated[OnboardingPath, Depends(_path)]
