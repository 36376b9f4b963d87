"""The Kubernetes objects under deploy/k8s, loaded once, and small accessors the checks share."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import yaml

K8S_DIR = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
SECRETS_EXAMPLE = K8S_DIR / "secrets.example.yaml"
NAMESPACE = "library-platform"
AUDIENCE = "library-platform"
CONTAINER_PORT = 8000
SERVICE_PORT = 80
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (what a container must listen on)
TMP = "/tmp"  # noqa: S108 (the writable emptyDir of a read-only container)

# The oldest Kubernetes minor the manifests must apply to, and the newest
# schema that the installed kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30", kubernetes_validate.latest_version())

WORKLOAD_KINDS = ("Deployment", "Job")


@dataclasses.dataclass(frozen=True)
class Manifest:
    path: Path
    index: int  # position of the document in its file
    doc: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.doc["kind"])

    @property
    def name(self) -> str:
        return str(self.doc["metadata"]["name"])

    @property
    def label(self) -> str:
        return f"{self.path.relative_to(K8S_DIR)}#{self.index}:{self.kind}/{self.name}"


def load_docs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def load_manifests() -> list[Manifest]:
    """Every Kubernetes object under deploy/k8s (Kustomizations are not objects)."""
    return [
        Manifest(path, index, doc)
        for path in sorted(K8S_DIR.rglob("*.yaml"))
        for index, doc in enumerate(load_docs(path))
        if doc.get("kind") != "Kustomization"
    ]


MANIFESTS = load_manifests()


def find(manifests: list[Manifest], kind: str, name: str) -> dict[str, Any]:
    hits = [m.doc for m in manifests if m.kind == kind and m.name == name]
    assert len(hits) == 1, f"expected exactly one {kind}/{name}, found {len(hits)}"
    return hits[0]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def only_container(workload: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = pod_spec(workload)["containers"]
    assert len(containers) == 1
    return containers[0]


def workloads(manifests: list[Manifest]) -> Iterator[Manifest]:
    return (m for m in manifests if m.kind in WORKLOAD_KINDS)
