"""The proxy's ASGI entry: which requests go to a service, checked at the edge; the kpi service's
public portal pages; the liveness probe."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.auth import AuthError, Principal, bearer_token
from chassis.middleware import scope_header
from chassis.policy import auth_problem
from chassis.problems import ProblemError, render_problem
from gateway.edge import VERIFIED_AUTHORIZATION
from gateway.proxy.exchange import call_upstream
from gateway.runtime import gateway_runtime
from gateway.settings import UPSTREAMS


@dataclass(frozen=True)
class RouteTemplate:
    """Stands in for a route in the scope, so metrics and logs group the requests answered here
    (proxied ones by service, and the liveness probe) by template, as FastAPI's routes do."""

    path: str


# One per service, made once rather than per request.
_UPSTREAM_ROUTES = {name: RouteTemplate(f"/{name}/v1/{{path}}") for name in UPSTREAMS}

# The public data portal: server-rendered pages the kpi service answers at its own `/portal/...`
# (not in any contract), passed on under the same path, so the pages' absolute links work at the
# gateway as at the service; the gateway's landing `/` is the portal's home. Read-only: GET and
# HEAD (the kit's edge hands a HEAD to the application as a GET and drops the body on the way
# out, as for the APIs). Two route templates, so the metrics stay bounded whatever the paths.
# docs/decisions/0056-gateway-portal-pages.md.
PORTAL_UPSTREAM = "kpi"
PORTAL_PATH = "/portal"
PORTAL_HOME = "/portal/"
PORTAL_METHODS = ("GET", "HEAD")
_PORTAL_ALLOW = ", ".join(PORTAL_METHODS)
_PORTAL_ROUTE = RouteTemplate("/portal/{path}")
_LANDING_ROUTE = RouteTemplate("/")
# The portal's own paths are the gateway's: a Location, Link or problem `instance` it sends
# already names the path the caller uses, and crosses unchanged (an API's gets its prefix).
_PORTAL_REBASE = b""

# The liveness probe, answered here: it is the one route a load balancer or kubelet calls every
# few seconds per replica, and the bench's G0. The answer is the one FastAPI's route gives (that
# route stays, for HEAD and other methods), without routing, dependency injection or JSON
# encoding; the edge layers around this one still give it a request id, its access line, its
# metrics, and the header, path and rate-limit checks.
LIVE_PATH = "/health/live"
_LIVE_ROUTE = RouteTemplate(LIVE_PATH)
_LIVE_BODY = b'{"status":"ok"}'
_LIVE_HEADERS = (
    (b"content-length", str(len(_LIVE_BODY)).encode()),
    (b"content-type", b"application/json"),
)


def split_prefix(path: str) -> tuple[str, str]:
    """`/kpi/v1/events` -> (`kpi`, `/v1/events`): the route prefix and the service's own path."""
    name, slash, rest = path[1:].partition("/")
    return name, slash + rest


def portal_target(path: str) -> tuple[RouteTemplate, str] | None:
    """The portal page a gateway path asks for, as (route template, the kpi service's path), or
    None: `/` -> its home `/portal/`; `/portal` and `/portal/...` -> the same path; `/portalx`
    and everything else -> None."""
    if path == "/":
        return _LANDING_ROUTE, PORTAL_HOME
    if path.startswith(PORTAL_PATH) and (
        len(path) == len(PORTAL_PATH) or path[len(PORTAL_PATH)] == "/"
    ):
        return _PORTAL_ROUTE, path
    return None


class ProxyMiddleware:
    """Pure ASGI in front of the gateway's own routes: a request to a service's prefix never
    enters FastAPI, so passing it on costs as little as possible."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        name, service_path = split_prefix(path)
        portal = False
        if name in UPSTREAMS:
            scope["route"] = _UPSTREAM_ROUTES[name]
        else:
            if path == LIVE_PATH and scope["method"] == "GET":
                scope["route"] = _LIVE_ROUTE
                await send(
                    {"type": "http.response.start", "status": 200, "headers": list(_LIVE_HEADERS)}
                )
                await send({"type": "http.response.body", "body": _LIVE_BODY})
                return
            target = portal_target(path)
            if target is None:
                await self.app(scope, receive, send)
                return
            scope["route"], service_path = target
            name, portal = PORTAL_UPSTREAM, True
        structlog.contextvars.bind_contextvars(upstream=name)
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._proxy(scope, receive, send_tracking, name, service_path, portal=portal)
        except ProblemError as exc:
            if started:
                raise
            await render_problem(Request(scope), exc)(scope, receive, send)

    async def _proxy(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        name: str,
        service_path: str,
        *,
        portal: bool,
    ) -> None:
        # The path was checked by the edge (GatewayEdge, edge.unsafe_path), which every request
        # passes before it gets here. Only the services' APIs are public: their health, metrics
        # and contract are not; of the kpi service, also its portal pages, for reading.
        if portal:
            if scope["method"] not in PORTAL_METHODS:
                raise ProblemError(
                    405,
                    "method-not-allowed",
                    f"{scope['method']} is not allowed on {scope['path']}",
                    headers={"Allow": _PORTAL_ALLOW},
                )
        elif service_path != "/v1" and not service_path.startswith("/v1/"):
            raise ProblemError(404, "not-found", f"No resource at {scope['path']}")
        runtime = gateway_runtime(scope["app"])
        authorization = scope_header(scope, b"authorization")
        if authorization is not None:
            # A token sent with a portal page is taken as the API takes it: verified, and a bad
            # one is a 401, so no service ever receives a token the gateway did not accept.
            outcome = _edge_verification(scope, authorization)
            if outcome is None:
                try:
                    outcome = await runtime.verifier.verify(
                        bearer_token(authorization.decode("latin-1"))
                    )
                except AuthError as exc:
                    outcome = exc
            if isinstance(outcome, AuthError):
                raise auth_problem(outcome) from outcome
        await call_upstream(
            scope,
            receive,
            send,
            runtime.upstreams[name],
            service_path,
            rebase=_PORTAL_REBASE if portal else None,
        )


def _edge_verification(scope: Scope, authorization: bytes) -> Principal | AuthError | None:
    """What the edge found when it verified this request's token for the rate limit (None when
    it did not: limits off, or not a proxied route), so the token is verified once per request."""
    verified = scope.get("state", {}).get(VERIFIED_AUTHORIZATION)
    if verified is None or verified[0] != authorization:
        return None
    outcome: Principal | AuthError = verified[1]
    return outcome
