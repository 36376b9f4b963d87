"""The catalogue-licensing service against the platform's conventions (the checks live in the chassis)."""

from pathlib import Path

from catalogue_licensing.app import SPEC
from catalogue_licensing.models import metadata, outbox
from catalogue_licensing.settings import CatalogueSettings
from chassis.conformance import ConformanceSuite


class TestConformance(ConformanceSuite):
    spec = SPEC
    settings_cls = CatalogueSettings
    metadata = metadata
    outbox = outbox
    contract_file = Path(__file__).resolve().parents[3] / "contracts" / "catalogue-licensing.json"
