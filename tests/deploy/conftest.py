"""Shared facts and loaders for the deployment checks.

The conventions (names, packages, settings prefixes, databases) are written down
here once; the tests compare the Kubernetes manifests, docker-compose.yml, the
PostgreSQL init script and the Dockerfiles against them and against each other.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"


@dataclasses.dataclass(frozen=True)
class Component:
    name: str  # Kubernetes and compose name; also the uv package name
    directory: str  # in the repository
    package: str  # Python package: `python -m <package> serve|migrate`
    prefix: str  # settings prefix of its environment variables
    database: str  # its PostgreSQL database

    @property
    def is_gateway(self) -> bool:
        return self.name == "gateway"

    @property
    def ready_path(self) -> str:
        """The readiness path. Every component's own: the gateway's says its database is migrated
        and its keys loaded, and stays ready while an upstream is down."""
        return "/health/ready"


SERVICES = (
    Component(
        "catalogue-licensing",
        "services/catalogue-licensing",
        "catalogue_licensing",
        "CATALOGUE_",
        "catalogue",
    ),
    Component("training", "services/training", "training", "TRAINING_", "training"),
    Component("helpdesk", "services/helpdesk", "helpdesk", "HELPDESK_", "helpdesk"),
    Component("kpi", "services/kpi", "kpi", "KPI_", "kpi"),
)
GATEWAY = Component("gateway", "gateway", "gateway", "GATEWAY_", "gateway")
COMPONENTS = (*SERVICES, GATEWAY)

# The gateway's setting that holds each service's base URL.
UPSTREAM_SETTING = {
    "catalogue-licensing": "GATEWAY_CATALOGUE_URL",
    "training": "GATEWAY_TRAINING_URL",
    "helpdesk": "GATEWAY_HELPDESK_URL",
    "kpi": "GATEWAY_KPI_URL",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`component` runs a test for all five components, `service` for the four services."""
    if "component" in metafunc.fixturenames:
        metafunc.parametrize("component", COMPONENTS, ids=lambda c: c.name)
    if "service" in metafunc.fixturenames:
        metafunc.parametrize("service", SERVICES, ids=lambda c: c.name)


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    """docker-compose.yml with its anchors and merge keys resolved."""
    with COMPOSE_FILE.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="session")
def gateway() -> Component:
    return GATEWAY


@pytest.fixture(scope="session")
def services() -> tuple[Component, ...]:
    return SERVICES


@pytest.fixture(scope="session")
def upstream_setting() -> dict[str, str]:
    return UPSTREAM_SETTING


@pytest.fixture(scope="module")
def deployed() -> list[Any]:
    """The objects that `kubectl apply -k deploy/k8s` creates (no example Secrets)."""
    from k8s_objects import MANIFESTS, SECRETS_EXAMPLE

    return [m for m in MANIFESTS if m.path != SECRETS_EXAMPLE]
