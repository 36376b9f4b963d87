"""The gateway against the platform's conventions: documented operations, reversible migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chassis.conformance import migration_faults, operations
from gateway.app import create_app
from gateway.models import metadata
from gateway.settings import GatewaySettings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def test_every_own_operation_is_documented() -> None:
    document = create_app(GatewaySettings()).openapi()
    found = operations(document)
    assert {(method, path) for method, path, _ in found} == {
        ("POST", "/auth/token"),
        ("GET", "/.well-known/jwks.json"),
        ("POST", "/gateway/v1/clients"),
        ("GET", "/gateway/v1/clients"),
        ("GET", "/gateway/v1/clients/{client_id}"),
        ("POST", "/gateway/v1/clients/{client_id}/rotate-secret"),
        ("POST", "/gateway/v1/clients/{client_id}/revoke"),
        ("GET", "/gateway/v1/audit-log"),
    }
    for method, path, op in found:
        where = f"{method} {path}"
        assert op.get("operationId"), f"{where}: no operationId"
        assert op.get("tags"), f"{where}: no tags"
        assert op.get("summary"), f"{where}: no summary"
        assert [s for s in op["responses"] if s.startswith("4")], f"{where}: no 4xx responses"


async def test_migrations_match_models_and_go_down_and_up(databases: Any) -> None:
    url = await databases.fresh_url("gateway-migrations")
    assert await migration_faults(url, ALEMBIC_INI, metadata) == []
