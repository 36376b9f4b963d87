"""The kpi service against the platform's conventions (the checks live in the chassis)."""

from pathlib import Path

from chassis.conformance import ConformanceSuite
from kpi.app import SPEC
from kpi.models import metadata, outbox
from kpi.settings import KpiSettings


class TestConformance(ConformanceSuite):
    spec = SPEC
    settings_cls = KpiSettings
    metadata = metadata
    outbox = outbox
    contract_file = Path(__file__).resolve().parents[3] / "contracts" / "kpi.json"
