"""The events costs emit (declared in the feed's contract)."""

from chassis.outbox import EventData


class AgreementRecorded(EventData):
    event_type = "agreement.recorded"
    agreement_id: str
    product_id: str


class CostSharesRecorded(EventData):
    event_type = "cost_shares.recorded"
    agreement_id: str
    counties: int
    yearly_total_minor: int
