"""The scope that narrows a client's role: a county, a vendor or a library (ISIL), validated."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

# Only the shape: county numbers change with regional reforms (2020, 2024), and a token must
# still carry the number the catalogue knows a participation by.
_COUNTY = re.compile(r"(?!00)[0-9]{2}")
# ISO 15511: a prefix of 1 to 4 letters (a country code or another agency's), a hyphen, then up to
# 11 characters of the allowed set; 16 characters at most in all.
_ISIL = re.compile(r"[A-Za-z]{1,4}-[A-Za-z0-9\-/:]{1,11}")
ISIL_MAX_LENGTH = 16


class ScopeError(ValueError):
    """A scope value of the wrong shape, or more than one scope."""


@dataclass(frozen=True)
class Scope:
    """At most one of the three is set; none means the role is not narrowed."""

    county: str | None = None
    vendor_id: uuid.UUID | None = None
    isil: str | None = None

    def claims(self) -> dict[str, Any]:
        """The token claims for this scope (none when unscoped)."""
        out: dict[str, Any] = {}
        if self.county is not None:
            out["county"] = self.county
        if self.vendor_id is not None:
            out["vendor_id"] = str(self.vendor_id)
        if self.isil is not None:
            out["isil"] = self.isil
        return out

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.claims().items()) or "-"


def parse_scope(
    *, county: str | None = None, vendor_id: str | None = None, isil: str | None = None
) -> Scope:
    given = [
        name
        for name, value in (("county", county), ("vendor_id", vendor_id), ("isil", isil))
        if value is not None
    ]
    if len(given) > 1:
        raise ScopeError(f"a client has at most one scope; got {', '.join(given)}")
    if county is not None and not _COUNTY.fullmatch(county):
        raise ScopeError(f"county must be a two-digit Norwegian county number, got {county!r}")
    parsed_vendor = None
    if vendor_id is not None:
        try:
            parsed_vendor = uuid.UUID(vendor_id)
        except ValueError as exc:
            raise ScopeError(f"vendor_id must be a UUID, got {vendor_id!r}") from exc
    if isil is not None and (len(isil) > ISIL_MAX_LENGTH or not _ISIL.fullmatch(isil)):
        raise ScopeError(f"isil must be an ISO 15511 identifier like NO-2030000, got {isil!r}")
    return Scope(county=county, vendor_id=parsed_vendor, isil=isil)


# The scope a role's tokens must carry: the services narrow these roles by it, and a token
# without it is refused by them or, worse, read as unscoped. Roles not named here take any.
REQUIRED_SCOPE = {
    "county_admin": ("county", "--county"),
    "vendor": ("vendor_id", "--vendor-id"),
    "library": ("isil", "--isil"),
    "staff": ("isil", "--isil"),
}
# Roles that see everything: a scope would suggest a limit no service applies.
UNSCOPED_ROLES = frozenset({"programme_admin", "operator"})


def scope_misfit(role: str, scope: Scope) -> str | None:
    """Why `scope` does not fit `role`, or None when it does (issue 15, point 12)."""
    given = {name for name in ("county", "vendor_id", "isil") if getattr(scope, name) is not None}
    if role in REQUIRED_SCOPE:
        needed, option = REQUIRED_SCOPE[role]
        if given != {needed}:
            return f"the role {role} needs {option} and no other scope"
    elif role in UNSCOPED_ROLES and given:
        return f"the role {role} takes no scope"
    return None
