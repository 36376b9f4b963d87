"""The event of a change of a county's participation (declared in the feed's contract)."""

import uuid
from typing import Literal

from chassis.outbox import EventData


class ParticipationChanged(EventData):
    event_type = "participation.changed"
    agreement_id: uuid.UUID
    product_id: uuid.UUID
    county_number: str
    change: Literal["joined", "updated", "withdrawn"]
    library_count: int
    participating_county_count: int
