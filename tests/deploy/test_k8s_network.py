"""How traffic reaches the platform in Kubernetes (issue 15, point 15): through an Ingress with
TLS to the gateway only, and from the gateway only to the services (a NetworkPolicy)."""

from __future__ import annotations

from typing import Any

from k8s_objects import Manifest, find, only_container, pod_spec

GATEWAY_NAME = "gateway"
SCRAPE_LABEL = "library-platform.example/scrape"


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels, matchExpressions) selects these labels."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        value = labels.get(expression["key"])
        operator = expression["operator"]
        if operator == "In" and value not in expression["values"]:
            return False
        if operator == "NotIn" and value in expression["values"]:
            return False
        if operator == "Exists" and value is None:
            return False
        if operator == "DoesNotExist" and value is not None:
            return False
    return True


def _pod_labels(deployed: list[Manifest], name: str) -> dict[str, str]:
    labels: dict[str, str] = find(deployed, "Deployment", name)["spec"]["template"]["metadata"][
        "labels"
    ]
    return labels


def _ingress_policies(deployed: list[Manifest], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        m.doc["spec"]
        for m in deployed
        if m.kind == "NetworkPolicy"
        and "Ingress" in m.doc["spec"].get("policyTypes", ["Ingress"])
        and _selects(m.doc["spec"]["podSelector"], labels)
    ]


def test_only_the_gateway_reaches_a_service(service: Any, deployed: list[Manifest]) -> None:
    labels = _pod_labels(deployed, service.name)
    policies = _ingress_policies(deployed, labels)
    assert policies, f"no NetworkPolicy restricts who reaches {service.name}"
    gateway = _pod_labels(deployed, GATEWAY_NAME)
    port = only_container(find(deployed, "Deployment", service.name))["ports"][0]
    admitted_gateway = False
    for policy in policies:
        for rule in policy.get("ingress", []):
            peers = rule.get("from")
            assert peers, "a rule without `from` admits every pod and address"
            for peer in peers:
                assert "ipBlock" not in peer, "no address range reaches a service"
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    # A pod of this namespace: the gateway's pods and no other component's.
                    assert _selects(peer["podSelector"], gateway)
                    admitted_gateway = True
                else:
                    # Another namespace, only one its operator labelled for scraping.
                    assert peer["namespaceSelector"]["matchLabels"] == {SCRAPE_LABEL: "true"}
            assert [p["port"] for p in rule["ports"]] in ([port["name"]], [port["containerPort"]])
    assert admitted_gateway


def test_no_other_component_is_admitted_as_the_gateway(deployed: list[Manifest]) -> None:
    gateway = _pod_labels(deployed, GATEWAY_NAME)
    for manifest in deployed:
        if manifest.kind == "Deployment" and manifest.name != GATEWAY_NAME:
            others = manifest.doc["spec"]["template"]["metadata"]["labels"]
            for policy in _ingress_policies(deployed, others):
                for rule in policy["ingress"]:
                    for peer in rule["from"]:
                        if "podSelector" in peer:
                            assert not _selects(peer["podSelector"], others)
                            assert _selects(peer["podSelector"], gateway)


def test_the_gateway_stays_reachable_for_the_ingress_controller(deployed: list[Manifest]) -> None:
    assert _ingress_policies(deployed, _pod_labels(deployed, GATEWAY_NAME)) == []


def test_the_ingress_serves_the_gateway_over_tls_only(deployed: list[Manifest]) -> None:
    ingresses = [m.doc for m in deployed if m.kind == "Ingress"]
    assert len(ingresses) == 1
    [ingress] = ingresses
    spec = ingress["spec"]
    tls_hosts = {host for entry in spec["tls"] for host in entry["hosts"]}
    assert all(entry["secretName"] for entry in spec["tls"])
    service = find(deployed, "Service", GATEWAY_NAME)
    service_ports = {p["name"] for p in service["spec"]["ports"]} | {
        p["port"] for p in service["spec"]["ports"]
    }
    for rule in spec["rules"]:
        assert rule["host"] in tls_hosts, f"{rule['host']} would be served without TLS"
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == GATEWAY_NAME
            assert next(iter(backend["port"].values())) in service_ports
    annotations = ingress["metadata"].get("annotations", {})
    assert annotations.get("nginx.ingress.kubernetes.io/force-ssl-redirect") == "true"


def test_the_services_pods_have_the_labels_the_policy_selects(
    service: Any, deployed: list[Manifest]
) -> None:
    # A label renamed in a Deployment would silently drop its pods out of the policy.
    spec = pod_spec(find(deployed, "Deployment", service.name))
    assert spec["containers"], service.name
    assert _ingress_policies(deployed, _pod_labels(deployed, service.name))
