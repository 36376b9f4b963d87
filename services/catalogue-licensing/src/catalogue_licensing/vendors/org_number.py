"""Norwegian organisation numbers (Enhetsregisteret): 9 digits, the last a mod-11 check digit."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(first_eight: str) -> int | None:
    """The check digit for eight digits, or None when no digit fits (remainder 1: never issued)."""
    remainder = sum(int(d) * w for d, w in zip(first_eight, _WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def org_number_problem(value: str) -> str | None:
    """Why `value` is not a valid organisation number, or None when it is one."""
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return "an organisation number is exactly 9 digits"
    expected = check_digit(value[:8])
    if expected is None:
        return f"{value} cannot be an organisation number: no check digit fits its first 8 digits"
    if int(value[8]) != expected:
        return f"the check digit of {value} is wrong (mod 11 gives {expected})"
    return None


def _check(value: str) -> str:
    reason = org_number_problem(value)
    if reason is not None:
        raise ValueError(reason)
    return value


OrgNumber = Annotated[
    str,
    Field(
        # Bounded, but the length rule itself is the validator's, so its message names it.
        max_length=32,
        description="Norwegian organisation number: 9 digits, the last a mod-11 check digit",
        examples=["923609016"],
        json_schema_extra={"pattern": r"^\d{9}$"},
    ),
    AfterValidator(_check),
]
