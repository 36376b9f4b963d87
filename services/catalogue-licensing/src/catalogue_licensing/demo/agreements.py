"""The demo agreements and participation `make run` loads, so demo libraries' catalogues are real."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.agreements.models import Agreement
from catalogue_licensing.agreements.participation.service import (
    load_participation,
    put_participation,
)
from catalogue_licensing.agreements.schemas import AgreementIn
from catalogue_licensing.agreements.service import create_agreement
from catalogue_licensing.demo.ids import (
    AVISARKIVET,
    DEMO_PRINCIPAL,
    KINOTEKET,
    NORDLYS_LYDBOKER,
    ORDKILDE_SPRAK,
)
from catalogue_licensing.directory.service import county_by_number
from catalogue_licensing.products.models import Product

# Each agreement: its fixed id, its body, and the participating counties with their libraries
# (ISILs from the shipped reference sample). Oslo's Deichman (NO-2030000) is the gateway's demo
# library client; Bergen (NO-2120100) is the second example ISIL of the README.
DEMO_AGREEMENTS: list[tuple[uuid.UUID, dict[str, Any], dict[str, list[str]]]] = [
    (
        uuid.UUID("0193a5c2-7b4e-7f01-9b00-000000000001"),
        {
            "product_id": str(NORDLYS_LYDBOKER),
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "yearly_price_minor": 125_000_000,
            "currency": "NOK",
            "terms": {
                "nb": "Ubegrenset samtidig bruk for alle lånere med gyldig lånekort.",
                "nn": "Avgrensa berre av lånekortet: alle lånarar kan bruke tenesta samtidig.",
                "en": "Unlimited simultaneous use for every patron with a valid library card.",
            },
            "split_key": "per_inhabitant",
        },
        {
            "03": ["NO-2030000"],
            "46": ["NO-2120100", "NO-2123500", "NO-3142902"],
            "18": ["NO-2180400", "NO-2180500"],
        },
    ),
    (
        uuid.UUID("0193a5c2-7b4e-7f01-9b00-000000000002"),
        {
            "product_id": str(AVISARKIVET),
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "yearly_price_minor": 48_000_000,
            "currency": "NOK",
            "terms": {
                "nb": "Fulltekst fra 1763 til i dag; 30 samtidige brukere per fylke.",
                "nn": "Fulltekst frå 1763 til i dag; 30 samtidige brukarar per fylke.",
                "en": "Full text from 1763 to today; 30 simultaneous users per county.",
            },
            "split_key": "equal",
        },
        {
            "03": ["NO-2030000"],
            "46": ["NO-2120100", "NO-2124700"],
            "50": ["NO-2160100"],
        },
    ),
    (
        uuid.UUID("0193a5c2-7b4e-7f01-9b00-000000000003"),
        {
            "product_id": str(ORDKILDE_SPRAK),
            "period_start": "2026-07-01",
            "period_end": "2027-06-30",
            "yearly_price_minor": 30_000_000,
            "currency": "NOK",
            "terms": {
                "nb": "Skoleåret 2026/27; elever logger inn med Feide.",
                "nn": "Skuleåret 2026/27; elevar loggar inn med Feide.",
                "en": "School year 2026/27; pupils sign in with Feide.",
            },
            "split_key": "fixed_weights",
            "weights": {"03": 2, "46": 2, "18": 1},
        },
        {
            "03": ["NO-2030000"],
            "46": ["NO-2120100", "NO-3142902", "NO-3143101"],
            "18": ["NO-2180400"],
        },
    ),
    (
        # Next year's film agreement: signed, but not in any catalogue before 1 January 2027.
        uuid.UUID("0193a5c2-7b4e-7f01-9b00-000000000004"),
        {
            "product_id": str(KINOTEKET),
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "yearly_price_minor": 60_000_000,
            "currency": "NOK",
            "terms": {
                "nb": "Fem filmlån per låner per måned.",
                "nn": "Fem filmlån per lånar per månad.",
                "en": "Five film loans per patron per month.",
            },
            "split_key": "fixed_weights",
            "weights": {"03": 3, "46": 2},
        },
        {"03": ["NO-2030000"], "46": ["NO-2120100"]},
    ),
]


async def load_demo_agreements(session: AsyncSession) -> None:
    """Create the demo agreements and participation that are missing (idempotent).

    Goes through the same rules as the API, so shares are computed, and the trail and the events
    record the demo like any other change. An agreement whose product is not loaded is skipped.
    """
    ids = [agreement_id for agreement_id, _, _ in DEMO_AGREEMENTS]
    have = {a.id: a for a in await session.scalars(select(Agreement).where(Agreement.id.in_(ids)))}
    products = set(await session.scalars(select(Product.id)))
    for agreement_id, body, participation in DEMO_AGREEMENTS:
        agreement = have.get(agreement_id)
        if agreement is None:
            parsed = AgreementIn.model_validate(body)
            if parsed.product_id not in products:
                continue
            agreement = await create_agreement(
                session,
                body=parsed,
                principal=DEMO_PRINCIPAL,
                request_id=None,
                agreement_id=agreement_id,
            )
        for county_number, isils in participation.items():
            county = await county_by_number(session, county_number)
            existing = await load_participation(session, agreement_id=agreement.id, county=county)
            if existing is not None:
                continue
            await put_participation(
                session,
                agreement=agreement,
                county=county,
                existing=None,
                isils=isils,
                principal=DEMO_PRINCIPAL,
                request_id=None,
            )
