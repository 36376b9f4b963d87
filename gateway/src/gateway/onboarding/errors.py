"""The problems of client onboarding through the API."""

from __future__ import annotations

from chassis.problems import Conflict, Forbidden, InvalidField, NotFound, ProblemError


class ClientNotFound(NotFound):
    slug = "client-not-found"


class UnknownScope(InvalidField):
    """The scope names a vendor or library the catalogue does not know."""

    slug = "unknown-scope"


class ScopeMisfit(InvalidField):
    slug = "scope-misfit"


class CommandLineOnly(Forbidden):
    """Programme administrator and operator clients are managed by operators, on the command
    line: through the API a programme administrator could otherwise raise its own rights."""

    slug = "command-line-only"


class ClientRevoked(Conflict):
    slug = "client-revoked"


class DirectoryUnavailable(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            503,
            "directory-unavailable",
            f"Whether the scope exists cannot be told now: {detail}; try again later",
            headers={"Retry-After": "5"},
        )
