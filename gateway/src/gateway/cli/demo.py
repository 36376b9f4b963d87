"""`gateway load-demo`: one demo client per role, their secrets in <data_dir>/demo-clients.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from chassis.db import Database
from gateway.clients import clients_named, register_client
from gateway.scopes import Scope
from gateway.settings import GatewaySettings

DEMO_FILE = "demo-clients.json"
# One demo client per role; the scoped ones with real-looking values: Oslo's county number, a
# vendor id shaped like the catalogue's (UUIDv7), the public libraries of Oslo (Deichman) and
# Bergen, by their ISILs in the reference data.
DEMO_SCOPES: dict[str, Scope] = {
    "programme_admin": Scope(),
    "county_admin": Scope(county="03"),
    "vendor": Scope(vendor_id=uuid.UUID("0193a5c2-7b4e-7d21-9f3a-2c6e8b1d4f70")),
    "library": Scope(isil="NO-2030000"),
    "staff": Scope(isil="NO-2120100"),
    "trainer": Scope(),
    "agent": Scope(),
    "analyst": Scope(),
    "partner": Scope(),
    "operator": Scope(),
}


def _write_private_json(path: Path, content: dict[str, Any]) -> None:
    """Replace `path` with `content`, readable by its owner only, never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(content, file, indent=2, sort_keys=True)
        file.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


async def load_demo(settings: GatewaySettings) -> tuple[list[str], list[str]]:
    """Register the demo clients that do not exist yet; their secrets go to demo-clients.json.

    Returns the names created and the names that were there already. A secret cannot be shown
    again, so an existing demo client keeps the entry the file already has for it.
    """
    path = settings.data_dir / DEMO_FILE
    saved: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    names = {role: f"demo-{role}" for role in DEMO_SCOPES}
    created: list[str] = []
    async with (
        Database(settings) as db,
        db.writer() as session,
        session.begin(),
    ):
        existing = await clients_named(session, list(names.values()))
        hasher = PasswordHasher()
        for role, scope in DEMO_SCOPES.items():
            if names[role] in existing:
                continue
            client, secret = await register_client(
                session, name=names[role], role=role, scope=scope, hasher=hasher
            )
            saved[role] = {
                "name": client.name,
                "client_id": client.client_id,
                "client_secret": secret,
                "role": role,
                **scope.claims(),
            }
            created.append(client.name)
        # Written before the commit: should the file fail, no client exists without its secret.
        if created:
            _write_private_json(path, saved)
    return created, sorted(existing)


def run_load_demo(settings: GatewaySettings, args: argparse.Namespace) -> int:
    created, existing = asyncio.run(load_demo(settings))
    for name in created:
        print(f"created {name}")
    if existing:
        print(f"already registered: {', '.join(existing)}")
    if created:
        print(f"secrets of the new demo clients: {settings.data_dir / DEMO_FILE}")
    return 0
