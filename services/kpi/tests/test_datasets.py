"""Datasets: composed as drafts, published to an audience, withdrawn; public outputs hide small
numbers and the one more that would reveal them; other audiences see every figure; bad input is
a 4xx naming the field; each step is an event."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from csvw import CSVW  # type: ignore[import-untyped]
from kpi_factories import add_hierarchy, events_of


async def _figure(
    client: Any, headers: dict[str, str], indicator: str, org: str, period: str, value: float
) -> None:
    answer = await client.post(
        "/v1/observations",
        json={"indicator": indicator, "organisation": org, "period": period, "value": value},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture
async def bodo(kpi, issuer):
    """Bodø with three libraries; in January 3, 40 and 12 loans (55 in the municipality)."""
    client, app = kpi
    h = await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    for code, name in (("NO-2180401", "Bodø filial A"), ("NO-2180402", "Bodø filial B")):
        answer = await client.post(
            "/v1/organisations",
            json={"level": "library", "code": code, "name": name, "parent_id": str(h.bodo)},
            headers=analyst,
        )
        assert answer.status_code == 201, answer.text
    for org, value in (("NO-2180400", 3), ("NO-2180401", 40), ("NO-2180402", 12)):
        await _figure(client, analyst, "loans", org, "2025-01", value)
        await _figure(client, analyst, "loans", org, "2025-02", value + 20)
    return client, app, analyst


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Loans in Bodø <2025> & more",
        "audience": "public",
        "indicators": ["loans"],
        "organisations": ["municipality:1804", "NO-2180400", "NO-2180401", "NO-2180402"],
        "periods": ["2025-01", "2025-02"],
    } | overrides


async def _published(client: Any, analyst: dict[str, str], **overrides: Any) -> dict[str, Any]:
    created = await client.post("/v1/datasets", json=_body(**overrides), headers=analyst)
    assert created.status_code == 201, created.text
    dataset = created.json()
    assert dataset["status"] == "draft"
    answer = await client.post(
        f"/v1/datasets/{dataset['id']}/publish",
        headers=analyst | {"If-Match": created.headers["ETag"]},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _cells(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["organisation"], c["period"]): c for c in data["items"]}


async def test_a_public_dataset_hides_a_small_number_and_the_next_smallest(bodo):
    client, _app, analyst = bodo
    dataset = await _published(client, analyst)
    answer = await client.get(f"/v1/datasets/{dataset['id']}/data")  # anonymous
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"].startswith("public")
    data = answer.json()
    assert data["suppressed"] is True
    cells = _cells(data)
    jan = {
        org: cells[(org, "2025-01")] for org in ("1804", "NO-2180400", "NO-2180401", "NO-2180402")
    }
    assert jan["NO-2180400"] == jan["NO-2180400"] | {"value": None, "status": "suppressed"}
    # 55 - 40 would give the 3 away: the 12 goes too.
    assert jan["NO-2180402"]["status"] == "suppressed"
    assert jan["NO-2180402"]["value"] is None
    assert jan["1804"]["value"] == 55
    assert jan["NO-2180401"]["value"] == 40
    # February has nothing small: all shown.
    assert {cells[(o, "2025-02")]["status"] for o in ("1804", "NO-2180400")} == {"shown"}
    # No suppressed cell is a published total minus published cells.
    for period in ("2025-01", "2025-02"):
        parts = [cells[(o, period)] for o in ("NO-2180400", "NO-2180401", "NO-2180402")]
        hidden = [p for p in parts if p["status"] == "suppressed"]
        assert len(hidden) != 1


async def test_partners_and_internal_audiences_see_every_figure(bodo, issuer):
    client, _app, analyst = bodo
    dataset = await _published(client, analyst, audience="partners")
    path = f"/v1/datasets/{dataset['id']}/data"
    assert (await client.get(path)).status_code == 404  # anonymous: not told it exists
    partner = await client.get(path, headers=issuer.headers("partner"))
    assert partner.status_code == 200, partner.text
    assert partner.json()["suppressed"] is False
    assert partner.headers["Cache-Control"].startswith("private")
    assert _cells(partner.json())[("NO-2180400", "2025-01")]["value"] == 3
    internal = await _published(client, analyst, audience="internal")
    ipath = f"/v1/datasets/{internal['id']}/data"
    assert (await client.get(ipath, headers=issuer.headers("partner"))).status_code == 404
    staff = await client.get(ipath, headers=issuer.headers("staff", isil="NO-2180400"))
    assert staff.status_code == 200
    assert _cells(staff.json())[("NO-2180400", "2025-01")]["status"] == "shown"


async def test_drafts_are_the_analysts_and_publication_is_once(bodo, issuer):
    client, app, analyst = bodo
    created = await client.post("/v1/datasets", json=_body(), headers=analyst)
    dataset_id = created.json()["id"]
    assert (await client.get(f"/v1/datasets/{dataset_id}")).status_code == 404
    preview = await client.get(f"/v1/datasets/{dataset_id}/data", headers=analyst)
    assert preview.status_code == 200
    assert preview.headers["Cache-Control"].startswith("private")  # a draft: no shared cache
    assert (await client.get(f"/v1/datasets/{dataset_id}", headers=analyst)).status_code == 200
    assert (await client.get("/v1/datasets")).json()["items"] == []
    published = await client.post(
        f"/v1/datasets/{dataset_id}/publish",
        headers=analyst | {"If-Match": created.headers["ETag"]},
    )
    assert published.status_code == 200
    listed = (await client.get("/v1/datasets")).json()["items"]
    assert [d["id"] for d in listed] == [dataset_id]
    again = await client.post(
        f"/v1/datasets/{dataset_id}/publish",
        headers=analyst | {"If-Match": published.headers["ETag"]},
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert "published already" in again.json()["detail"]
    stale = await client.post(
        f"/v1/datasets/{dataset_id}/withdraw",
        headers=analyst | {"If-Match": created.headers["ETag"]},
    )
    assert stale.status_code == 412
    withdrawn = await client.post(
        f"/v1/datasets/{dataset_id}/withdraw",
        headers=analyst | {"If-Match": published.headers["ETag"]},
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert (await client.get(f"/v1/datasets/{dataset_id}/data")).status_code == 404
    republish = await client.post(
        f"/v1/datasets/{dataset_id}/publish",
        headers=analyst | {"If-Match": withdrawn.headers["ETag"]},
    )
    assert republish.status_code == 409
    [event] = await events_of(app, "dataset.published")
    assert event["dataset_id"] == dataset_id
    assert event["audience"] == "public"
    assert event["indicators"] == ["loans"]
    assert event["organisations"] == 4
    assert event["periods"] == ["2025-01", "2025-02"]
    assert len(await events_of(app, "dataset.withdrawn")) == 1


@pytest.mark.parametrize(
    ("change", "pointer", "kind"),
    [
        ({"indicators": ["loans", "no_such"]}, "/indicators/1", "unknown-indicator"),
        (
            {"organisations": ["NO-2180400", "NO-9999999"]},
            "/organisations/1",
            "unknown-organisation",
        ),
        ({"periods": ["2025-01", "2025-13"]}, "/periods/1", "bad-period"),
        ({"audience": "everyone"}, "/audience", None),
        ({"indicators": []}, "/indicators", None),
    ],
)
async def test_bad_datasets_are_refused_naming_the_field(bodo, change, pointer, kind):
    client, app, analyst = bodo
    answer = await client.post("/v1/datasets", json=_body(**change), headers=analyst)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors = answer.json()["errors"]
    assert any(e["pointer"].endswith(pointer) for e in errors), errors
    if kind is not None:
        assert errors[0]["type"] == kind
    assert await events_of(app, "dataset.created") == []


def _valid(tmp_path: Path, csv_text: str, metadata: dict[str, Any]) -> CSVW:
    (tmp_path / "data.csv").write_text(csv_text, encoding="utf-8")
    (tmp_path / "data.csv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return CSVW(str(tmp_path / "data.csv-metadata.json"), validate=True)


async def test_a_dataset_as_csv_is_valid_csvw_with_suppressed_cells_empty(bodo, tmp_path):
    client, _app, analyst = bodo
    dataset = await _published(client, analyst)
    csv_answer = await client.get(f"/v1/datasets/{dataset['id']}/data.csv")
    assert csv_answer.status_code == 200, csv_answer.text
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert 'rel="describedby"' in csv_answer.headers["link"]
    assert "data.csv-metadata.json" in csv_answer.headers["link"]
    meta = await client.get(f"/v1/datasets/{dataset['id']}/data.csv-metadata.json")
    assert meta.status_code == 200
    assert meta.headers["content-type"].startswith("application/csvm+json")
    checked = _valid(tmp_path, csv_answer.text, meta.json())
    assert checked.is_valid, [str(w.message) for w in checked.warnings]
    rows = list(checked.tables[0].iterdicts())
    small = next(r for r in rows if r["organisation"] == "NO-2180400" and r["period"] == "2025-01")
    assert small["value"] is None
    assert small["status"] == "suppressed"
    assert len(rows) == 8
    # The validator is not vacuous: a word where a number belongs fails it.
    (tmp_path / "broken").mkdir()
    broken = _valid(tmp_path / "broken", csv_answer.text.replace(",55,", ",many,"), meta.json())
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # the validator collects them itself
        assert not broken.is_valid
    assert any("many" in str(w.message) for w in broken.warnings)


async def test_a_dataset_chart_is_accessible_svg_with_a_gap_and_the_same_bytes(bodo):
    client, _app, analyst = bodo
    dataset = await _published(client, analyst)
    path = f"/v1/datasets/{dataset['id']}/chart"
    first = await client.get(path)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("image/svg+xml")
    assert first.headers["Cache-Control"].startswith("public")
    second = await client.get(path)
    assert first.content == second.content
    assert first.headers["ETag"] == second.headers["ETag"]
    cached = await client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304
    assert cached.content == b""
    # Well-formed: the name's < and & escaped.
    root = ElementTree.fromstring(first.content)  # noqa: S314 (our own output)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
    assert title is not None
    assert desc is not None
    assert title.text == "Loans in Bodø <2025> & more: Loans"
    assert "suppressed (small numbers): 2025-01" in (desc.text or "")
    assert "Gaps: 2 value(s) suppressed" in first.text
    unknown = await client.get(path, params={"indicator": "visits"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["location"] == "query.indicator"


async def test_a_series_exports_as_csvw_and_as_a_chart(bodo, issuer, tmp_path):
    client, _app, analyst = bodo
    query = {
        "indicator": "loans",
        "organisations": "NO-2180400,municipality:1804",
        "period": "2025-Q1",
        "per": "month",
    }
    csv_answer = await client.get("/v1/series.csv", params=query, headers=analyst)
    assert csv_answer.status_code == 200, csv_answer.text
    link = csv_answer.headers["link"]
    assert link.startswith("<series.csv-metadata.json?indicator=loans")
    meta = await client.get("/v1/series.csv-metadata.json", params=query, headers=analyst)
    assert meta.status_code == 200, meta.text
    document = meta.json() | {"url": "data.csv"}
    checked = _valid(tmp_path, csv_answer.text, document)
    assert checked.is_valid, [str(w.message) for w in checked.warnings]
    rows = list(checked.tables[0].iterdicts())
    assert [(r["organisation"], r["period"], r["value"]) for r in rows][:3] == [
        ("NO-2180400", "2025-01", 3.0),
        ("NO-2180400", "2025-02", 23.0),
        ("NO-2180400", "2025-03", None),
    ]
    chart = await client.get("/v1/charts/series", params=query, headers=analyst)
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert b'role="img"' in chart.content
    assert b"<desc" in chart.content
    outsider = issuer.headers("staff", isil="NO-2030000")
    assert (
        await client.get("/v1/charts/series", params=query, headers=outsider)
    ).status_code == 403
    assert (await client.get("/v1/series.csv", params=query, headers=outsider)).status_code == 403


async def test_the_demo_publishes_a_public_dataset_with_a_suppressed_cell(kpi):
    from chassis.runtime import app_runtime
    from kpi.demo import load_demo
    from kpi.settings import KpiSettings

    client, app = kpi
    settings = app_runtime(app).settings
    assert isinstance(settings, KpiSettings)
    first = await load_demo(settings)
    # Nordland's, and Norway's year by year and month by month (the data portal's).
    assert (first["datasets"], first["dataset_observations"]) == (3, 24)
    again = await load_demo(settings)
    assert (again["datasets"], again["dataset_observations"]) == (0, 0)
    listed = (await client.get("/v1/datasets")).json()["items"]  # anonymous
    [dataset] = [d for d in listed if d["name"] == "Nordland's libraries, month by month"]
    assert dataset["audience"] == "public"
    assert dataset["status"] == "published"
    items = (await client.get(f"/v1/datasets/{dataset['id']}/data")).json()["items"]
    participants = {
        (c["organisation"], c["period"]): c
        for c in items
        if c["indicator"] == "training_participants"
    }
    january = {org: participants[(org, "2025-01")] for org in ("18", "NO-2180400", "NO-2180500")}
    # Narvik's 2 is hidden, and Bodø's 9 with it; the county's 11 is shown.
    assert [january[o]["status"] for o in ("18", "NO-2180400", "NO-2180500")] == [
        "shown",
        "suppressed",
        "suppressed",
    ]
    assert january["18"]["value"] == 11
    loans = [c for c in items if c["indicator"] == "loans"]
    assert len(loans) == 36
    assert {c["status"] for c in loans} == {"shown"}


async def test_a_ratio_is_hidden_where_its_numerator_would_be(bodo):
    client, _, analyst = bodo
    # Træna: a small municipality under Nordland with a library lending 2 books in January.
    county = (await client.get("/v1/organisations", params={"level": "county", "limit": 10})).json()
    nordland = next(o for o in county["items"] if o["code"] == "18")
    made = await client.post(
        "/v1/organisations",
        json={
            "level": "municipality",
            "code": "1835",
            "name": "Træna",
            "parent_id": nordland["id"],
        },
        headers=analyst,
    )
    assert made.status_code == 201, made.text
    for organisation, people in ((made.json(), 450), (None, 53_725)):
        target = organisation or next(
            o
            for o in (
                await client.get("/v1/organisations", params={"level": "municipality", "limit": 10})
            ).json()["items"]
            if o["code"] == "1804"
        )
        current = await client.get(f"/v1/organisations/{target['id']}")
        answer = await client.put(
            f"/v1/organisations/{target['id']}/populations/2025",
            json={"population": people},
            headers=analyst | {"If-Match": current.headers["ETag"]},
        )
        assert answer.status_code == 200, answer.text
    await _figure(client, analyst, "loans", "municipality:1835", "2025-01", 2)
    dataset = await _published(
        client,
        analyst,
        indicators=["loans", "loans_per_inhabitant"],
        organisations=["county:18", "municipality:1804", "municipality:1835"],
        periods=["2025-01"],
    )
    items = (await client.get(f"/v1/datasets/{dataset['id']}/data")).json()["items"]
    cells = {(c["indicator"], c["organisation"]): c for c in items}
    # Træna's 2 loans are hidden, Bodø's 55 with them (the county's 57 is shown) ...
    assert cells[("loans", "1835")]["status"] == "suppressed"
    assert cells[("loans", "1804")]["status"] == "suppressed"
    assert cells[("loans", "18")]["value"] == 57
    # ... and so are their loans per inhabitant, which times the population would give them.
    assert cells[("loans_per_inhabitant", "1835")]["value"] is None
    assert cells[("loans_per_inhabitant", "1835")]["status"] == "suppressed"
    assert cells[("loans_per_inhabitant", "1804")]["status"] == "suppressed"
    assert cells[("loans_per_inhabitant", "18")]["status"] == "shown"
