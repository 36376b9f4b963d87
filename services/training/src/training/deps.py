"""Dependencies every domain's routes share: the Idempotency-Key of creating POSTs, bound to this
service's table. (Each domain's own load-or-404 dependencies are in its `deps.py`.)"""

from typing import Annotated

from fastapi import Depends

from chassis.idempotency import Idempotency, IdempotencyKeys
from training.db import idempotency

IdempotencyDep = Annotated[Idempotency, Depends(IdempotencyKeys(idempotency))]
