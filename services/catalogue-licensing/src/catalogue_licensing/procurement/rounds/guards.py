"""The calendar's word on each move, in the round's own time zone: each refusal names the date
field (or the missing field) and the rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from catalogue_licensing.procurement.rounds.calendar import day_end, local_today, zone_of
from catalogue_licensing.procurement.rounds.errors import MoveTooEarly, MoveTooLate, RoundNotReady
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.states import RoundState


def _shown(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def _not_before(field: str, day: date, today: date, zone: ZoneInfo, what: str) -> None:
    if today < day:
        raise MoveTooEarly(field, f"{what} {day}; today is {today} in {zone.key}")


def _before_offer_deadline(round_: ProcurementRound, now: datetime, zone: ZoneInfo) -> None:
    if now >= round_.offer_deadline:
        raise MoveTooLate(
            "offer_deadline",
            f"the offer deadline {_shown(round_.offer_deadline, zone)} has passed",
        )


def _announce(round_: ProcurementRound, now: datetime, zone: ZoneInfo) -> None:
    for name in ("doffin_notice_id", "doffin_published_on"):
        if getattr(round_, name) is None:
            raise RoundNotReady(name, "a round is announced with its Doffin notice")
    if round_.ted_notice_id is not None and round_.ted_published_on is None:
        raise RoundNotReady("ted_published_on", "a TED notice needs its publication date")
    today = local_today(now, zone)
    for name in ("doffin_published_on", "ted_published_on"):
        published = getattr(round_, name)
        if published is not None:
            _not_before(name, published, today, zone, "the notice is published on")
    _before_offer_deadline(round_, now, zone)


def _open(round_: ProcurementRound, now: datetime, zone: ZoneInfo) -> None:
    _before_offer_deadline(round_, now, zone)


def _close(round_: ProcurementRound, now: datetime, zone: ZoneInfo) -> None:
    if now < round_.offer_deadline:
        raise MoveTooEarly(
            "offer_deadline", f"offers are open until {_shown(round_.offer_deadline, zone)}"
        )


def _negotiate(round_: ProcurementRound, now: datetime, zone: ZoneInfo) -> None:
    today = local_today(now, zone)
    _not_before("negotiation_start", round_.negotiation_start, today, zone, "negotiation starts on")
    if now >= day_end(round_.negotiation_end, zone):
        raise MoveTooLate(
            "negotiation_end", f"the negotiation window closed with {round_.negotiation_end}"
        )


def _award(round_: ProcurementRound, now: datetime, zone: ZoneInfo) -> None:
    _not_before("award_on", round_.award_on, local_today(now, zone), zone, "awards are made from")


_GUARDS: dict[RoundState, Callable[[ProcurementRound, datetime, ZoneInfo], None]] = {
    RoundState.announced: _announce,
    RoundState.open: _open,
    RoundState.closed: _close,
    RoundState.negotiation: _negotiate,
    RoundState.awarded: _award,
}


def check_dates(round_: ProcurementRound, to: RoundState, now: datetime) -> None:
    guard = _GUARDS.get(to)
    if guard is not None:
        guard(round_, now, zone_of(round_.time_zone))
