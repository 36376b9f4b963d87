"""The Idempotency-Key dependency of this service's creating POSTs, bound to its own table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalogue_licensing.db import idempotency
from chassis.idempotency import Idempotency, idempotency_dependency

if TYPE_CHECKING:
    # The kit builds the Annotated alias at run time; the checker sees what a route receives.
    IdempotencyDep = Idempotency
else:
    IdempotencyDep = idempotency_dependency(idempotency)

__all__ = ["Idempotency", "IdempotencyDep"]
