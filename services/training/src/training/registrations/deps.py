"""Load-or-404 dependencies of registrations' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep
from training.registrations import service
from training.registrations.models import Registration

RegistrationId = Annotated[uuid.UUID, PathParam(description="The registration's id (a UUID)")]


async def _registration(
    registration_id: RegistrationId, session: SessionDep, principal: PrincipalDep
) -> Registration:
    return await service.get_registration(
        session, principal=principal, registration_id=registration_id
    )


RegistrationDep = Annotated[Registration, Depends(_registration)]
