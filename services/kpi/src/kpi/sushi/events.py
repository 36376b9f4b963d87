"""The events SUSHI endpoints emit (declared in the feed's contract); no credential in any."""

from chassis.outbox import EventData


class SushiEndpointSaved(EventData):
    event_type = "sushi_endpoint.saved"
    product_id: str
    base_url: str
    report_id: str
    active: bool


class SushiHarvestFailed(EventData):
    """A month whose every attempt failed: the administrator's to look at."""

    event_type = "sushi_harvest.failed"
    product_id: str
    month: str
    attempts: int
    error: str
