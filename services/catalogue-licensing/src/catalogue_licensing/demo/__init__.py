"""The demo data `make run` loads: the reference directory (Norway; Flanders and the
Netherlands with a few demo libraries), a few vendors and their products,
agreements and participation, and procurement rounds; idempotent, with fixed ids (ids.py) others
can name."""

from __future__ import annotations

from catalogue_licensing.demo.agreements import load_demo_agreements
from catalogue_licensing.demo.procurement import load_demo_procurement
from catalogue_licensing.demo.products import load_demo_vendors_and_products
from catalogue_licensing.directory.reference_abroad import (
    AbroadFiles,
    load_abroad,
    read_abroad,
    read_libraries,
)
from catalogue_licensing.directory.reference_load import (
    REFERENCE_DIR,
    ReferenceFiles,
    load_reference,
    read_reference,
)
from catalogue_licensing.procurement.offers.sealing import OfferSealer
from catalogue_licensing.settings import CatalogueSettings
from catalogue_licensing.wiring import wire
from chassis.db import Database

# Flemish and Drenthe libraries with invented ISILs (BE-DEMO-…, NL-DEMO-…): no public source
# gives real ones with names (reference/README.md).
DEMO_LIBRARIES_ABROAD = REFERENCE_DIR / "libraries-be-nl-demo.csv"


async def load_demo(settings: CatalogueSettings) -> dict[str, int]:
    """Load the reference directory and the demo vendors, products, agreements and procurement
    rounds: all in one transaction, each part idempotent. Returns how many rows of each kind were
    created."""
    # The platform's runner imports this function by name, not the app that wires the domains.
    wire()
    data = read_reference(ReferenceFiles())
    abroad = read_libraries(DEMO_LIBRARIES_ABROAD, read_abroad(AbroadFiles()))
    sealer = OfferSealer.from_settings(settings)
    async with Database(settings) as db:
        async with db.writer() as session, session.begin():
            report = await load_reference(session, data)
            created = dict(report.inserted)
            for kind, count in (await load_abroad(session, abroad)).inserted.items():
                created[kind] = created.get(kind, 0) + count
            created |= await load_demo_vendors_and_products(session)
            await load_demo_agreements(session)
            created["procurement_rounds"] = await load_demo_procurement(session, sealer=sealer)
        await db.refresh_statistics()
    return created


__all__ = ["load_demo"]
