"""A round's schedule: its local deadlines turned into instants, and its dates checked to run in
the order of the cycle (each refusal names the later field and the earlier one it must follow)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from catalogue_licensing.procurement.rounds.calendar import NotALocalTime, local_instant
from catalogue_licensing.procurement.rounds.errors import ScheduleOutOfOrder
from chassis.problems import FieldError, InvalidField, body_field_error

DEADLINES = ("declaration_deadline", "offer_deadline")

# (earlier, later): `later` must not come before `earlier`, when both are given.
_ORDER = (
    ("doffin_published_on", "supplier_meeting_on"),
    ("ted_published_on", "supplier_meeting_on"),
    ("doffin_published_on", "declaration_deadline"),
    ("ted_published_on", "declaration_deadline"),
    ("supplier_meeting_on", "declaration_deadline"),
    ("declaration_deadline", "offer_deadline"),
    ("offer_deadline", "negotiation_start"),
    ("negotiation_start", "negotiation_end"),
    ("negotiation_end", "award_on"),
    ("award_on", "contract_start"),
    ("contract_start", "contract_end"),
)


def deadline_instants(values: dict[str, Any], zone: ZoneInfo, *, given: set[str]) -> None:
    """Replace each deadline in `values` by its UTC instant in `zone` (in place); a wall-clock
    time the clocks skip is refused, naming the field."""
    for name in DEADLINES:
        value = values.get(name)
        if isinstance(value, datetime) and name in given:
            try:
                values[name] = local_instant(value, zone)
            except NotALocalTime as exc:
                raise InvalidField(name, str(exc), kind="nonexistent_local_time") from exc


def _comparable(value: date | datetime, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date() if isinstance(value, datetime) else value


def check_order(values: dict[str, Any], zone: ZoneInfo) -> None:
    """Refuse (422, every offending field named) a schedule out of the cycle's order. The two
    deadlines are compared as instants; a date with a deadline by the deadline's local day."""
    errors: list[FieldError] = []
    for earlier, later in _ORDER:
        first, then = values.get(earlier), values.get(later)
        if first is None or then is None:
            continue
        if isinstance(first, datetime) and isinstance(then, datetime):
            wrong = then < first
        else:
            wrong = _comparable(then, zone) < _comparable(first, zone)
        if wrong:
            errors.append(
                body_field_error(
                    later,
                    f"{later} must not be before {earlier} ({_shown(first, zone)})",
                    "schedule_out_of_order",
                )
            )
    if errors:
        raise ScheduleOutOfOrder(
            "; ".join(f"{e.location}: {e.message}" for e in errors), errors=errors
        )


def _shown(value: date | datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).isoformat() if isinstance(value, datetime) else value.isoformat()
