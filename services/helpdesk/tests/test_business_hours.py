"""Business-hours arithmetic as a support agent meets it: weekends, holidays, DST, pauses."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.hours.calendar import BusinessCalendar, HolidayRule, Span, check_day_spans
from helpdesk.hours.clock import NoBusinessTime, Pause, add, explain, measure

WORKDAYS = range(5)


def office(start: str = "08:00", end: str = "16:00") -> dict[int, tuple[Span, ...]]:
    return {day: (Span.parse(start, end),) for day in WORKDAYS}


FLANDERS = BusinessCalendar(
    "Europe/Brussels",
    {day: (Span.parse("09:00", "12:00"), Span.parse("13:00", "17:00")) for day in WORKDAYS},
    HolidayRule("BE", "Flemish"),
    yearly_closing_days={(7, 11): "Day of the Flemish Community"},
)
NORWAY = BusinessCalendar("Europe/Oslo", office(), HolidayRule("NO"))
NETHERLANDS = BusinessCalendar("Europe/Amsterdam", office("08:30", "17:00"), HolidayRule("NL"))
ROUND_THE_CLOCK = BusinessCalendar(
    "Europe/Amsterdam", {day: (Span.parse("00:00", "24:00"),) for day in range(7)}
)


def local(calendar: BusinessCalendar, year: int, month: int, day: int, *clock: int) -> datetime:
    hour, minute = (*clock, 0, 0)[:2]
    return datetime(year, month, day, hour, minute, tzinfo=calendar.tz)


def test_a_friday_afternoon_before_whit_monday_is_due_on_tuesday() -> None:
    # Friday 22 May 2026, 14:00 in Oslo; Whit Monday 25 May is a public holiday.
    raised = local(NORWAY, 2026, 5, 22, 14)
    due = add(NORWAY, raised, timedelta(hours=4))
    assert due == local(NORWAY, 2026, 5, 26, 10)
    reasons = [(s.counted, s.reason) for s in explain(NORWAY, raised, due)]
    assert reasons == [
        (True, "business hours"),
        (False, "outside business hours"),
        (False, "no business hours on Saturday"),
        (False, "public holiday: Pentecost"),
        (False, "public holiday: Pentecost Monday"),
        (False, "outside business hours"),
        (True, "business hours"),
    ]


def test_the_day_of_the_flemish_community_is_a_local_closing_day() -> None:
    # Thursday 10 July 2025, 15:00; Friday 11 July is closed in Flanders, then a weekend.
    raised = local(FLANDERS, 2025, 7, 10, 15)
    due = add(FLANDERS, raised, timedelta(hours=8))
    # Thursday 15-17 (2 h), Monday 09-12 (3 h) and 13-16 (3 h).
    assert due == local(FLANDERS, 2025, 7, 14, 16)
    skipped = [s.reason for s in explain(FLANDERS, raised, due) if not s.counted]
    assert "local closing day: Day of the Flemish Community" in skipped
    assert "outside business hours" in skipped  # the lunch break on Monday


def test_flanders_uses_the_belgian_public_holidays() -> None:
    # 21 July, the national day, falls on a Tuesday in 2026.
    assert FLANDERS.holiday(date(2026, 7, 21)) is not None
    assert measure(FLANDERS, local(FLANDERS, 2026, 7, 21, 0), local(FLANDERS, 2026, 7, 22, 0)) == (
        timedelta()
    )


def test_liberation_day_closes_only_when_the_setting_says_so() -> None:
    day = (local(NETHERLANDS, 2026, 5, 5, 0), local(NETHERLANDS, 2026, 5, 6, 0))
    assert measure(NETHERLANDS, *day) == timedelta(hours=8, minutes=30)
    with_optional = BusinessCalendar(
        "Europe/Amsterdam",
        office("08:30", "17:00"),
        HolidayRule("NL", categories=("public", "optional")),
    )
    assert measure(with_optional, *day) == timedelta()


def test_a_day_of_round_the_clock_hours_has_23_or_25_hours_when_the_clocks_change() -> None:
    spring = local(ROUND_THE_CLOCK, 2026, 3, 29, 0), local(ROUND_THE_CLOCK, 2026, 3, 30, 0)
    autumn = local(ROUND_THE_CLOCK, 2026, 10, 25, 0), local(ROUND_THE_CLOCK, 2026, 10, 26, 0)
    assert measure(ROUND_THE_CLOCK, *spring) == timedelta(hours=23)
    assert measure(ROUND_THE_CLOCK, *autumn) == timedelta(hours=25)


def test_office_hours_stay_at_the_same_wall_clock_time_across_a_dst_change() -> None:
    # Friday 27 March 2026 15:00 CET; Monday 30 March is summer time (CEST).
    raised = local(NETHERLANDS, 2026, 3, 27, 15)
    due = add(NETHERLANDS, raised, timedelta(hours=4))
    assert due == local(NETHERLANDS, 2026, 3, 30, 10, 30)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)


def test_a_pause_stops_the_clock_and_is_explained() -> None:
    raised = local(NORWAY, 2026, 12, 1, 9)  # a Tuesday
    pauses = [Pause(local(NORWAY, 2026, 12, 1, 11), local(NORWAY, 2026, 12, 2, 10))]
    due = add(NORWAY, raised, timedelta(hours=8), pauses)
    # Tuesday 09-11 (2 h), paused until Wednesday 10:00, then 6 h: Wednesday 16:00.
    assert due == local(NORWAY, 2026, 12, 2, 16)
    assert measure(NORWAY, raised, due, pauses) == timedelta(hours=8)
    assert any(
        s.reason == "paused: pending on the library" for s in explain(NORWAY, raised, due, pauses)
    )


def test_an_open_pause_leaves_no_due_time_and_freezes_what_was_counted() -> None:
    raised = local(NORWAY, 2026, 12, 1, 9)
    pauses = [Pause(local(NORWAY, 2026, 12, 1, 10), None)]
    assert add(NORWAY, raised, timedelta(hours=2), pauses) is None
    assert add(NORWAY, raised, timedelta(minutes=30), pauses) == local(NORWAY, 2026, 12, 1, 9, 30)
    assert measure(NORWAY, raised, local(NORWAY, 2026, 12, 9, 9), pauses) == timedelta(hours=1)


def test_a_due_time_falls_at_the_end_of_the_day_rather_than_the_next_morning() -> None:
    monday = local(NORWAY, 2026, 11, 30, 8)
    assert add(NORWAY, monday, timedelta(hours=8)) == local(NORWAY, 2026, 11, 30, 16)
    assert add(NORWAY, monday, timedelta()) == monday


def test_time_raised_outside_hours_starts_counting_at_the_next_opening() -> None:
    saturday_night = local(NORWAY, 2026, 11, 28, 23)
    assert add(NORWAY, saturday_night, timedelta(hours=1)) == local(NORWAY, 2026, 11, 30, 9)


def test_bad_calendars_and_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        check_day_spans([Span.parse("08:00", "12:00"), Span.parse("11:00", "16:00")])
    with pytest.raises(ValueError, match="HH:MM"):
        Span.parse("8", "16:00")
    with pytest.raises(ValueError, match="between 00:00 and 24:00"):
        Span.parse("08:00", "24:30")
    with pytest.raises(ValueError, match="runs forward"):
        Span.parse("16:00", "08:00")
    with pytest.raises(ValueError, match="subdivision"):
        HolidayRule("BE", "Wallonia")
    with pytest.raises(ValueError, match="category"):
        HolidayRule("NO", categories=("optional",))
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar("Europe/Nowhere", office())
    with pytest.raises(ValueError, match="open at least one day"):
        BusinessCalendar("Europe/Oslo", {})
    with pytest.raises(ValueError, match="time zone"):
        measure(NORWAY, datetime(2026, 1, 1), datetime(2026, 1, 2))
    with pytest.raises(ValueError, match="not negative"):
        add(NORWAY, local(NORWAY, 2026, 1, 5, 9), timedelta(hours=-1))


def test_a_calendar_closed_beyond_the_horizon_says_so() -> None:
    closed = BusinessCalendar(
        "Europe/Oslo",
        office(),
        closing_days={date(2026, 1, 1) + timedelta(days=n): "renovation" for n in range(1200)},
    )
    with pytest.raises(NoBusinessTime):
        add(closed, local(closed, 2026, 1, 1, 9), timedelta(hours=1))


# Properties, on the Flemish calendar (lunch breaks, holidays, a closing day, DST).
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(), max_value=timedelta(hours=200))


@settings(max_examples=60, deadline=None)
@given(start=instants, first=durations, second=durations)
def test_the_clock_never_runs_backwards(
    start: datetime, first: timedelta, second: timedelta
) -> None:
    earlier = start + first
    later = earlier + second
    assert measure(FLANDERS, start, earlier) <= measure(FLANDERS, start, later)
    assert measure(FLANDERS, start, later) <= later - start


@settings(max_examples=60, deadline=None)
@given(start=instants, until_pause=durations, pause=durations, after=durations)
def test_pausing_never_shortens_time_already_counted(
    start: datetime, until_pause: timedelta, pause: timedelta, after: timedelta
) -> None:
    paused_at = start + until_pause
    pauses = [Pause(paused_at, paused_at + pause)]
    counted = measure(FLANDERS, start, paused_at)
    assert measure(FLANDERS, start, paused_at, pauses) == counted
    later = paused_at + pause + after
    assert counted <= measure(FLANDERS, start, later, pauses) <= measure(FLANDERS, start, later)
    assert measure(FLANDERS, start, later, [Pause(paused_at, None)]) == counted


@settings(max_examples=60, deadline=None)
@given(start=instants, duration=durations)
def test_adding_then_measuring_a_duration_round_trips(start: datetime, duration: timedelta) -> None:
    due = add(FLANDERS, start, duration)
    assert due is not None
    assert measure(FLANDERS, start, due) == duration
    counted = [s for s in explain(FLANDERS, start, due) if s.counted]
    assert sum((s.length for s in counted), timedelta()) == duration
