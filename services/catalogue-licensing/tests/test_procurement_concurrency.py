"""Concurrency on offers: fifty simultaneous revisions naming one ETag, one wins and 49 get 412;
a deadline passing during revisions and the job's closing leaves each revision whole or absent."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from procurement_factories import ANSWERS, offer_payload, open_round, shift_round
from sqlalchemy import select

from catalogue_factories import committed, create_product, create_vendor
from catalogue_licensing.procurement.offers.models import OfferVersion
from catalogue_licensing.procurement.rounds.closing import CLOSE_ROUNDS
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.wake import wake_closing_job_at
from chassis.jobs import JobRunner
from chassis.runtime import app_runtime

CONTENT = {k: v for k, v in offer_payload(None).items() if k != "product_id"}


async def _offer(client, app, issuer):
    admin = issuer.headers("programme_admin")
    async with committed(app) as session:
        vendor = await create_vendor(session)
        product = await create_product(session, vendor, status="active")
    headers = issuer.headers("vendor", vendor_id=str(vendor.id))
    round_ = await open_round(client, admin)
    base = f"/v1/procurement-rounds/{round_['id']}"
    declared = await client.put(
        f"{base}/declarations/{product.id}", json={"answers": ANSWERS}, headers=headers
    )
    assert declared.status_code == 201, declared.text
    offer = await client.post(f"{base}/offers", json=offer_payload(product.id), headers=headers)
    assert offer.status_code == 201, offer.text
    return round_, offer, headers


async def test_fifty_revisions_with_one_if_match_one_wins(catalogue, issuer):
    client, app = catalogue
    _, offer, headers = await _offer(client, app, issuer)
    url = f"/v1/offers/{offer.json()['id']}/versions"
    etag = offer.headers["ETag"]

    async def revise(n):
        lines = [{"label": f"Revision {n}", "amount_minor": 1000 + n}]
        return await client.post(
            url, json=CONTENT | {"price_lines": lines}, headers=headers | {"If-Match": etag}
        )

    answers = await asyncio.gather(*(revise(n) for n in range(50)))
    assert Counter(a.status_code for a in answers) == {201: 1, 412: 49}
    [winner] = [a for a in answers if a.status_code == 201]
    assert winner.headers["ETag"] == '"2"'
    versions = (await client.get(url, headers=headers)).json()["items"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["content"] == winner.json()["content"]


async def test_revisions_racing_the_deadline_are_whole_or_refused(catalogue, issuer):
    client, app = catalogue
    round_, offer, headers = await _offer(client, app, issuer)
    deadline = datetime.now(UTC) + timedelta(seconds=0.4)
    async with committed(app) as session:
        await shift_round(session, uuid.UUID(round_["id"]), offer_deadline=deadline)
        await wake_closing_job_at(session, deadline)
    url = f"/v1/offers/{offer.json()['id']}/versions"
    runtime = app_runtime(app)
    runner = JobRunner(runtime.db, [CLOSE_ROUNDS], runtime.settings)
    await runner.ensure_rows(deadline)
    [job] = await runner.states()
    assert job.next_due_at <= deadline

    async def close_at_deadline():
        await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()))
        await runner.run_due(datetime.now(UTC))

    async def revise_until_refused():
        etag, outcomes = offer.headers["ETag"], []
        while True:
            answer = await client.post(url, json=CONTENT, headers=headers | {"If-Match": etag})
            outcomes.append(answer.status_code)
            if answer.status_code != 201:
                return outcomes
            etag = answer.headers["ETag"]

    _, outcomes = await asyncio.gather(close_at_deadline(), revise_until_refused())
    assert outcomes[-1] == 409
    assert set(outcomes[:-1]) <= {201}
    async with committed(app) as session:
        versions = (await session.scalars(select(OfferVersion))).all()
        state = await session.scalar(
            select(ProcurementRound.state).where(ProcurementRound.id == uuid.UUID(round_["id"]))
        )
    # Every accepted revision is there, whole, and made before the deadline; nothing after it.
    assert len(versions) == 1 + outcomes.count(201)
    assert all(v.created_at < deadline for v in versions)
    assert state == "closed"
