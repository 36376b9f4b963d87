"""The structure of the manifests under deploy/k8s: each component's resources, probes, security,
resources and wiring. (Schema validation: test_k8s_schemas.py.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from k8s_objects import (
    ALL_INTERFACES,
    AUDIENCE,
    CONTAINER_PORT,
    MANIFESTS,
    NAMESPACE,
    SECRETS_EXAMPLE,
    SERVICE_PORT,
    TMP,
    WORKLOAD_KINDS,
    Manifest,
    find,
    load_docs,
    only_container,
    pod_spec,
    workloads,
)

# --- namespace and metadata ------------------------------------------------------


def test_namespace_enforces_the_restricted_pod_security_standard(
    deployed: list[Manifest],
) -> None:
    namespace = find(deployed, "Namespace", NAMESPACE)
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda m: m.label)
def test_every_object_lives_in_the_platform_namespace(manifest: Manifest) -> None:
    if manifest.kind != "Namespace":
        assert manifest.doc["metadata"].get("namespace") == NAMESPACE


# --- per component ---------------------------------------------------------------


def test_component_has_its_resources(component: Any, deployed: list[Manifest]) -> None:
    present = {(m.kind, m.name) for m in deployed}
    expected = {
        ("Deployment", component.name),
        ("Service", component.name),
        ("PodDisruptionBudget", component.name),
        ("Job", f"{component.name}-migrate"),
        ("ConfigMap", f"{component.name}-config"),
    }
    assert expected <= present
    files = {m.path.parent.name for m in deployed if m.name.startswith(component.name)}
    assert files == {component.name}, "a component's manifests live in its own folder"


def test_deployment_runs_replicas_and_rolls_without_downtime(
    component: Any, deployed: list[Manifest]
) -> None:
    spec = find(deployed, "Deployment", component.name)["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"]["type"] == "RollingUpdate"
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_containers_run_the_component_commands(component: Any, deployed: list[Manifest]) -> None:
    server = only_container(find(deployed, "Deployment", component.name))
    migration = only_container(find(deployed, "Job", f"{component.name}-migrate"))
    assert server["command"] == ["python", "-m", component.package, "serve"]
    assert migration["command"] == ["python", "-m", component.package, "migrate"]
    assert server["image"] == migration["image"]
    assert server["image"].startswith(f"library-platform/{component.name}:")
    assert not server["image"].endswith(":latest")


def test_probes(component: Any, deployed: list[Manifest]) -> None:
    container = only_container(find(deployed, "Deployment", component.name))
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    paths = {}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = container[probe]["httpGet"]
        assert ports.get(get["port"], get["port"]) == CONTAINER_PORT, probe
        paths[probe] = get["path"]
    assert paths["livenessProbe"] == "/health/live"
    assert paths["startupProbe"] == "/health/live"
    assert paths["readinessProbe"] == component.ready_path


def test_service_routes_port_80_to_the_deployment_pods_only(
    component: Any, deployed: list[Manifest]
) -> None:
    service = find(deployed, "Service", component.name)["spec"]
    deployment = find(deployed, "Deployment", component.name)
    job = find(deployed, "Job", f"{component.name}-migrate")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    job_labels = job["spec"]["template"]["metadata"]["labels"]
    selector = service["selector"]

    assert service.get("type", "ClusterIP") == "ClusterIP"
    assert selector.items() <= pod_labels.items()
    assert not selector.items() <= job_labels.items(), "the Service must not select Job pods"
    [port] = service["ports"]
    ports = {p["name"]: p["containerPort"] for p in only_container(deployment)["ports"]}
    assert port["port"] == SERVICE_PORT
    assert ports.get(port["targetPort"], port["targetPort"]) == CONTAINER_PORT


def test_deployment_selector_matches_its_pods(component: Any, deployed: list[Manifest]) -> None:
    spec = find(deployed, "Deployment", component.name)["spec"]
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()


def test_disruption_budget_keeps_one_pod(component: Any, deployed: list[Manifest]) -> None:
    pdb = find(deployed, "PodDisruptionBudget", component.name)["spec"]
    deployment = find(deployed, "Deployment", component.name)["spec"]
    assert pdb["minAvailable"] == 1
    assert pdb["selector"] == deployment["selector"]


def env_sources(container: dict[str, Any]) -> tuple[set[str], dict[str, tuple[str, str]]]:
    """The ConfigMaps a container reads whole, and its variables taken from Secrets."""
    config_maps = {e["configMapRef"]["name"] for e in container.get("envFrom", [])}
    from_secrets = {
        e["name"]: (e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
        for e in container.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    return config_maps, from_secrets


def test_settings_come_from_the_configmap_and_the_secret(
    component: Any, deployed: list[Manifest]
) -> None:
    config = find(deployed, "ConfigMap", f"{component.name}-config")["data"]
    p = component.prefix
    for workload in (
        find(deployed, "Deployment", component.name),
        find(deployed, "Job", f"{component.name}-migrate"),
    ):
        container = only_container(workload)
        config_maps, from_secrets = env_sources(container)
        assert config_maps == {f"{component.name}-config"}
        assert from_secrets[f"{p}DATABASE_URL"] == (f"{component.name}-secrets", "database-url")
        plain = [e["name"] for e in container.get("env", []) if "value" in e]
        assert plain == [], "literal values belong in the ConfigMap"

    assert all(key.startswith(p) for key in config), f"every key starts with {p}"
    assert f"{p}DATABASE_URL" not in config
    assert config[f"{p}HOST"] == ALL_INTERFACES
    assert config[f"{p}PORT"] == str(CONTAINER_PORT)
    assert config[f"{p}LOG_FORMAT"] == "json"
    assert config[f"{p}LOG_LEVEL"] == "INFO"


SECRET_LOOKING = re.compile(r"PASSWORD|SECRET|TOKEN|DATABASE_URL|REDIS_URL|_KEY$")


@pytest.mark.parametrize(
    "manifest", [m for m in MANIFESTS if m.kind == "ConfigMap"], ids=lambda m: m.label
)
def test_configmaps_hold_no_secrets(manifest: Manifest) -> None:
    leaks = [key for key in manifest.doc["data"] if SECRET_LOOKING.search(key)]
    assert leaks == []


def test_services_verify_tokens_from_the_gateway(
    service: Any, gateway: Any, deployed: list[Manifest]
) -> None:
    config = find(deployed, "ConfigMap", f"{service.name}-config")["data"]
    gateway_config = find(deployed, "ConfigMap", f"{gateway.name}-config")["data"]
    p = service.prefix
    issuer = gateway_config["GATEWAY_ISSUER"]
    assert config[f"{p}AUTH__ISSUER"] == issuer
    assert config[f"{p}AUTH__AUDIENCE"] == gateway_config["GATEWAY_AUDIENCE"] == AUDIENCE
    jwks = urlsplit(config[f"{p}AUTH__JWKS_URL"])
    assert jwks.path == "/.well-known/jwks.json"
    assert in_cluster_service(jwks.netloc) == gateway.name


def in_cluster_service(netloc: str) -> str:
    """`name.library-platform.svc` (port 80 implied) → `name`."""
    host, _, port = netloc.partition(":")
    name, _, rest = host.partition(".")
    assert rest in ("", NAMESPACE, f"{NAMESPACE}.svc", f"{NAMESPACE}.svc.cluster.local")
    assert port in ("", str(SERVICE_PORT))
    return name


def test_gateway_upstreams_are_the_service_objects(
    gateway: Any,
    services: tuple[Any, ...],
    upstream_setting: dict[str, str],
    deployed: list[Manifest],
) -> None:
    config = find(deployed, "ConfigMap", f"{gateway.name}-config")["data"]
    for service in services:
        url = urlsplit(config[upstream_setting[service.name]])
        assert url.scheme == "http"
        assert in_cluster_service(url.netloc) == service.name
        find(deployed, "Service", service.name)


def test_gateway_takes_its_database_and_signing_key_from_secrets(
    gateway: Any, deployed: list[Manifest]
) -> None:
    deployment = find(deployed, "Deployment", gateway.name)
    container = only_container(deployment)
    config = find(deployed, "ConfigMap", f"{gateway.name}-config")["data"]
    _, from_secrets = env_sources(container)
    assert from_secrets["GATEWAY_DATABASE_URL"] == ("gateway-secrets", "database-url")

    key_file = Path(config["GATEWAY_SIGNING_KEY_FILE"])
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    [mount] = [m for m in container["volumeMounts"] if Path(m["mountPath"]) == key_file.parent]
    assert mount["readOnly"] is True
    secret = volumes[mount["name"]]["secret"]
    assert secret["secretName"] == "gateway-signing-key"
    assert "items" not in secret, "the whole Secret is mounted: its key is the file name"
    assert secret_keys()["gateway-signing-key"] == {key_file.name}


# --- every workload ----------------------------------------------------------------


@pytest.mark.parametrize(
    "manifest", [m for m in MANIFESTS if m.kind in WORKLOAD_KINDS], ids=lambda m: m.label
)
def test_pods_meet_the_restricted_standard(manifest: Manifest) -> None:
    spec = pod_spec(manifest.doc)
    pod_security = spec["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] != 0
    assert pod_security["seccompProfile"]["type"] == "RuntimeDefault"
    assert spec["automountServiceAccountToken"] is False
    assert spec["enableServiceLinks"] is False, "service links collide with settings prefixes"
    writable = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
    for container in spec["containers"]:
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"]
        assert "add" not in security["capabilities"]
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        assert mounts.get(TMP) in writable, "a read-only root needs a writable /tmp"


UNITS = {"m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(value: str | int) -> float:
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value))
    assert match, f"not a quantity: {value!r}"
    return float(match[1]) * UNITS[match[2]]


@pytest.mark.parametrize(
    "manifest", [m for m in MANIFESTS if m.kind in WORKLOAD_KINDS], ids=lambda m: m.label
)
def test_containers_request_and_limit_cpu_and_memory(manifest: Manifest) -> None:
    for container in pod_spec(manifest.doc)["containers"]:
        resources = container["resources"]
        for resource in ("cpu", "memory"):
            request = quantity(resources["requests"][resource])
            limit = quantity(resources["limits"][resource])
            assert 0 < request <= limit, f"{container['name']} {resource}"


def test_migration_jobs_run_once_and_stop(deployed: list[Manifest]) -> None:
    for job in (m.doc for m in deployed if m.kind == "Job"):
        assert pod_spec(job)["restartPolicy"] == "Never"
        assert job["spec"]["backoffLimit"] <= 5
        assert job["spec"]["activeDeadlineSeconds"] > 0


# --- the example Secrets -------------------------------------------------------------


def secret_keys() -> dict[str, set[str]]:
    return {
        doc["metadata"]["name"]: set(doc["stringData"])
        for doc in load_docs(SECRETS_EXAMPLE)
        if doc["kind"] == "Secret"
    }


def referenced_secrets(deployed: list[Manifest]) -> tuple[set[tuple[str, str]], set[str]]:
    """The (Secret, key) pairs read into variables, and the Secrets mounted whole."""
    keys: set[tuple[str, str]] = set()
    mounted: set[str] = set()
    for manifest in workloads(deployed):
        spec = pod_spec(manifest.doc)
        for container in spec["containers"]:
            keys |= set(env_sources(container)[1].values())
        mounted |= {v["secret"]["secretName"] for v in spec.get("volumes", []) if "secret" in v}
    return keys, mounted


def test_example_secrets_have_every_referenced_key_and_no_other(
    deployed: list[Manifest],
) -> None:
    example = secret_keys()
    keys, mounted = referenced_secrets(deployed)
    assert set(example) == {name for name, _ in keys} | mounted
    for name, key in keys:
        assert key in example[name], f"{name} lacks {key}"
    unused = {
        (name, key)
        for name, their_keys in example.items()
        if name not in mounted
        for key in their_keys
        if (name, key) not in keys
    }
    assert unused == set()


def test_the_operators_readme_names_every_secret_and_key_the_manifests_read(
    deployed: list[Manifest],
) -> None:
    # A Secret key the README leaves out is a pod that never starts (the gateway's redis-url).
    readme = (Path(__file__).resolve().parents[2] / "deploy" / "README.md").read_text()
    keys, mounted = referenced_secrets(deployed)
    named = {n for pair in keys for n in pair} | mounted | {f.name for f in _mounted_files()}
    missing = sorted(n for n in named if f"`{n}`" not in readme)
    assert missing == [], f"deploy/README.md does not name {missing}"


def _mounted_files() -> list[Path]:
    return [Path(key) for keys in secret_keys().values() for key in keys if "." in key]


def test_example_secrets_are_placeholders() -> None:
    for doc in load_docs(SECRETS_EXAMPLE):
        for key, value in doc["stringData"].items():
            assert "REPLACE-ME" in value, f"{doc['metadata']['name']}/{key}"


# --- the same settings in compose and in Kubernetes -------------------------------------


def test_compose_and_kubernetes_set_the_same_settings(
    component: Any, deployed: list[Manifest], compose: dict[str, Any]
) -> None:
    config = find(deployed, "ConfigMap", f"{component.name}-config")["data"]
    _, from_secrets = env_sources(only_container(find(deployed, "Deployment", component.name)))
    in_compose = set(compose["services"][component.name]["environment"])
    assert set(config) | set(from_secrets) == in_compose


def test_gateway_replicas_share_rate_limits_in_redis(
    gateway: Any, deployed: list[Manifest]
) -> None:
    deployment = find(deployed, "Deployment", gateway.name)
    assert deployment["spec"]["replicas"] >= 2
    _, from_secrets = env_sources(only_container(deployment))
    assert from_secrets["GATEWAY_REDIS_URL"] == ("gateway-secrets", "redis-url")
    assert "redis-url" in secret_keys()["gateway-secrets"]
    config = find(deployed, "ConfigMap", f"{gateway.name}-config")["data"]
    assert config["GATEWAY_TRUSTED_PROXIES"]
    for kind in ("CLIENT", "ADDRESS", "AUTH"):
        assert float(config[f"GATEWAY_RATE_LIMIT_{kind}_PER_SECOND"]) > 0
        assert int(config[f"GATEWAY_RATE_LIMIT_{kind}_BURST"]) >= 1
