"""Every error is RFC 9457 problem+json naming what is wrong; never a traceback, never a 500."""

import uuid

import httpx
import pytest
from fastapi import FastAPI

from chassis.problems import install_problem_handlers
from notes_app.app import SPEC, NotesSettings

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert "type" in body
    return body


async def test_unknown_path_is_a_404_problem(notes):
    client, _ = notes
    body = assert_problem(await client.get("/v1/nothing-here"), 404)
    assert body["instance"] == "/v1/nothing-here"


async def test_wrong_method_is_a_405_problem_with_allow(notes):
    client, _ = notes
    response = await client.put("/v1/notes", json={})
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_malformed_json_is_a_400_problem(notes, staff):
    client, _ = notes
    response = await client.post(
        "/v1/notes", content=b'{"title": ', headers={**staff, "content-type": "application/json"}
    )
    body = assert_problem(response, 400)
    assert body["type"].endswith("malformed-json")


async def test_wrong_content_type_is_a_415_problem(notes, staff):
    client, _ = notes
    response = await client.post(
        "/v1/notes", content=b"title=x", headers={**staff, "content-type": "text/plain"}
    )
    assert_problem(response, 415)


async def test_unknown_field_is_refused_by_name(notes, staff):
    client, _ = notes
    response = await client.post(
        "/v1/notes", json={"title": "t", "author": "someone-else"}, headers=staff
    )
    body = assert_problem(response, 422)
    assert [(e["location"], e["type"]) for e in body["errors"]] == [
        ("body.author", "extra_forbidden")
    ]
    assert body["errors"][0]["pointer"] == "/author"


async def test_missing_and_too_long_fields_are_each_named(notes, staff):
    client, _ = notes
    response = await client.post("/v1/notes", json={"body": "x" * 2001}, headers=staff)
    locations = {e["location"] for e in assert_problem(response, 422)["errors"]}
    assert locations == {"body.title", "body.body"}


async def test_id_that_is_not_a_uuid_is_named(notes):
    client, _ = notes
    body = assert_problem(await client.get("/v1/notes/12345678901234567890"), 422)
    assert body["errors"][0]["location"] == "path.note_id"


async def test_nul_bytes_and_huge_numbers_are_4xx(notes, issuer):
    client, _ = notes
    assert_problem(await client.get("/v1/notes/%00"), 422)
    huge = await client.get(
        "/v1/events", params={"after": 2**63}, headers=issuer.headers("operator")
    )
    assert assert_problem(huge, 422)["errors"][0]["location"] == "query.after"


async def test_body_over_the_limit_is_413_before_reading_it(service_client, staff):
    async with service_client(SPEC, NotesSettings, max_body_bytes=100) as (client, _):
        declared = await client.post("/v1/notes", json={"title": "x" * 200}, headers=staff)
        assert_problem(declared, 413)

        async def chunks():
            for _ in range(10):
                yield b'{"title": "' + b"y" * 50

        streamed = await client.post(
            "/v1/notes", content=chunks(), headers={**staff, "content-type": "application/json"}
        )
        assert_problem(streamed, 413)


async def test_unexpected_errors_are_500_problems_without_traceback():
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")
    assert_problem(response, 500)
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize("limit", [0, 201, -1])
async def test_limit_outside_bounds_is_named(notes, limit):
    client, _ = notes
    body = assert_problem(await client.get("/v1/notes", params={"limit": limit}), 422)
    assert body["errors"][0]["location"] == "query.limit"


@pytest.mark.parametrize("cursor", ["not-base64!", "bnVsbA", "WzFd", "WyJ4IiwieSJd"])
async def test_bad_cursor_is_a_400_problem(notes, cursor):
    client, _ = notes
    body = assert_problem(await client.get("/v1/notes", params={"cursor": cursor}), 400)
    assert "cursor" in body["detail"]


async def test_unknown_note_is_a_404_problem(notes):
    client, _ = notes
    assert_problem(await client.get(f"/v1/notes/{uuid.uuid4()}"), 404)


async def test_unknown_query_parameter_is_refused_by_name(notes):
    client, _ = notes
    body = assert_problem(await client.get("/v1/notes", params={"limt": 5}), 400)
    assert body["errors"][0]["location"] == "query.limt"
    assert "limit" in body["detail"]
    assert (await client.get("/v1/notes", params={"limit": 5})).status_code == 200


@pytest.mark.parametrize(("limit", "kind"), [("0", "greater_than_equal"), ("x", "int_parsing")])
async def test_a_page_query_out_of_range_names_the_parameter(notes, limit, kind):
    # The page's parameters are one model (PageQuery): its errors still name each parameter.
    client, _ = notes
    body = assert_problem(await client.get("/v1/notes", params={"limit": limit}), 422)
    [error] = body["errors"]
    assert (error["location"], error["type"]) == ("query.limit", kind)


async def test_a_null_in_a_patch_is_one_validation_error_naming_the_field(notes, staff):
    client, _ = notes
    location = (await client.post("/v1/notes", json={"title": "a"}, headers=staff)).headers[
        "location"
    ]
    response = await client.patch(
        location, json={"title": None}, headers={**staff, "If-Match": '"1"'}
    )
    body = assert_problem(response, 422)
    assert body["type"].endswith(":validation-error")
    [error] = body["errors"]
    assert (error["location"], error["type"]) == ("body.title", "null_not_allowed")


def test_typed_problems_carry_their_status_slug_and_field_errors():
    from chassis.problems import Conflict, FieldProblem, InvalidField, NotFound

    class DuplicateCode(FieldProblem, Conflict):
        slug = "duplicate-code"

    missing = NotFound("No note x")
    assert (missing.status, missing.type, missing.title) == (
        404,
        "urn:library-platform:problem:not-found",
        "Not Found",
    )
    duplicate = DuplicateCode("items.0/code", "taken")
    assert (duplicate.status, duplicate.detail) == (409, "items.0/code: taken")
    [error] = duplicate.errors or []
    assert (error.location, error.pointer, error.type) == (
        "body.items.0/code",
        "/items/0~1code",
        "duplicate-code",
    )
    invalid = InvalidField("period_end", "before the start", kind="period_reversed")
    assert (invalid.status, invalid.title, invalid.detail) == (
        422,
        "The request is not valid",
        "body.period_end: before the start",
    )
    assert invalid.type.endswith(":validation-error")
    assert [e.type for e in invalid.errors or []] == ["period_reversed"]


def test_if_match_and_idempotency_key_are_declared_in_the_contract():
    from chassis.service import build_app
    from notes_app.app import SPEC, NotesSettings

    doc = build_app(NotesSettings(), SPEC).openapi()

    def headers(path, method):
        return {
            p["name"]
            for p in doc["paths"][path][method].get("parameters", [])
            if p["in"] == "header"
        }

    assert "Idempotency-Key" in headers("/v1/notes", "post")
    assert "If-Match" in headers("/v1/notes/{note_id}", "patch")
    assert "If-Match" in headers("/v1/notes/{note_id}", "delete")
    assert "If-None-Match" in headers("/v1/notes/{note_id}", "get")


def test_a_patch_body_declares_no_null_where_null_is_refused():
    from notes_app.app import NotePatch

    title = NotePatch.model_json_schema()["properties"]["title"]
    assert (title["type"], "anyOf" in title, "default" in title) == ("string", False, False)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"title": "a\u0000b"}, "body.title"), ({"title": "t", "body": "x\u0000"}, "body.body")],
)
async def test_a_nul_character_in_a_body_is_a_422_naming_the_field(notes, staff, body, field):
    client, _ = notes
    response = await client.post("/v1/notes", json=body, headers=staff)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["location"], e["type"]) for e in errors] == [(field, "nul_character")]
    assert (await client.get("/v1/notes", headers=staff)).json()["items"] == []


async def test_a_nul_character_in_the_query_is_a_422_naming_the_parameter(notes):
    client, _ = notes
    response = await client.get("/v1/notes?cursor=a%00b")
    assert response.status_code == 422, response.text
    assert [e["location"] for e in response.json()["errors"]] == ["query.cursor"]
