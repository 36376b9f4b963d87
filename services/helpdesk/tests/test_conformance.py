"""The helpdesk service against the platform's conventions (the checks live in the chassis)."""

from pathlib import Path

from chassis.conformance import ConformanceSuite
from helpdesk.app import SPEC
from helpdesk.models import metadata, outbox
from helpdesk.settings import HelpdeskSettings


class TestConformance(ConformanceSuite):
    spec = SPEC
    settings_cls = HelpdeskSettings
    metadata = metadata
    outbox = outbox
    contract_file = Path(__file__).resolve().parents[3] / "contracts" / "helpdesk.json"
