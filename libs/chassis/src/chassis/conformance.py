"""Checks every component runs on itself: policy covers the contract, the matrix of roles holds,
models match migrations, migrations go down and up, the published contract matches the code."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection

from chassis.auth import ROLES
from chassis.db import create_engine
from chassis.migrations import run_on_connection, upgrade_to_head
from chassis.policy import Policy, Rule, authorize, operation_id_of

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in doc.get("paths", {}).items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def policy_gaps(app: FastAPI, policy: Policy) -> list[str]:
    """Operations without a policy entry, and policy entries naming no operation. Pages outside
    the contract (include_in_schema=False: the data portal's) are operations too: the policy
    decides who may open them."""
    ids = {op.get("operationId", f"{m} {p}") for m, p, op in operations(app.openapi())}
    ids |= {
        operation_id_of(route) or route.name
        for route in app.routes
        if isinstance(route, APIRoute)
        and not route.include_in_schema
        and any(d.dependency is authorize for d in route.dependencies)
    }
    missing = sorted(f"no policy for operation {i}" for i in ids - set(policy))
    stale = sorted(f"policy names unknown operation {i}" for i in set(policy) - ids)
    return missing + stale


def _fill_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def rules_from_contract(doc: dict[str, Any]) -> dict[str, Rule]:
    """The policy a published contract states in `x-roles` (operations without it are skipped)."""
    rules = {}
    for _, _, op in operations(doc):
        roles = op.get("x-roles")
        if roles is None:
            continue
        scope = str(op.get("x-scope", ""))
        rules[op["operationId"]] = (
            Rule(roles=frozenset(), scope=scope, public=True)
            if roles == ["anonymous"]
            else Rule(roles=frozenset(roles), scope=scope)
        )
    return rules


async def policy_matrix(
    client: httpx.AsyncClient,
    doc: dict[str, Any],
    policy: Policy,
    token_for: Any,
    *,
    skip_unruled: bool = False,
) -> list[str]:
    """Call every operation of `doc` as every role and as nobody; list each answer that breaks
    the policy. A role outside the rule must get 403; a role inside it must get past
    authorization (anything but 401/403); nobody gets 401 unless the operation is public.
    """
    failures = []
    for method, path, op in operations(doc):
        rule = policy.get(op.get("operationId", ""))
        if rule is None:
            if not skip_unruled:
                failures.append(f"{method} {path}: no policy")
            continue
        url = _fill_path(path)
        body: dict[str, Any] | None = {} if "requestBody" in op else None
        anonymous = await client.request(method, url, json=body)
        if not rule.public and anonymous.status_code != 401:
            failures.append(f"{method} {path} anonymous: {anonymous.status_code}, expected 401")
        for role in sorted(ROLES):
            answer = await client.request(
                method, url, json=body, headers={"Authorization": f"Bearer {token_for(role)}"}
            )
            allowed = rule.public or role in rule.roles
            if allowed and answer.status_code in (401, 403):
                failures.append(f"{method} {path} as {role}: {answer.status_code}, expected access")
            if not allowed and answer.status_code != 403:
                failures.append(f"{method} {path} as {role}: {answer.status_code}, expected 403")
    return failures


def contract_drift(app: FastAPI, contract_file: Path) -> str | None:
    """None when the published contract equals what the code serves, else what differs."""
    served = app.openapi()
    if not contract_file.exists():
        return f"{contract_file} is missing: run `make contracts`"
    published = json.loads(contract_file.read_text())
    if published == served:
        return None
    ours = {f"{m} {p}" for m, p, _ in operations(served)}
    theirs = {f"{m} {p}" for m, p, _ in operations(published)}
    detail = ", ".join(sorted(ours ^ theirs)) or "schemas or descriptions differ"
    return f"{contract_file.name} is out of date ({detail}): run `make contracts`"


def write_document(document: dict[str, Any], contract_file: Path) -> None:
    """Write an OpenAPI document the way every published contract is written (stable diffs)."""
    contract_file.parent.mkdir(parents=True, exist_ok=True)
    contract_file.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def _model_diff(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def migration_faults(url: str, alembic_ini: Path, metadata: MetaData) -> list[str]:
    """On an empty database: up to head, compare with the models, down to base, up again."""
    faults: list[str] = []
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run_on_connection, alembic_ini, upgrade_to_head)
            diff = await conn.run_sync(_model_diff, metadata)
            if diff:
                faults.append(f"models and migrations differ: {diff}")
        async with engine.begin() as conn:
            await conn.run_sync(run_on_connection, alembic_ini, _down)
            left = await conn.run_sync(_tables)
            if left:
                faults.append(f"downgrade to base left tables: {sorted(left)}")
        async with engine.begin() as conn:
            await conn.run_sync(run_on_connection, alembic_ini, upgrade_to_head)
            if await conn.run_sync(_tables) != set(metadata.tables):
                faults.append("upgrade after downgrade did not recreate every table")
    finally:
        await engine.dispose()
    return faults


def _down(config: Any) -> None:
    command.downgrade(config, "base")


class ConformanceSuite:
    """Subclass in a component's tests (as `TestConformance`) and set the class attributes: every
    component then runs the same checks on itself, written once."""

    spec: Any
    settings_cls: Any
    metadata: MetaData
    outbox: Any
    contract_file: Path

    def _app(self) -> FastAPI:
        from chassis.service import build_app

        return build_app(self.settings_cls(), self.spec)

    def test_every_operation_has_a_policy(self) -> None:
        assert policy_gaps(self._app(), self.spec.policy) == []

    def test_published_contract_matches_the_code(self) -> None:
        assert contract_drift(self._app(), self.contract_file) is None

    def test_every_operation_is_documented(self) -> None:
        for method, path, op in operations(self._app().openapi()):
            where = f"{method} {path}"
            assert op.get("operationId"), f"{where}: no operationId"
            assert op.get("tags"), f"{where}: no tags"
            assert op.get("summary"), f"{where}: no summary"
            problems = [s for s in op["responses"] if s.startswith("4")]
            assert problems, f"{where}: declares no 4xx responses"

    async def test_roles_get_exactly_what_the_policy_grants(
        self, service_client: Any, issuer: Any
    ) -> None:
        async with service_client(self.spec, self.settings_cls) as (client, app):
            failures = await policy_matrix(client, app.openapi(), self.spec.policy, issuer.token)
        assert failures == []

    async def test_migrations_match_models_and_go_down_and_up(self, databases: Any) -> None:
        url = await databases.fresh_url(f"{self.spec.name}-migrations")
        assert await migration_faults(url, self.spec.alembic_ini, self.metadata) == []

    async def test_events_feed_serves_committed_events_in_order(
        self, service_client: Any, issuer: Any
    ) -> None:
        from chassis.outbox import EventData, record_event
        from chassis.runtime import app_runtime

        class Recorded(EventData):
            event_type = "test.recorded"
            i: int

        async with service_client(self.spec, self.settings_cls) as (client, app):
            async with app_runtime(app).db.writer() as session, session.begin():
                for i in range(5):
                    await record_event(session, self.outbox, Recorded(i=i), subject=f"s{i}")
            headers = {"Authorization": f"Bearer {issuer.token('operator')}"}
            first = await client.get("/v1/events", params={"limit": 3}, headers=headers)
            assert first.status_code == 200, first.text
            page = first.json()
            assert [e["data"]["i"] for e in page["items"]] == [0, 1, 2]
            assert page["has_more"] is True
            assert 'rel="next"' in first.headers["link"]
            rest = await client.get(
                "/v1/events", params={"after": page["next_after"]}, headers=headers
            )
            assert [e["data"]["i"] for e in rest.json()["items"]] == [3, 4]
            assert rest.json()["has_more"] is False
