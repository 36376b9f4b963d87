"""CSV imports over HTTP: a file with any error changes nothing and names each bad row and why
(wrong column, encoding, delimiter too); a good one is written whole, corrections keeping their
history, and the import resource says what it did."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from kpi_factories import add_hierarchy, events_of, row_count

from chassis.runtime import app_runtime
from kpi.imports.cli import import_file
from kpi.observations.models import Observation, ObservationRevision

CSV = {"content-type": "text/csv"}
GOOD = (
    "indicator,organisation,period,value,status,comment\n"
    "loans,NO-2180400,2025-01,1200,final,\n"
    "loans,NO-2180400,2025-02,1100,,\n"
    "visits,1804,2025-01,800,provisional,door counter\n"
    'cost,county:18,2025,125000.50,final,"invoice 12, 13"\n'
)


async def _finished(client: Any, location: str, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(200):
        answer = await client.get(location, headers=headers)
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] != "running":
            return dict(answer.json())
        await asyncio.sleep(0.02)
    raise AssertionError("the import did not finish")


async def test_a_good_file_is_written_whole_and_reported(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    accepted = await client.post(
        "/v1/observations/import", content=GOOD.encode(), headers=analyst | CSV
    )
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["rows_total"] == 4
    done = await _finished(client, accepted.headers["Location"], analyst)
    assert (done["status"], done["rows_written"], done["created"]) == ("completed", 4, 4)
    listed = (
        await client.get("/v1/observations", params={"organisation": "county:18"}, headers=analyst)
    ).json()
    assert [(o["value"], o["comment"], o["source"]) for o in listed["items"]] == [
        (125000.5, "invoice 12, 13", "import")
    ]
    assert (await events_of(app, "observations.imported"))[0]["created"] == 4

    # The same file again changes nothing; a changed figure is a correction with its history.
    again = await client.post(
        "/v1/observations/import",
        content=GOOD.replace("1100,,", "1150,final,recounted").encode(),
        headers=analyst | CSV,
    )
    second = await _finished(client, again.headers["Location"], analyst)
    assert (second["created"], second["corrected"], second["unchanged"]) == (0, 1, 3)
    assert await row_count(app, Observation) == 4
    assert await row_count(app, ObservationRevision) == 5
    february = (
        await client.get(
            "/v1/observations", params={"period": "2025-02", "indicator": "loans"}, headers=analyst
        )
    ).json()["items"][0]
    assert (february["value"], february["version"], february["status"]) == (1150, 2, "final")


async def test_a_file_with_one_bad_row_changes_nothing_and_names_it(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    bad = GOOD + "loans,NO-2180400,2025-13,5,,\n" + "loans,NO-2180400,2025-01,7,,\n"
    refused = await client.post(
        "/v1/observations/import", content=bad.encode(), headers=analyst | CSV
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("import-rejected")
    assert [(r["row"], r["column"]) for r in problem["report"]] == [(6, "period"), (7, "period")]
    assert "not an ISO 8601 period" in problem["report"][0]["message"]
    assert "row 2 gives the same figure" in problem["report"][1]["message"]
    assert await row_count(app, Observation) == 0
    assert await events_of(app, "observations.import_started") == []


async def test_every_kind_of_bad_row_is_reported(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    staff = issuer.headers("staff", isil="NO-2180400")
    rows = (
        "indicator,organisation,period,value,status\n"
        "nope,NO-2180400,2025-01,1,\n"  # 2: unknown indicator
        "loans,NO-0000000,2025-01,1,\n"  # 3: unknown organisation
        "loans,NO-2030000,2025-01,1,\n"  # 4: another library: not the caller's
        "loans,NO-2180400,2025,1,\n"  # 5: a year for a monthly indicator
        "loans,NO-2180400,2025-03,1.5,\n"  # 6: a fraction of a count
        'loans,NO-2180400,2025-04,"1,5",\n'  # 7: a decimal comma
        "loans,NO-2180400,2025-05,1,done\n"  # 8: an unknown status
        "cost_per_use,NO-2180400,2025,1,\n"  # 9: a derived indicator
        "loans,NO-2180400,2025-06,1\n"  # 10: a cell short
        "loans,NO-2180400,2025-07,3,final\n"  # 11: good
    )
    refused = await client.post(
        "/v1/observations/import", content=rows.encode(), headers=staff | CSV
    )
    assert refused.status_code == 422
    report = refused.json()["report"]
    assert [(r["row"], r["column"]) for r in report] == [
        (2, "indicator"),
        (3, "organisation"),
        (4, "organisation"),
        (5, "period"),
        (6, "value"),
        (7, "value"),
        (8, "status"),
        (9, "indicator"),
        (10, None),
    ]
    assert refused.json()["problem_count"] == 9
    assert await row_count(app, Observation) == 0


async def test_the_files_shape_is_checked_first(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    analyst = issuer.headers("analyst")

    async def report_of(content: bytes, headers: dict[str, str] = CSV) -> list[dict[str, Any]]:
        answer = await client.post(
            "/v1/observations/import", content=content, headers=analyst | headers
        )
        assert answer.status_code == 422, answer.text
        return list(answer.json()["report"])

    semicolons = await report_of(
        b"indicator;organisation;period;value\nloans;NO-2180400;2025-01;5\n"
    )
    assert "separated by semicolons" in semicolons[0]["message"]
    unknown = await report_of(b"indicator,organisation,period,amount\nloans,NO-2180400,2025-01,5\n")
    assert {(r["column"], r["row"]) for r in unknown} == {("amount", 1), ("value", 1)}
    latin1 = (
        "indicator,organisation,period,value,comment\nloans,NO-2180400,2025-01,5,Bodø\n".encode(
            "latin-1"
        )
    )
    encoding = await report_of(latin1)
    assert encoding[0]["row"] == 2
    assert "not UTF-8" in encoding[0]["message"]
    header_only = await report_of(b"indicator,organisation,period,value\n")
    assert "no rows" in header_only[0]["message"]
    with_bom = "\ufeffindicator,organisation,period,value\nloans,NO-2180400,2025-01,5\n".encode()
    accepted = await client.post("/v1/observations/import", content=with_bom, headers=analyst | CSV)
    assert accepted.status_code == 202
    await _finished(client, accepted.headers["Location"], analyst)
    json_body = await client.post("/v1/observations/import", json={"rows": []}, headers=analyst)
    assert json_body.status_code == 415
    latin_declared = await client.post(
        "/v1/observations/import",
        content=b"x",
        headers=analyst | {"content-type": "text/csv; charset=latin-1"},
    )
    assert latin_declared.status_code == 415
    empty = await client.post("/v1/observations/import", content=b"", headers=analyst | CSV)
    assert empty.status_code == 400
    assert await row_count(app, Observation) == 1


async def test_an_import_is_read_back_by_who_sent_it(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    staff = issuer.headers("staff", isil="NO-2180400")
    other = issuer.headers("staff", isil="NO-2030000")
    accepted = await client.post(
        "/v1/observations/import",
        content=b"indicator,organisation,period,value\nloans,NO-2180400,2025-01,5\n",
        headers=staff | CSV,
    )
    location = accepted.headers["Location"]
    # Each token has its own subject: the other library's staff do not see it.
    assert (await client.get(location, headers=other)).status_code == 404
    assert (await client.get(location, headers=issuer.headers("analyst"))).status_code == 200


async def test_imported_figures_have_their_history_like_entered_ones(kpi, issuer):
    client, app = kpi
    await add_hierarchy(app)
    analyst = issuer.headers("analyst")
    accepted = await client.post(
        "/v1/observations/import", content=GOOD.encode(), headers=analyst | CSV
    )
    await _finished(client, accepted.headers["Location"], analyst)
    today = datetime.now(UTC).date()
    as_of = await client.get(
        "/v1/observations",
        params={"as_of": today.isoformat(), "period": "2025-Q1"},
        headers=analyst,
    )
    assert sorted(o["value"] for o in as_of.json()["items"]) == [800, 1100, 1200]
    before = await client.get(
        "/v1/observations",
        params={"as_of": (today - timedelta(days=1)).isoformat()},
        headers=analyst,
    )
    assert before.json()["items"] == []


async def test_the_command_line_imports_with_a_progress_bar_or_prints_the_report(
    kpi, tmp_path, capsys
):
    _, app = kpi
    await add_hierarchy(app)
    settings = app_runtime(app).settings
    good = tmp_path / "good.csv"
    bad = tmp_path / "bad.csv"
    await asyncio.to_thread(good.write_text, GOOD, "utf-8")
    await asyncio.to_thread(bad.write_text, GOOD + "loans,NO-2180400,2025-13,5,,\n", "utf-8")
    assert await import_file(settings, bad) == 1
    assert "row 6, period" in capsys.readouterr().err
    assert await row_count(app, Observation) == 0
    assert await import_file(settings, good) == 0
    assert "4 new, 0 corrected, 0 unchanged" in capsys.readouterr().err
    assert await row_count(app, Observation) == 4


async def test_a_method_the_import_path_lacks_is_405_whatever_the_body(kpi, issuer):
    """The CSV the path takes is not a reason to answer 415 to a method it does not have."""
    client, _ = kpi
    analyst = issuer.headers("analyst")
    answer = await client.put("/v1/observations/import", content=GOOD, headers=analyst | CSV)
    assert answer.status_code == 405, answer.text
    elsewhere = await client.post("/v1/indicators", content=GOOD, headers=analyst | CSV)
    assert elsewhere.status_code == 415, elsewhere.text


async def test_the_import_path_allows_only_post(kpi, issuer):
    """`import` is not an observation's id: Allow names the import's own method only."""
    client, _ = kpi
    answer = await client.request(
        "OPTIONS", "/v1/observations/import", headers=issuer.headers("analyst")
    )
    assert answer.status_code == 405, answer.text
    assert answer.headers["allow"] == "POST"
