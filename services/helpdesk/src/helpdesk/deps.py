"""Dependencies every domain's routes share: the Idempotency-Key of creating POSTs, the settings."""

from typing import Annotated

from fastapi import Depends, Request

from chassis.idempotency import Idempotency, IdempotencyKeys
from chassis.runtime import get_runtime
from helpdesk.db import idempotency
from helpdesk.settings import HelpdeskSettings

IdempotencyDep = Annotated[Idempotency, Depends(IdempotencyKeys(idempotency))]


async def _settings(request: Request) -> HelpdeskSettings:
    settings = get_runtime(request).settings
    if not isinstance(settings, HelpdeskSettings):
        raise TypeError("the helpdesk runs with HelpdeskSettings")
    return settings


SettingsDep = Annotated[HelpdeskSettings, Depends(_settings)]
