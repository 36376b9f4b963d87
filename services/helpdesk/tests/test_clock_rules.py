"""The ticket's clock rules as properties, without a database: any path through the state table
keeps the pauses well formed, and the resolution clock never runs backwards."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.hours.calendar import BusinessCalendar, HolidayRule, Span
from helpdesk.tickets import clocks
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import PAUSING, TRANSITIONS
from helpdesk.tickets.workflow import enter_state

CALENDAR = BusinessCalendar(
    "Europe/Oslo", {d: (Span.parse("08:00", "16:00"),) for d in range(5)}, HolidayRule("NO")
)
START = datetime(2026, 3, 20, 9, tzinfo=UTC)  # a Friday before the clocks change


def _ticket() -> Ticket:
    ticket = Ticket(
        id=uuid.uuid4(),
        state="new",
        created_at=START,
        first_response_minutes=240,
        resolution_minutes=2400,
        pauses=[],
        reopen_count=0,
        first_responded_at=None,
        resolved_at=None,
        closed_at=None,
    )
    clocks.retarget(ticket, CALENDAR)
    return ticket


steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=60 * 30)),
    max_size=25,
)


@settings(max_examples=80, deadline=None)
@given(steps=steps)
def test_any_path_keeps_pauses_well_formed_and_the_clock_monotonic(steps):
    ticket = _ticket()
    now = START
    counted = timedelta()
    for choice, minutes in steps:
        now += timedelta(minutes=minutes)
        targets = [to for (frm, to) in TRANSITIONS if frm == ticket.state]
        if not targets:
            break
        enter_state(ticket, targets[choice % len(targets)], at=now)
        clocks.retarget(ticket, CALENDAR)
        pauses = clocks.pauses_of(ticket)
        # Ordered, never overlapping, and one open exactly while in a pausing state.
        for before, after in itertools.pairwise(pauses):
            assert before.end is not None
            assert before.start <= before.end <= after.start
        open_pauses = [p for p in pauses if p.end is None]
        assert len(open_pauses) == (1 if ticket.state in PAUSING else 0)
        state = clocks.clock_state(ticket, "resolution", CALENDAR)
        now_counted = clocks.elapsed(state, CALENDAR, now=now)
        assert now_counted >= counted
        counted = now_counted
        running = state.stopped_at is None
        paused = any(p.end is None for p in state.pauses)
        assert (state.due_at is None) == (running and paused and now_counted < state.target)
