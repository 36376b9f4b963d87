"""Load-or-404 dependencies of products' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from catalogue_licensing.products import service
from catalogue_licensing.products.models import Product
from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep

ProductId = Annotated[uuid.UUID, PathParam(description="The product's id (a UUID)")]


async def _product(product_id: ProductId, session: SessionDep, principal: PrincipalDep) -> Product:
    return await service.get_product(session, principal=principal, product_id=product_id)


ProductDep = Annotated[Product, Depends(_product)]
