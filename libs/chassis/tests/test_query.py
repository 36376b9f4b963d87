"""A route's query model and optional headers read by the kit answer exactly as FastAPI's own
reading of them."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Header, Query, Request
from pydantic import BaseModel, Field

from chassis.openapi import contract
from chassis.problems import install_problem_handlers
from chassis.query import DocumentedHeader, read_parameters_directly, reads_headers
from chassis.rules import public


class Filters(BaseModel):
    limit: int = Field(10, ge=1, le=50)
    cursor: str | None = Field(None, max_length=8)
    kind: list[str] = Field(default_factory=list)
    from_year: int | None = Field(None, alias="from")


def _app(*, direct: bool) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/with-request")
    async def with_request(request: Request, q: Annotated[Filters, Query()]) -> dict[str, object]:
        return {"path": request.url.path, **q.model_dump(by_alias=True)}

    @app.get("/without-request")
    async def without_request(q: Annotated[Filters, Query()]) -> dict[str, object]:
        return q.model_dump(by_alias=True)

    @app.get("/with-headers")
    async def with_headers(
        q: Annotated[Filters, Query()],
        if_none_match: Annotated[str | None, Header()] = None,
        tag: Annotated[str | None, Header(alias="X-Tag")] = None,
    ) -> dict[str, object]:
        return {**q.model_dump(by_alias=True), "if_none_match": if_none_match, "tag": tag}

    @app.get("/headers-only")
    async def headers_only(
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> dict[str, object]:
        return {"if_none_match": if_none_match}

    @app.get("/constrained-header")
    async def constrained_header(
        q: Annotated[Filters, Query()],
        x_code: Annotated[str | None, Header(max_length=3)] = None,
    ) -> dict[str, object]:
        return {**q.model_dump(by_alias=True), "x_code": x_code}

    @app.get("/plain")
    async def plain(limit: int = 3) -> dict[str, object]:
        return {"limit": limit}

    if direct:
        read_parameters_directly(app)
    return app


QUERIES = [
    "",
    "limit=5",
    "limit=5&limit=7",
    "kind=a&kind=b&limit=2",
    "from=2024",
    "from_year=2024",
    "limit=0",
    "limit=x&cursor=123456789",
    "limit=",
    "cursor=%C3%A6",
    "unknown=1",
]


HEADERS = [
    {},
    {"If-None-Match": '"a"'},
    {"if-none-match": '"b"', "X-Tag": "t", "x-code": "abcd"},
    {"If_None_Match": '"c"', "x-code": "ab"},
]

PATHS = [
    "/with-request",
    "/without-request",
    "/with-headers",
    "/headers-only",
    "/constrained-header",
    "/plain",
]


@pytest.mark.parametrize("path", PATHS)
async def test_the_kit_reads_parameters_as_fastapi_does(path: str) -> None:
    apps = _app(direct=False), _app(direct=True)
    for query in QUERIES:
        for headers in HEADERS:
            answers = []
            for app in apps:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                    answer = await client.get(f"{path}?{query}", headers=headers)
                answers.append((answer.status_code, answer.json()))
            assert answers[0] == answers[1], (query, headers)


def test_only_routes_whose_parameters_the_kit_reads_all_of_get_a_new_handler() -> None:
    app = _app(direct=False)
    before = {getattr(r, "path", ""): r.app for r in app.routes}  # type: ignore[attr-defined]
    read_parameters_directly(app)
    served = {
        getattr(r, "path", ""): r.app is not before[getattr(r, "path", "")]  # type: ignore[attr-defined]
        for r in app.routes
    }
    assert {path for path, new in served.items() if new} == {
        "/with-request",
        "/without-request",
        "/with-headers",
        "/headers-only",
    }


async def test_errors_name_the_query_parameter() -> None:
    transport = httpx.ASGITransport(app=_app(direct=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/without-request?limit=0&cursor=123456789")
    assert answer.status_code == 422
    located = {e["location"] for e in answer.json()["errors"]}
    assert located == {"query.limit", "query.cursor"}


def test_the_contract_still_lists_the_model_s_parameters() -> None:
    assert _app(direct=True).openapi() == _app(direct=False).openapi()


TAG = DocumentedHeader("X-Tag", "A tag", examples=("t1",))


@reads_headers(TAG)
async def _tagged(request: Request) -> str | None:
    return request.headers.get("x-tag")


async def _outer(value: Annotated[str | None, Depends(_tagged)]) -> str | None:
    return value


def test_headers_a_dependency_reads_itself_are_in_the_contract_once() -> None:
    app = FastAPI()

    @app.get("/nested", operation_id="nested")
    async def nested(a: Annotated[str | None, Depends(_outer)]) -> None:
        return None

    @app.get("/both", operation_id="both")
    async def both(
        a: Annotated[str | None, Depends(_tagged)],
        x_tag: Annotated[str | None, Header(alias="X-Tag")] = None,
    ) -> None:
        return None

    doc = contract(app, {"nested": public(), "both": public()})
    found = [p for p in doc["paths"]["/nested"]["get"]["parameters"] if p["in"] == "header"]
    assert found == [TAG.parameter()]
    assert TAG.parameter()["schema"]["examples"] == ["t1"]
    assert [p["name"] for p in doc["paths"]["/both"]["get"]["parameters"]] == ["X-Tag"]
