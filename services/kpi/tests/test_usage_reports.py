"""COUNTER uploads over HTTP: 201 with what was read, for a product the catalogue announced and
an organisation in the caller's scope; not COUNTER, error Exceptions without usage, an unknown
product: each a clear 4xx, nothing recorded; a later report replaces the months it repeats."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from kpi_factories import add_hierarchy, add_product, events_of, row_count

from kpi.usage.models import UsageCount, UsageReport

DATA = Path(__file__).resolve().parent / "data" / "counter"
JSON = {"content-type": "application/json"}
TSV = {"content-type": "text/tab-separated-values"}


async def _bytes(name: str) -> bytes:
    return await asyncio.to_thread((DATA / name).read_bytes)


async def test_an_upload_answers_what_it_read(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    product = await add_product(app)
    analyst = issuer.headers("analyst")
    answer = await client.post(
        "/v1/usage-reports",
        params={"product_id": str(product), "organisation": "county:18"},
        content=await _bytes("cop5-51-TRJ1_sample_r51.json"),
        headers=analyst | JSON,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["release"], body["report_id"], body["begin_date"], body["end_date"]) == (
        "5.1",
        "TR_J1",
        "2022-01-01",
        "2022-12-31",
    )
    requests = body["metrics"]["Total_Item_Requests"]
    assert requests["total"] == sum(requests["per_month"].values())
    assert list(requests["per_month"]) == [f"2022-{m:02d}" for m in range(1, 13)]
    assert body["exceptions"] == []
    again = await client.get(answer.headers["Location"], headers=analyst)
    assert again.json() == body
    assert await row_count(app, UsageCount) == 24
    assert (await events_of(app, "usage_report.uploaded"))[0]["organisation"] == "18"

    # The same months again (the TSV of another report kind adds; the same kind replaces).
    replaced = await client.post(
        "/v1/usage-reports",
        params={"product_id": str(product), "organisation": "county:18"},
        content=await _bytes("cop5-51-TRJ1_sample_r51.json"),
        headers=analyst | JSON,
    )
    assert replaced.status_code == 201
    assert await row_count(app, UsageCount) == 24


async def test_tabular_reports_and_the_exceptions_that_keep_them(kpi, issuer):
    client, app = kpi
    product = await add_product(app)
    analyst = issuer.headers("analyst")
    tsv = await client.post(
        "/v1/usage-reports",
        params={"product_id": str(product)},
        content=await _bytes("cop5-51-DRD1_sample_r51.tsv"),
        headers=analyst | TSV,
    )
    assert tsv.status_code == 201, tsv.text
    assert tsv.json()["report_items"] == 3
    csv_answer = await client.post(
        "/v1/usage-reports",
        params={"product_id": str(product)},
        content=await _bytes("celus-5-DR-e.csv"),
        headers=analyst | {"content-type": "text/csv"},
    )
    assert csv_answer.status_code == 201, csv_answer.text
    for name, code in [("celus-5-DR-empty.json", 3030), ("celus-51-PR_empty_r51.json", 3031)]:
        empty = await client.post(
            "/v1/usage-reports",
            params={"product_id": str(product)},
            content=await _bytes(name),
            headers=analyst | JSON,
        )
        assert empty.status_code == 201, empty.text
        assert [e["code"] for e in empty.json()["exceptions"]] == [code]
        assert empty.json()["metrics"] == {}
    no_longer = (
        b'{"Report_Header": {"Release": "5.1", "Report_ID": "PR", "Report_Filters": '
        b'{"Begin_Date": "2019-01-01", "End_Date": "2019-01-31"}, "Exceptions": [{"Code": 3032, '
        b'"Message": "Usage No Longer Available for Requested Dates"}]}, "Report_Items": []}'
    )
    gone = await client.post(
        "/v1/usage-reports",
        params={"product_id": str(product)},
        content=no_longer,
        headers=analyst | JSON,
    )
    assert gone.status_code == 201
    assert gone.json()["exceptions"][0]["code"] == 3032


async def test_what_cannot_be_recorded_is_refused_and_nothing_is_kept(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    product = await add_product(app)
    analyst = issuer.headers("analyst")

    async def refused(params: dict[str, str], content: bytes, headers: dict[str, str]) -> Any:
        answer = await client.post(
            "/v1/usage-reports", params=params, content=content, headers=analyst | headers
        )
        assert 400 <= answer.status_code < 500, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        return answer

    naked = await refused(
        {"product_id": str(product)}, await _bytes("nigiri-5-naked_errors.json"), JSON
    )
    assert naked.json()["type"].endswith("counter-exceptions")
    assert [e["code"] for e in naked.json()["exceptions"]] == [1011, 3060]
    error_no_data = (
        b'{"Report_Header": {"Release": "5", "Report_ID": "PR", "Exceptions": [{"Code": 3020, '
        b'"Severity": "Error", "Message": "Invalid Date Arguments"}]}, "Report_Items": []}'
    )
    assert (await refused({"product_id": str(product)}, error_no_data, JSON)).status_code == 422
    not_counter = await refused({"product_id": str(product)}, b'{"hello": "world"}', JSON)
    assert not_counter.json()["type"].endswith("not-counter")
    unknown = await refused(
        {"product_id": str(uuid.uuid4())}, await _bytes("cop5-503-Sample-PR.json"), JSON
    )
    assert unknown.json()["errors"][0]["location"] == "query.product_id"
    nobody = await refused(
        {"product_id": str(product), "organisation": "NO-0000000"},
        await _bytes("cop5-503-Sample-PR.json"),
        JSON,
    )
    assert nobody.json()["errors"][0]["location"] == "query.organisation"
    xml = await refused(
        {"product_id": str(product)}, b"<xml/>", {"content-type": "application/xml"}
    )
    assert xml.status_code == 415
    assert await row_count(app, UsageReport) == 0
    assert await row_count(app, UsageCount) == 0
