"""Generated requests from the published contracts against the running platform: no 5xx, every
answer documented and shaped as the contract says, invalid input refused, auth enforced."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from platform_components import GATEWAY, SERVICES
from running_platform import PLATFORM

pytestmark = pytest.mark.processes


@schemathesis.auth()
class OperatorToken:
    """Every generated request carries an operator token, except the ones schemathesis strips it
    from on purpose to check that auth is enforced."""

    def get(self, case, context):
        return PLATFORM.token("operator")

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# The gateway's contract holds its own operations and every service's, under the service's prefix.
# The services' operations are fuzzed in full against each service; through the gateway they are
# fuzzed again only lightly (THROUGH_THE_GATEWAY examples each), which checks that the gateway
# keeps their contract (prefixes, problems' instance, headers) without paying for the same
# generated bodies twice: the whole run took 16 minutes when both had 40 examples.
SERVICE_PREFIXES = "|".join(component.name for component in SERVICES)
PROXIED = rf"^/({SERVICE_PREFIXES})/"
THROUGH_THE_GATEWAY = 6
gateway_schema = schemathesis.openapi.from_path(GATEWAY.contract_file)
# A body larger than the edge takes (a generated string far past its maxLength, say) is refused
# by the gateway before the service sees it: 413, declared in the merged contract, is a rejection.
rejections = gateway_schema.config.checks.negative_data_rejection
rejections.expected_statuses = [*rejections.expected_statuses, "413"]
schemas = {
    **{
        component.name: schemathesis.openapi.from_path(component.contract_file)
        for component in SERVICES
    },
    GATEWAY.name: gateway_schema.exclude(path_regex=PROXIED),
}
# Which component serves a contract, by the contract's file.
SERVED_BY = {component.contract_file.as_uri(): component.name for component in SERVICES}


def _call(case, platform):
    service = SERVED_BY.get(case.operation.schema.location or "")
    base = platform.service(service) if service else platform.gateway
    positive = (
        case.meta is None or case.meta.generation.mode is schemathesis.GenerationMode.POSITIVE
    )
    if positive and case.query and "cursor" in case.query:
        # A cursor is opaque: only one the API issued is valid, and no schema can say which
        # those are, so a generated one is refused (400), as it should be. Lists are fuzzed from
        # their first page; the kit's tests cover foreign and damaged cursors. A negative case
        # keeps its cursor: taking it away could take away the very thing made invalid.
        case.query = {name: value for name, value in case.query.items() if name != "cursor"}
    case.call_and_validate(base_url=base)


@schemathesis.pytest.parametrize(**schemas)
@settings(
    max_examples=40,
    deadline=None,
    # The same cases on every run: CI never fails by chance; widen max_examples to explore.
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_contract_holds_against_the_running_platform(case, platform):
    _call(case, platform)


@gateway_schema.include(path_regex=PROXIED).parametrize()
@settings(
    max_examples=THROUGH_THE_GATEWAY,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_services_contracts_hold_through_the_gateway(case, platform):
    _call(case, platform)
