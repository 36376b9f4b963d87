"""Cost per use, end to end: an agreement and its cost shares made in the real catalogue and
harvested from its feed, a COUNTER report uploaded for a library; each county's cost for the
year divided by its libraries' uses."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from pathlib import Path

from kpi_factories import ANALYST, add_hierarchy, add_product, committed
from pydantic import SecretStr

from catalogue_factories import agreement_payload, join_agreement, seed_agreement_world
from catalogue_factories import committed as catalogue_committed
from chassis.runtime import app_runtime
from chassis.types import utcnow
from kpi.costs.service import record_agreement, record_cost_shares
from kpi.harvest.cli import harvest
from kpi.settings import KpiSettings
from kpi.usage.models import UsageCount, UsageReport
from kpi.usage.products import record_product

DATA = Path(__file__).resolve().parent / "data" / "counter"


async def test_cost_per_use_by_county(open_kpi, catalogue_http, issuer):
    base, catalogue, catalogue_app = catalogue_http
    async with catalogue_committed(catalogue_app) as session:
        world = await seed_agreement_world(session)
    admin = issuer.headers("programme_admin")
    product_id = world["audiobooks"].id
    created = await catalogue.post(
        "/v1/agreements",
        json=agreement_payload(product_id, period_start="2022-01-01", period_end="2022-12-31"),
        headers=admin,
    )
    assert created.status_code == 201, created.text
    url = f"/v1/agreements/{created.json()['id']}"
    await join_agreement(catalogue, url, "03", ["NO-2030000"], admin)
    await join_agreement(catalogue, url, "46", ["NO-2120100"], admin)
    shares = (await catalogue.get(f"{url}/cost-shares", headers=admin)).json()["items"]
    share = {s["county_number"]: s["amount_minor"] for s in shares}

    async with open_kpi() as (client, app):
        settings = app_runtime(app).settings
        assert isinstance(settings, KpiSettings)
        harvest_settings = settings.harvest.model_copy(
            update={"catalogue_url": base, "token": SecretStr(issuer.token("operator"))}
        )
        await harvest(settings.model_copy(update={"harvest": harvest_settings}))
        analyst = issuer.headers("analyst")
        async with committed(app) as session:
            # The catalogue's test world wrote its products and libraries without events.
            await record_product(
                session,
                principal=ANALYST,
                product_id=product_id,
                vendor_id=world["vendor"].id,
                status="active",
                category=None,
                now=utcnow(),
            )
        country = (
            await client.post(
                "/v1/organisations",
                json={"level": "country", "code": "NO", "name": "Norge"},
                headers=analyst,
            )
        ).json()
        oslo = (
            await client.post(
                "/v1/organisations",
                json={"level": "county", "code": "03", "name": "Oslo", "parent_id": country["id"]},
                headers=analyst,
            )
        ).json()
        town = (
            await client.post(
                "/v1/organisations",
                json={
                    "level": "municipality",
                    "code": "0301",
                    "name": "Oslo",
                    "parent_id": oslo["id"],
                },
                headers=analyst,
            )
        ).json()
        await client.post(
            "/v1/organisations",
            json={
                "level": "library",
                "code": "NO-2030000",
                "name": "Deichman",
                "parent_id": town["id"],
            },
            headers=analyst,
        )
        report = await asyncio.to_thread((DATA / "cop5-51-TRJ1_sample_r51.json").read_bytes)
        uploaded = await client.post(
            "/v1/usage-reports",
            params={"product_id": str(product_id), "organisation": "NO-2030000"},
            content=report,
            headers=analyst | {"content-type": "application/json"},
        )
        assert uploaded.status_code == 201, uploaded.text
        uses = uploaded.json()["metrics"]["Total_Item_Requests"]["total"]
        # Nordland takes no part in the agreement, yet a library of it reports use.
        parent = country
        for level, code, name in [
            ("county", "18", "Nordland"),
            ("municipality", "1804", "Bodø"),
            ("library", "NO-2180400", "Bodø bibliotek"),
        ]:
            parent = (
                await client.post(
                    "/v1/organisations",
                    json={"level": level, "code": code, "name": name, "parent_id": parent["id"]},
                    headers=analyst,
                )
            ).json()
        elsewhere = await client.post(
            "/v1/usage-reports",
            params={"product_id": str(product_id), "organisation": "NO-2180400"},
            content=report,
            headers=analyst | {"content-type": "application/json"},
        )
        assert elsewhere.status_code == 201, elsewhere.text

        answer = await client.get(
            "/v1/cost-per-use",
            params={"product_id": str(product_id), "year": 2022},
            headers=analyst,
        )
        assert answer.status_code == 200, answer.text
        rows = {r["county"]: r for r in answer.json()["items"]}
        assert rows["03"]["cost"] == share["03"] / 100
        assert rows["03"]["uses"] == uses
        assert rows["03"]["cost_per_use"] == round(share["03"] / 100 / uses, 4)
        # Vestland paid and its libraries reported no use: no cost per use, not a division by 0.
        assert (rows["46"]["uses"], rows["46"]["cost_per_use"]) == (0, None)
        # Nordland used it without a share: no cost and no cost per use, never a cost of 0.
        assert (rows["18"]["cost"], rows["18"]["uses"], rows["18"]["cost_per_use"]) == (
            None,
            uses,
            None,
        )
        other_year = await client.get(
            "/v1/cost-per-use",
            params={"product_id": str(product_id), "year": 2023},
            headers=analyst,
        )
        assert other_year.json()["items"] == []
        county_admin = await client.get(
            "/v1/cost-per-use",
            params={"product_id": str(product_id), "year": 2022},
            headers=issuer.headers("county_admin", county="46"),
        )
        assert [r["county"] for r in county_admin.json()["items"]] == ["46"]
    assert uuid.UUID(str(product_id))


async def test_a_trial_before_the_agreement_is_counted_but_not_divided(kpi, issuer):
    """An agreement from July: uses in the first half of the year (a trial, or a library's own
    subscription) are the county's uses, but the half year's share does not pay for them."""
    client, app = kpi
    places = await add_hierarchy(app)
    product_id, agreement_id = await add_product(app), uuid.uuid4()
    async with committed(app) as session:
        now = utcnow()
        await record_agreement(
            session,
            principal=ANALYST,
            agreement_id=agreement_id,
            data={
                "product_id": str(product_id),
                "period_start": "2026-07-01",
                "period_end": "2027-06-30",
                "currency": "NOK",
            },
            now=now,
        )
        await record_cost_shares(
            session,
            principal=ANALYST,
            agreement_id=agreement_id,
            data={
                "currency": "NOK",
                "shares": [{"county_number": "03", "amount_minor": 1_200_000}],
            },
        )
        report = UsageReport(
            id=uuid.uuid4(),
            product_id=product_id,
            organisation_id=places.oslo_library,
            release="5.1",
            report_id="PR",
            report_name="Platform Report",
            institution_name="Deichman",
            begin_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            exceptions=[],
            report_items=1,
            metrics={},
            uploaded_by="test",
            created_at=now,
        )
        session.add(report)
        await session.flush()
        for month in range(1, 13):
            session.add(
                UsageCount(
                    usage_report_id=report.id,
                    product_id=product_id,
                    organisation_id=places.oslo_library,
                    report_kind="PR",
                    metric="Total_Item_Requests",
                    month=date(2026, month, 1),
                    count=100 * month,
                )
            )
    answer = await client.get(
        "/v1/cost-per-use",
        params={"product_id": str(product_id), "year": 2026},
        headers=issuer.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    [oslo] = answer.json()["items"]
    # Six months of a 12,000 NOK year; 7,800 uses in them (July to December), 7,800 + 2,100 in all.
    assert oslo["cost"] == 6000.0
    assert oslo["uses"] == sum(100 * m for m in range(1, 13))
    assert oslo["paid_uses"] == sum(100 * m for m in range(7, 13))
    assert oslo["cost_per_use"] == round(6000 / oslo["paid_uses"], 4)
