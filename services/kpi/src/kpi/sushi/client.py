"""Calling a vendor's SUSHI server through the kit's checked outbound client: the URL checked at
registration (before any transaction) and again at every connection; the credentials go in the
query as COUNTER's SUSHI API asks, and are masked in anything kept or logged."""

from __future__ import annotations

from datetime import date

from chassis.outbound import (
    HostNotResolved,
    OutboundClient,
    OutboundFailed,
    OutboundPolicy,
    OutboundRefused,
    Resolver,
    check_url,
    refusal_for_url,
)
from chassis.problems import ProblemError
from kpi.settings import KpiSettings
from kpi.sushi.errors import SushiUrlNotAllowed, SushiUrlNotPublic, SushiUrlUnresolvable

FIELD = "base_url"
MASK = "***"


def sushi_policy(settings: KpiSettings) -> OutboundPolicy:
    return OutboundPolicy(
        ports=frozenset(settings.sushi.ports),
        allow_loopback_http=settings.sushi.allow_loopback_http,
    )


async def url_problem(url: str, policy: OutboundPolicy, resolver: Resolver) -> ProblemError | None:
    """The 422 a SUSHI URL earns, or None when the harvester may call it (as of now)."""
    reason = refusal_for_url(url, policy)
    if reason is not None:
        return SushiUrlNotAllowed(FIELD, f"{reason} for a SUSHI endpoint")
    try:
        await check_url(url, policy, resolver)
    except HostNotResolved as exc:
        return SushiUrlUnresolvable(FIELD, f"the host does not resolve ({exc})")
    except OutboundRefused as exc:
        return SushiUrlNotPublic(FIELD, f"{exc.reason}; SUSHI endpoints must be public")
    return None


def mask(text: str, credentials: dict[str, str]) -> str:
    """`text` with every credential value replaced by ***."""
    for value in sorted(credentials.values(), key=len, reverse=True):
        if value:
            text = text.replace(value, MASK)
    return text


class SushiFailed(Exception):
    """No report: refused, unreachable, an HTTP error. The message is masked."""


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


async def fetch_report(
    client: OutboundClient,
    *,
    base_url: str,
    report_id: str,
    credentials: dict[str, str],
    month: date,
) -> bytes:
    """The JSON body the server answers for one month's report (COUNTER Exceptions included:
    the reader judges them)."""
    url = f"{base_url.rstrip('/')}/reports/{report_id.lower()}"
    params = dict(sorted(credentials.items())) | {
        "begin_date": _month(month),
        "end_date": _month(month),
    }
    try:
        answer = await client.get(url, params=params, headers={"Accept": "application/json"})
    except OutboundRefused as exc:
        raise SushiFailed(mask(f"refused: {exc.reason}", credentials)) from None
    except OutboundFailed as exc:
        raise SushiFailed(mask(f"{type(exc).__name__}: {exc}", credentials)) from None
    # COUNTER servers answer Exceptions with 4xx statuses too: a JSON body goes to the reader.
    media = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    if answer.status_code >= 500 or media != "application/json":
        raise SushiFailed(
            mask(
                f"the server answered {answer.status_code} ({media or 'no media type'})",
                credentials,
            )
        )
    return answer.content
