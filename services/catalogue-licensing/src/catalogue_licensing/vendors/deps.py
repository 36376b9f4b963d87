"""Load-or-404 dependencies of vendors' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from catalogue_licensing.vendors import service
from catalogue_licensing.vendors.models import Vendor
from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep

VendorId = Annotated[uuid.UUID, PathParam(description="The vendor's id (a UUID)")]


async def _vendor(vendor_id: VendorId, session: SessionDep, principal: PrincipalDep) -> Vendor:
    return await service.get_vendor(session, principal=principal, vendor_id=vendor_id)


VendorDep = Annotated[Vendor, Depends(_vendor)]
