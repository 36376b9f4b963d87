"""Load-or-404 dependencies of indicators' routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.sessions import SessionDep
from kpi.indicators import service
from kpi.indicators.models import Indicator

CodePath = Annotated[
    str,
    # The codes' own pattern (schemas.IndicatorCode): an unknown code is a 404, a malformed one
    # a 422, and the contract does not promise paths the gateway refuses (control characters).
    PathParam(
        pattern=r"^[a-z][a-z0-9_]{1,63}$", description="The indicator's code", examples=["loans"]
    ),
]


async def _indicator(code: CodePath, session: SessionDep) -> Indicator:
    return await service.get_indicator(session, code=code)


IndicatorDep = Annotated[Indicator, Depends(_indicator)]
