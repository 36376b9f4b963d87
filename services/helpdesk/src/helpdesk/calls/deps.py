"""Load-or-404 dependency of the phone log's routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.sessions import SessionDep
from helpdesk.calls import service
from helpdesk.calls.models import Call

CallId = Annotated[uuid.UUID, PathParam(description="The call's id (a UUID)")]


async def _call(call_id: CallId, session: SessionDep) -> Call:
    return await service.get_call(session, call_id=call_id)


CallDep = Annotated[Call, Depends(_call)]
