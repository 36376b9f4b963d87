"""Load-or-404 of a dataset, as far as the caller may see it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from chassis.policy import OptionalPrincipalDep
from chassis.sessions import SessionDep
from kpi.publication import service
from kpi.publication.models import Dataset


async def _dataset(
    dataset_id: uuid.UUID, session: SessionDep, principal: OptionalPrincipalDep
) -> Dataset:
    return await service.get_dataset(session, dataset_id=dataset_id, principal=principal)


# A draft, or another audience's dataset, is a 404: its existence is not told.
DatasetDep = Annotated[Dataset, Depends(_dataset)]
