"""The Kubernetes manifests under deploy/k8s validate strictly (unknown fields are errors)
against the Kubernetes OpenAPI schemas that the kubernetes-validate package ships, for the oldest
Kubernetes minor we support and for the newest one it knows; kustomize renders the same objects.
See docs/decisions/0003-deploy-validation.md.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from k8s_objects import (
    K8S_DIR,
    KUBERNETES_VERSIONS,
    MANIFESTS,
    NAMESPACE,
    SECRETS_EXAMPLE,
    Manifest,
    load_docs,
)

# --- schema validation -------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda m: m.label)
def test_manifest_validates_strictly(manifest: Manifest, version: str) -> None:
    try:
        kubernetes_validate.validate(manifest.doc, version, strict=True)
    except kubernetes_validate.ValidationError as e:
        where = ".".join(str(p) for p in e.path)
        pytest.fail(f"{manifest.label} against {version}: {where}: {e.message}")


def test_strict_validation_rejects_an_unknown_field() -> None:
    """The control: a misspelt field must fail, or the check above proves nothing."""
    doc = copy.deepcopy(next(m.doc for m in MANIFESTS if m.kind == "Deployment"))
    kubernetes_validate.validate(doc, KUBERNETES_VERSIONS[-1], strict=True)
    doc["spec"]["template"]["spec"]["containers"][0]["readynessProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, KUBERNETES_VERSIONS[-1], strict=True)


def test_there_are_manifests_to_check() -> None:
    assert len(MANIFESTS) >= 5 * 5 + 1


# --- kustomize -----------------------------------------------------------------


def kustomize_resources(directory: Path) -> set[Path]:
    """The manifest files a kustomization includes, following sub-directories."""
    [kustomization] = load_docs(directory / "kustomization.yaml")
    files: set[Path] = set()
    for entry in kustomization.get("resources", []):
        target = (directory / entry).resolve()
        assert target.exists(), f"{directory}/kustomization.yaml lists missing {entry}"
        files |= kustomize_resources(target) if target.is_dir() else {target}
    return files


def test_kustomization_includes_every_manifest_but_the_example_secrets() -> None:
    included = kustomize_resources(K8S_DIR)
    manifest_files = {m.path.resolve() for m in MANIFESTS}
    assert SECRETS_EXAMPLE.resolve() not in included
    assert included == manifest_files - {SECRETS_EXAMPLE.resolve()}


def test_kustomization_sets_the_namespace() -> None:
    [kustomization] = load_docs(K8S_DIR / "kustomization.yaml")
    assert kustomization["namespace"] == NAMESPACE


def test_kustomize_build_renders_valid_objects(deployed: list[Manifest]) -> None:
    """`kubectl kustomize` (kustomize built into kubectl) renders without a cluster."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the kustomize rendering is not checked")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d is not None]
    assert sorted((d["kind"], d["metadata"]["name"]) for d in rendered) == sorted(
        (m.kind, m.name) for m in deployed
    )
    for doc in rendered:
        kubernetes_validate.validate(doc, KUBERNETES_VERSIONS[-1], strict=True)
