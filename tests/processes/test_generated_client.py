"""A partner's client, generated from contracts/gateway.json by a real generator, against the
running platform: the contract is only as good as the code a partner gets from it."""

import importlib
import os
import subprocess
import sys
import uuid
from http import HTTPStatus
from pathlib import Path

import pytest

from running_platform import ROOT

pytestmark = pytest.mark.processes

PACKAGE = "platform_client"
GENERATOR_CONFIG = Path(__file__).with_name("openapi-python-client.yaml")
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# Seconds: about 20 on a quiet 2-core machine, generation and the generator's ruff hooks.
GENERATE_TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package generated from the published contract, importable while the module
    runs, and what the generator printed."""
    folder = tmp_path_factory.mktemp("generated")
    # The generator formats its output with ruff from PATH, as it would on a partner's machine.
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(ROOT / "contracts" / "gateway.json"),
            "--meta",
            "none",
            "--config",
            str(GENERATOR_CONFIG),
            "--output-path",
            str(folder / PACKAGE),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=GENERATE_TIMEOUT_SECONDS,
        check=False,
    )
    sys.path.insert(0, str(folder))
    try:
        yield run
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def load(module):
    return importlib.import_module(f"{PACKAGE}.{module}")


def test_the_generator_prints_no_warning(generated):
    printed = (generated.stdout + generated.stderr).strip().splitlines()
    assert generated.returncode == 0, printed
    # All it says is where it generated: a warning means a part of the client is missing.
    assert [line for line in printed if not line.startswith("Generating ")] == []


def token_from_the_generated_client(platform, client_module):
    """An access token the way a partner gets one: the generated call of POST /auth/token, with
    a demo client's id and secret in the form."""
    issue_token = load("api.auth.issue_token")
    body_module = load("models.issue_token_body")
    grant_module = load("models.issue_token_body_grant_type")
    demo = platform.demo_clients()["programme_admin"]
    with client_module.Client(base_url=platform.gateway) as anonymous:
        answer = issue_token.sync_detailed(
            client=anonymous,
            body=body_module.IssueTokenBody(
                grant_type=grant_module.IssueTokenBodyGrantType.CLIENT_CREDENTIALS,
                client_id=demo["client_id"],
                client_secret=demo["client_secret"],
            ),
        )
    assert answer.status_code == HTTPStatus.OK, answer.content
    assert isinstance(answer.parsed, load("models.token_response").TokenResponse)
    return answer.parsed.access_token


def test_the_generated_client_reads_lists_and_gets_problems(platform, generated):
    assert generated.returncode == 0, generated.stderr
    client_module = load("client")
    models = load("models")

    # A public read, without a token: parsed into its model (it was None before decision 0016).
    # The generator types it as needing an AuthenticatedClient; a plain one is what it needs.
    with client_module.Client(base_url=platform.gateway) as anonymous:
        listing = load("api.catalogue.catalogue_list_catalogue_products").sync_detailed(
            client=anonymous
        )
    assert listing.status_code == HTTPStatus.OK, listing.content
    assert isinstance(listing.parsed, models.CatalogueProductListing)
    assert listing.parsed.items
    assert all(isinstance(item, models.CatalogueCatalogueProduct) for item in listing.parsed.items)

    token = token_from_the_generated_client(platform, client_module)
    with client_module.AuthenticatedClient(base_url=platform.gateway, token=token) as authorised:
        vendors = load("api.vendors.catalogue_list_vendors").sync_detailed(client=authorised)
        missing = load("api.vendors.catalogue_get_vendor").sync_detailed(
            vendor_id=uuid.uuid4(), client=authorised
        )
    assert vendors.status_code == HTTPStatus.OK, vendors.content
    assert isinstance(vendors.parsed, models.CataloguePageVendorOut)
    assert "Nordlys Lydbok AS" in {vendor.name for vendor in vendors.parsed.items}
    first = vendors.parsed.items[0]
    assert isinstance(first, models.CatalogueVendorOut)
    assert all(isinstance(c, models.CatalogueVendorsContactOut) for c in first.contacts)

    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert isinstance(missing.parsed, models.Problem)
    assert missing.parsed.status == 404
    assert missing.parsed.title
