"""Load-or-404 dependencies of organisations' routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.sessions import SessionDep
from kpi.organisations import service
from kpi.organisations.models import Organisation

OrganisationId = Annotated[uuid.UUID, PathParam(description="The organisation's id (a UUID)")]


async def _organisation(organisation_id: OrganisationId, session: SessionDep) -> Organisation:
    return await service.get_organisation(session, organisation_id=organisation_id)


OrganisationDep = Annotated[Organisation, Depends(_organisation)]
