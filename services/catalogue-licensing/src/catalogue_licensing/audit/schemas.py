"""Response bodies of the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from chassis.schemas import OutputModel


class AuditEntryOut(OutputModel):
    seq: int = Field(description="Position in the trail; newer entries have larger numbers")
    occurred_at: datetime
    actor: str = Field(description="The token's subject that made the change")
    actor_roles: list[str]
    action: str = Field(examples=["product.updated"])
    resource_type: str = Field(examples=["product"])
    resource_id: str
    changes: dict[str, Any] = Field(
        description='{field: {"old": ..., "new": ...}} for each changed field; old is null on creation',
        examples=[{"name": {"old": {"nb": "Lydbøker"}, "new": {"nb": "Lydbøker og e-bøker"}}}],
    )
    request_id: str | None = Field(description="The X-Request-ID of the request that made it")
