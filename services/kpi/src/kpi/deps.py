"""Dependencies every domain's routes share: the Idempotency-Key of creating POSTs."""

from typing import Annotated

from fastapi import Depends

from chassis.idempotency import Idempotency, IdempotencyKeys
from kpi.db import idempotency

IdempotencyDep = Annotated[Idempotency, Depends(IdempotencyKeys(idempotency))]
