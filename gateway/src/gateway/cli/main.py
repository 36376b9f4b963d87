"""`python -m gateway`: the kit's serve and migrate, and the gateway's own commands bound to them."""

from __future__ import annotations

from collections.abc import Sequence

from chassis.cli import ExtraCommand, service_main
from gateway.app import SPEC, create_app
from gateway.cli.clients import clients_arguments, run_clients
from gateway.cli.demo import run_load_demo
from gateway.cli.keys import keys_arguments, run_keys
from gateway.cli.token import run_token, token_arguments
from gateway.settings import GatewaySettings


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
