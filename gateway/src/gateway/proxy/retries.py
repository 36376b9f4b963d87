"""When a request may be sent to a service a second time, and how much time the second try has."""

from __future__ import annotations

from collections.abc import Iterable

import aiohttp

# RFC 9110 §9.2.2: sending these twice has the effect of sending them once. TRACE is idempotent
# too, but no service answers it.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
IDEMPOTENCY_KEY_HEADER = b"idempotency-key"
# A retry must send the same body again, and a body streamed to the service is gone once sent.
# So a retry-eligible body is read whole first when it announces a length up to this bound:
# the writes that may be retried (a PUT of a record, a POST with an Idempotency-Key) are small
# JSON documents, far below it. A larger body, or one without a length, is streamed as before
# and its request is not retried: keeping it would let any caller pin memory in the gateway.
REPLAYABLE_BODY_BYTES = 64 * 1024


def may_retry(method: str, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether a request may be sent to a service a second time: an idempotent method, or a
    write whose Idempotency-Key lets the service recognise the second copy."""
    if method in IDEMPOTENT_METHODS:
        return True
    return any(name.lower() == IDEMPOTENCY_KEY_HEADER and value.strip() for name, value in headers)


def retryable_failure(exc: BaseException) -> bool:
    """Whether a failed attempt left the service no answer to give: the connection was refused,
    or it closed or reset before a response head arrived (typically a pooled keep-alive
    connection that the service closed just as the request went out). Timeouts are not
    retried: the service may still be working on the request, and a second copy doubles the
    load on a service that is already slow."""
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return False
    return isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError)


def remaining(timeout: aiohttp.ClientTimeout, elapsed: float) -> aiohttp.ClientTimeout | None:
    """The timeouts of a second attempt: the same, with what is left of the total; None when
    nothing is left."""
    if timeout.total is None:
        return timeout
    if timeout.total - elapsed <= 0:
        return None
    return aiohttp.ClientTimeout(
        total=timeout.total - elapsed,
        connect=timeout.connect,
        sock_read=timeout.sock_read,
        sock_connect=timeout.sock_connect,
        ceil_threshold=timeout.ceil_threshold,
    )
