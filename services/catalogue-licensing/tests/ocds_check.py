"""Validation of OCDS exports offline: the official 1.1.5 release-package schema (draft-04, the
schemas registered under their own ids) and the closed codelists, from tests/data/ocds."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT4

OCDS = Path(__file__).parent / "data" / "ocds"
# Closed codelists (OCDS 1.1.5): the path to each coded value in a release, and its list.
CLOSED = {
    "releaseTag.csv": lambda r: r["tag"],
    "initiationType.csv": lambda r: [r["initiationType"]],
    "tenderStatus.csv": lambda r: [r["tender"]["status"]] if "tender" in r else [],
    "method.csv": lambda r: [r["tender"].get("procurementMethod")] if "tender" in r else [],
    "procurementCategory.csv": lambda r: (
        [r["tender"].get("mainProcurementCategory")] if "tender" in r else []
    ),
    "awardStatus.csv": lambda r: [a["status"] for a in r.get("awards", [])],
    "contractStatus.csv": lambda r: [c["status"] for c in r.get("contracts", [])],
    "currency.csv": lambda r: [a["value"]["currency"] for a in r.get("awards", [])],
}
OPEN = {
    "partyRole.csv": lambda r: [role for p in r.get("parties", []) for role in p["roles"]],
    "documentType.csv": lambda r: [
        d["documentType"] for d in r.get("tender", {}).get("documents", [])
    ],
    "milestoneType.csv": lambda r: [m["type"] for m in r.get("tender", {}).get("milestones", [])],
}


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((OCDS / name).read_text(encoding="utf-8"))
    return loaded


def _codes(name: str) -> set[str]:
    with (OCDS / "codelists" / name).open(encoding="utf-8", newline="") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def make_validator() -> Draft4Validator:
    schemas = [_schema("release-schema.json"), _schema("release-package-schema.json")]
    registry: Registry[Any] = Registry().with_resources(
        [(s["id"], DRAFT4.create_resource(s)) for s in schemas]
    )
    return Draft4Validator(schemas[1], registry=registry, format_checker=FormatChecker())


def check(validator: Draft4Validator, package: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    for release in package["releases"]:
        for name, codes in (CLOSED | OPEN).items():
            unknown = {c for c in codes(release) if c is not None} - _codes(name)
            assert unknown == set(), (name, unknown)
