"""Request ids, the access line, metrics, health and the published contract."""

import json

import structlog
import structlog.testing

from chassis.service import build_app
from chassis.settings import ServiceSettings
from notes_app.app import SPEC, NotesSettings


async def test_request_id_is_kept_when_sane_and_made_when_absent(notes):
    client, _ = notes
    kept = await client.get("/v1/notes", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    made = await client.get("/v1/notes")
    assert len(made.headers["x-request-id"]) == 32
    replaced = await client.get("/v1/notes", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"


async def test_one_access_line_per_request_with_its_id(notes):
    client, _ = notes
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        await client.get("/v1/notes", headers={"X-Request-ID": "trace-me"})
    access = [line for line in logs if line.get("event") == "request"]
    assert len(access) == 1
    line = access[0]
    assert (line["request_id"], line["method"], line["path"], line["status"]) == (
        "trace-me",
        "GET",
        "/v1/notes",
        200,
    )
    assert line["latency_ms"] >= 0


async def test_metrics_count_requests_by_route_template(notes):
    client, _ = notes
    await client.get("/v1/notes")
    text = (await client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/v1/notes",status="200"} 1.0' in text
    assert "http_request_duration_seconds_bucket" in text


async def test_ready_when_database_answers_and_migrations_are_at_head(notes):
    client, _ = notes
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["revision"] == ["0003"]


async def test_not_ready_when_migrations_are_missing(databases):
    import httpx

    url = await databases.fresh_url("notes-unmigrated")
    app = build_app(NotesSettings(database_url=url), SPEC)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
            response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert "migrations not at head" in response.json()["detail"]


def test_secrets_never_appear_in_settings_dumps():
    settings = ServiceSettings(database_url="postgresql+asyncpg://u:hunter2@db/x")
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in json.dumps(settings.safe_dump())
    assert settings.resolved_database_url().endswith("@db/x")


def test_settings_read_their_prefix(monkeypatch):
    monkeypatch.setenv("NOTES_PORT", "9123")
    monkeypatch.setenv("NOTES_AUTH__AUDIENCE", "elsewhere")
    settings = NotesSettings()
    assert (settings.port, settings.auth.audience) == (9123, "elsewhere")


def test_contract_declares_problems_security_and_roles():
    doc = build_app(NotesSettings(), SPEC).openapi()
    assert doc["openapi"].startswith("3.1")
    assert "Problem" in doc["components"]["schemas"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    create = doc["paths"]["/v1/notes"]["post"]
    assert create["operationId"] == "create_note"
    assert create["x-roles"] == ["staff"]
    assert create["security"] == [{"bearerAuth": []}]
    for status in ("400", "401", "403", "413", "415", "422"):
        assert "application/problem+json" in create["responses"][status]["content"], status
    listing = doc["paths"]["/v1/notes"]["get"]
    assert listing["security"] == [{}, {"bearerAuth": []}]
    assert "403" not in listing["responses"]


def test_schema_ahead_of_the_code_is_ready_and_behind_is_not():
    from chassis.migrations import SchemaRevisions

    revisions = SchemaRevisions(heads=frozenset({"0002"}), known=frozenset({"0001", "0002"}))
    assert revisions.compare(frozenset({"0002"})) == "current"
    assert revisions.compare(frozenset({"0001"})) == "behind"
    assert revisions.compare(frozenset()) == "behind"
    assert revisions.compare(frozenset({"0003"})) == "ahead"


async def test_ready_while_a_newer_version_has_migrated(notes):
    from sqlalchemy import text

    from chassis.runtime import app_runtime

    client, app = notes
    async with app_runtime(app).db.writer() as session, session.begin():
        head = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
        await session.execute(text("UPDATE alembic_version SET version_num = 'from-the-future'"))
    try:
        ready = await client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json()["schema"] == "ahead"
    finally:
        async with app_runtime(app).db.writer() as session, session.begin():
            # Put back what was there: the database is shared by the session's other tests.
            await session.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )


async def test_outbound_calls_carry_the_current_request_id():
    import httpx

    from chassis.middleware import forward_request_id

    seen = []

    def answer(request):
        seen.append(request.headers.get("x-request-id"))
        return httpx.Response(200, json={"keys": []})

    transport = httpx.MockTransport(answer)
    async with httpx.AsyncClient(
        transport=transport, event_hooks={"request": [forward_request_id]}
    ) as client:
        structlog.contextvars.bind_contextvars(request_id="from-the-caller")
        try:
            await client.get("http://issuer/.well-known/jwks.json")
        finally:
            structlog.contextvars.clear_contextvars()
        await client.get("http://issuer/.well-known/jwks.json")
    assert seen == ["from-the-caller", None]


async def test_head_answers_wherever_get_does_without_a_body(notes, staff):
    client, _ = notes
    created = await client.post("/v1/notes", json={"title": "h"}, headers=staff)
    path = f"/v1/notes/{created.json()['id']}"
    got = await client.get(path, headers=staff)
    head = await client.head(path, headers=staff)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == got.headers["content-length"]
    listed = await client.head("/v1/notes")
    assert (listed.status_code, listed.content) == (200, b"")
    # Refused as its GET is: a malformed id names the parameter.
    assert (await client.head("/v1/notes/not-a-uuid")).status_code == 422
