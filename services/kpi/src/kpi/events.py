"""Every event type this service emits, as the feed's contract declares them."""

from chassis.outbox import EventData
from kpi.indicators.events import IndicatorCreated, IndicatorUpdated

EVENTS: list[type[EventData]] = [
    IndicatorCreated,
    IndicatorUpdated,
]
