"""The events vendors emit, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class VendorCreated(EventData):
    event_type = "vendor.created"
    name: str
    org_number: str


class VendorUpdated(EventData):
    event_type = "vendor.updated"
    changed: list[str]
