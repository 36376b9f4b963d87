"""An Idempotency-Key belongs to its caller: vendor B replaying vendor A's key with A's body on
POST /v1/products gets a product of its own, never A's answer."""

from __future__ import annotations

import pytest

from catalogue_factories import committed, create_vendor, product_payload, row_count
from catalogue_licensing.products.models import Product


@pytest.mark.parametrize(
    "subject", [None, "shared-integration"], ids=["own-subjects", "one-subject"]
)
async def test_another_vendor_replaying_a_key_gets_its_own_product(catalogue, issuer, subject):
    client, app = catalogue
    async with committed(app) as session:
        first = await create_vendor(session, name="Første AS")
        second = await create_vendor(session, name="Andre AS")
    a, b = (
        issuer.headers("vendor", vendor_id=str(vendor.id), sub=subject)
        | {"Idempotency-Key": "product-2025-01"}
        for vendor in (first, second)
    )
    created = await client.post("/v1/products", json=product_payload(), headers=a)
    replayed = await client.post("/v1/products", json=product_payload(), headers=b)
    assert created.status_code == 201, created.text
    assert replayed.status_code == 201, replayed.text
    assert "idempotent-replayed" not in replayed.headers
    assert replayed.json()["id"] != created.json()["id"]
    assert replayed.json()["vendor_id"] == str(second.id)
    assert replayed.headers["Location"] == f"/v1/products/{replayed.json()['id']}"
    # A's own replay still answers A's product.
    again = await client.post("/v1/products", json=product_payload(), headers=a)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == created.json()["id"]
    assert await row_count(app, Product) == 2
