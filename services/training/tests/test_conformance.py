"""The training service against the platform's conventions (the checks live in the chassis)."""

from pathlib import Path

from chassis.conformance import ConformanceSuite
from training.app import SPEC
from training.models import metadata, outbox
from training.settings import TrainingSettings


class TestConformance(ConformanceSuite):
    spec = SPEC
    settings_cls = TrainingSettings
    metadata = metadata
    outbox = outbox
    contract_file = Path(__file__).resolve().parents[3] / "contracts" / "training.json"
