"""CORS rules: which operations the merged contract makes public reads, and keeping that current."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.cors import CorsPolicy, PublicReads, is_public

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
OPEN: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]


@pytest.mark.parametrize(
    ("operation", "public"),
    [
        ({"security": OPEN}, True),
        ({"security": []}, True),
        ({"security": [{"clientBasic": []}, {}]}, True),
        ({"security": BEARER}, False),
        ({}, False),  # no declaration: fail closed
        ({"security": "nonsense"}, False),
    ],
)
def test_public_is_what_the_security_requirement_says(
    operation: dict[str, Any], public: bool
) -> None:
    assert is_public(operation) is public


def test_public_reads_follow_the_contract_paths() -> None:
    reads = PublicReads(
        {
            "paths": {
                "/catalogue/v1/libraries/{isil}/catalogue": {"get": {"security": OPEN}},
                "/catalogue/v1/libraries/mine/catalogue": {"get": {"security": BEARER}},
                "/catalogue/v1/products": {"get": {"security": OPEN}},
                "/catalogue/v1/products/{id}": {"get": {"security": OPEN}},
                "/catalogue/v1/products/{id}/offers": {"get": {"security": BEARER}},
                "/kpi/v1/datasets/{id}.csv": {"get": {"security": OPEN}},
                "/training/v1/{anything}/{id}": {"get": {"security": BEARER}},
                "/training/v1/courses/{id}": {"get": {"security": OPEN}},
                "/kpi/v1/events": {"get": {"security": BEARER}, "post": {"security": OPEN}},
            }
        }
    )
    assert "/catalogue/v1/libraries/NO-0030100/catalogue" in reads
    assert "/catalogue/v1/products" in reads
    assert "/catalogue/v1/products/7" in reads
    assert "/kpi/v1/datasets/7.csv" in reads
    assert "/openapi.json" in reads
    # A concrete path wins over a template; a parameter is one segment, never more or less.
    assert "/catalogue/v1/libraries/mine/catalogue" not in reads
    assert "/catalogue/v1/libraries/a/b/catalogue" not in reads
    assert "/catalogue/v1/libraries//catalogue" not in reads
    assert "/catalogue/v1/products/7/offers" not in reads
    assert "/catalogue/v1/products/7/" not in reads
    # Where a public and a private template both match, the private one wins.
    assert "/training/v1/courses/7" not in reads
    # Only GET makes a public read; a public POST does not.
    assert "/kpi/v1/events" not in reads
    assert "/unknown" not in reads


def test_regex_characters_in_paths_are_literal() -> None:
    reads = PublicReads({"paths": {"/a/v1/x.y+z/{id}": {"get": {"security": OPEN}}}})
    assert "/a/v1/x.y+z/1" in reads
    assert "/a/v1/xxyyz/1" not in reads


class Contract:
    """A contract source whose document can change, fail, or take its time."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.loads = 0
        self.fail = False
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> dict[str, Any]:
        self.loads += 1
        await self.gate.wait()
        if self.fail:
            raise ConnectionError("the services are not answering")
        return self.document


def one_public(path: str) -> dict[str, Any]:
    return {"paths": {path: {"get": {"security": OPEN}}}}


async def test_a_browser_waits_for_the_first_contract_others_do_not() -> None:
    contract = Contract(one_public("/a/v1/x"))
    contract.gate.clear()
    policy = CorsPolicy([], max_age_seconds=5, load_contract=contract)
    try:
        # Not a browser: no waiting, the load starts in the background.
        assert await policy.public_reads(wait=False) is None
        contract.gate.set()
        reads = await policy.public_reads(wait=True)
        assert reads is not None
        assert "/a/v1/x" in reads
    finally:
        await policy.close()


async def test_a_changed_contract_is_picked_up_and_a_failed_load_keeps_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("gateway.cors.RECHECK_SECONDS", 0.0)
    contract = Contract(one_public("/a/v1/x"))
    policy = CorsPolicy([], max_age_seconds=5, load_contract=contract)
    try:
        first = await policy.public_reads(wait=True)
        assert first is not None
        contract.document = one_public("/a/v1/y")
        # Stale while the new one loads in the background, then the new one.
        assert await policy.public_reads(wait=True) is first
        await asyncio.sleep(0)
        current = await policy.public_reads(wait=True)
        assert current is not None
        assert "/a/v1/y" in current
        contract.fail = True
        await asyncio.sleep(0)
        kept = await policy.public_reads(wait=True)
        await asyncio.sleep(0)
        assert kept is not None
        assert "/a/v1/y" in kept
    finally:
        await policy.close()


def test_a_preflight_from_a_listed_origin_names_it() -> None:
    async def never() -> dict[str, Any]:
        raise AssertionError("not needed")

    policy = CorsPolicy(["https://a.example"], max_age_seconds=60, load_contract=never)
    headers = dict(policy.preflight(b"https://a.example", b"DELETE", public=False) or [])
    assert headers[b"access-control-allow-origin"] == b"https://a.example"
    assert headers[b"access-control-max-age"] == b"60"
    assert policy.preflight(b"https://b.example", b"GET", public=False) is None
    assert policy.preflight(b"https://b.example", b"POST", public=True) is None
