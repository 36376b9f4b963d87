"""Dependencies of imports' routes: the import in the caller's view, the CSV body."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi import Path as PathParam

from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep
from kpi.imports import service
from kpi.imports.errors import EmptyUpload, NotCsv
from kpi.imports.models import ObservationImport

ImportId = Annotated[uuid.UUID, PathParam(description="The import's id (a UUID)")]


async def _import(
    import_id: ImportId, session: SessionDep, principal: PrincipalDep
) -> ObservationImport:
    return await service.get_import(session, principal=principal, import_id=import_id)


ImportDep = Annotated[ObservationImport, Depends(_import)]


async def csv_body(request: Request) -> bytes:
    """The request's body, if it says it is CSV in UTF-8 (the kit bounds its size)."""
    media, _, parameters = request.headers.get("content-type", "").partition(";")
    if media.strip().lower() != "text/csv":
        raise NotCsv(f"Send the file as text/csv, not {media.strip() or 'without a Content-Type'}")
    charset = next(
        (
            value.strip().strip('"').lower()
            for name, _, value in (p.partition("=") for p in parameters.split(";"))
            if name.strip().lower() == "charset"
        ),
        "utf-8",
    )
    if charset not in ("utf-8", "utf8"):
        raise NotCsv(f"Send the file in UTF-8, not {charset}")
    data = await request.body()
    if not data.strip():
        raise EmptyUpload("The file is empty")
    return data
