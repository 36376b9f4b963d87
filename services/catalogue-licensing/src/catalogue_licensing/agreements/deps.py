"""Load-or-404 dependencies of agreements' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from catalogue_licensing.agreements import service
from catalogue_licensing.agreements.models import Agreement
from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep

AgreementId = Annotated[uuid.UUID, PathParam(description="The agreement's id")]


async def _agreement(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep
) -> Agreement:
    return await service.get_agreement(session, principal=principal, agreement_id=agreement_id)


AgreementDep = Annotated[Agreement, Depends(_agreement)]


async def _agreement_for_change(
    agreement_id: AgreementId, session: SessionDep, principal: PrincipalDep
) -> Agreement:
    return await service.get_agreement(
        session, principal=principal, agreement_id=agreement_id, for_change=True
    )


# The agreement a change of its participation or shares starts from, locked until the request's
# transaction ends: two counties changing their participation at once take turns, each
# recomputing the shares from the other's outcome (PostgreSQL; SQLite's writers take turns
# anyway, from their first statement).
AgreementForChangeDep = Annotated[Agreement, Depends(_agreement_for_change)]
