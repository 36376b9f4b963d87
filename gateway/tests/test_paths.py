"""Path normalisation at the edge: encoded or odd paths never reach a route the contract does not list."""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gateway.edge import unsafe_path

# What the proxy keeps unescaped when it passes a path on (RFC 3986 pchar).
PATH_SAFE = "/!$&'()*+,;=:@"


def decoded(raw: str) -> str:
    """The path as the server hands it to the application (uvicorn: percent-decoded, once)."""
    return unquote(raw)


def check(raw: str) -> str | None:
    return unsafe_path(decoded(raw), raw.encode())


@pytest.mark.parametrize(
    "raw",
    [
        "/kpi/v1/events",
        "/kpi/v1",
        "/catalogue/v1/libraries/NO-0030100/catalogue",
        "/training/v1/courses/0192f3c4-8d0e-7bb1-9a7e-5d8b3b2c1a00",
        "/kpi/v1/events/a%20b",
        "/kpi/v1/events/caf%C3%A9",
        "/kpi/v1/events/%25",
        "/kpi/v1/events/...",
        "/kpi/v1/events/.hidden",
        "/kpi/v1/events/a.b",
        "/kpi/v1/events/",
        "/.well-known/jwks.json",
        "/",
    ],
)
def test_ordinary_paths_pass(raw: str) -> None:
    assert check(raw) is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("/kpi/v1/../metrics", "dot segment"),
        ("/kpi/v1/./events", "dot segment"),
        ("/kpi/v1/events/..", "dot segment"),
        ("/kpi/v1/events/.", "dot segment"),
        ("/kpi/v1/%2e%2e/metrics", "dot segment"),
        ("/kpi/v1/%2E%2E/metrics", "dot segment"),
        ("/kpi/v1/.%2e/metrics", "dot segment"),
        ("/kpi/v1/%2e/events", "dot segment"),
        ("/kpi/v1/events%2fsecret", "encoded slash"),
        ("/kpi/v1/events%2Fsecret", "encoded slash"),
        ("/kpi%2fv1/events", "encoded slash"),
        ("/kpi/v1/events%5csecret", "encoded slash or backslash"),
        ("/kpi/v1/events\\secret", "backslash"),
        ("/kpi/v1//events", "empty segment"),
        ("//kpi/v1/events", "empty segment"),
        ("/kpi/v1/events%00", "control character"),
        ("/kpi/v1/events%0d%0aX-Injected:%201", "control character"),
        ("/kpi/v1/events%7f", "control character"),
        ("/kpi/v1/events%c2%85", "control character"),
        ("/kpi/v1/%252e%252e/metrics", "double percent-encoding"),
        ("/kpi/v1/events%252fsecret", "double percent-encoding"),
        ("/kpi/v1/%c0%ae%c0%ae/metrics", "not UTF-8"),
        ("/kpi/v1/events%ff", "not UTF-8"),
        ("kpi/v1/events", "leading slash"),
        ("*", "leading slash"),
    ],
)
def test_paths_that_could_reach_past_the_contract_are_refused(raw: str, reason: str) -> None:
    found = check(raw)
    assert found is not None
    assert reason in found


# Path pieces an attacker combines: separators, dots, escapes of both, and plain text.
_PIECES = st.sampled_from(
    [
        "/",
        ".",
        "..",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%5c",
        "\\",
        "%25",
        "%00",
        "%",
        "2e",
        "a",
        "v1",
        "~",
    ]
)


@given(st.lists(_PIECES, max_size=12).map(lambda pieces: "/kpi/v1/" + "".join(pieces)))
@example("/kpi/v1/%2e%2e")
@example("/kpi/v1/%%2e%2e")
def test_a_path_that_passes_means_what_it_says(raw: str) -> None:
    """Whatever passes is already normal: no segment climbs, vanishes or hides a separator, it
    stays under its prefix, and the service, decoding once what the proxy sends, sees the same."""
    path = decoded(raw)
    if check(raw) is not None:
        return
    segments = path.split("/")[1:]
    assert all(segment not in ("", ".", "..") for segment in segments[:-1])
    assert segments[-1] not in (".", "..")
    assert posixpath.normpath(path) == path.rstrip("/") or path == "/"
    assert path.startswith("/kpi/v1")
    assert "\\" not in path
    assert unquote(quote(path, safe=PATH_SAFE)) == path
