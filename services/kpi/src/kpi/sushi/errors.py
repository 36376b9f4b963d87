"""The problems SUSHI endpoints raise, each a kind with its own type."""

from chassis.problems import FieldProblem, NotFound, Unprocessable


class SushiUrlNotAllowed(FieldProblem, Unprocessable):
    """Not a URL the harvester calls: not https, a port outside KPI_SUSHI__PORTS, user info."""

    slug = "sushi-url-not-allowed"


class SushiUrlNotPublic(FieldProblem, Unprocessable):
    """The host resolves to a private, loopback, link-local, NAT64-local or other non-public
    address."""

    slug = "sushi-url-not-public"


class SushiUrlUnresolvable(FieldProblem, Unprocessable):
    slug = "sushi-url-unresolvable"


class SushiEndpointNotFound(NotFound):
    slug = "sushi-endpoint-not-found"


class ProductNotFound(NotFound):
    slug = "product-not-found"
