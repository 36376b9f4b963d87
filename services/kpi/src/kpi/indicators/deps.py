"""Load-or-404 dependencies of indicators' routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.sessions import SessionDep
from kpi.indicators import service
from kpi.indicators.models import Indicator

CodePath = Annotated[
    str, PathParam(max_length=64, description="The indicator's code", examples=["loans"])
]


async def _indicator(code: CodePath, session: SessionDep) -> Indicator:
    return await service.get_indicator(session, code=code)


IndicatorDep = Annotated[Indicator, Depends(_indicator)]
