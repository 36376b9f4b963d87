"""`python -m gateway`: the kit's serve and migrate, and the gateway's own commands bound to them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from chassis.cli import ExtraCommand, service_main
from chassis.service import ServiceSpec
from gateway.app import VERSION, create_app
from gateway.cli.clients import clients_arguments, run_clients
from gateway.cli.demo import run_load_demo
from gateway.cli.keys import keys_arguments, run_keys
from gateway.cli.token import run_token, token_arguments
from gateway.settings import GatewaySettings

# service_main needs the name, the title and where the migrations are; the routes and the proxy
# come from create_app, so the spec lists no routers and no policy.
SPEC = ServiceSpec(
    name="gateway",
    title="Gateway",
    description="The platform's one address",
    version=VERSION,
    component_dir=Path(__file__).resolve().parents[3],
    routers=(),
    policy={},
)


def main(argv: Sequence[str] | None = None) -> int:
    return service_main(
        SPEC,
        GatewaySettings,
        argv,
        extra={
            "clients": ExtraCommand(
                "register, list, show or revoke API clients; rotate their secrets",
                run_clients,
                clients_arguments,
            ),
            "keys": ExtraCommand(
                "list, add, activate, retire or rotate the token signing keys",
                run_keys,
                keys_arguments,
            ),
            "token": ExtraCommand(
                "print a token signed with the gateway's current key (for local use)",
                run_token,
                token_arguments,
            ),
            "load-demo": ExtraCommand(
                "register one demo client per role (secrets in <data_dir>/demo-clients.json)",
                run_load_demo,
            ),
        },
        app_factory=create_app,
    )
