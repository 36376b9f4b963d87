"""The events products emit, one model per type (declared in the feed's contract). Every one names
the vendor and the status, so a consumer needs no lookup."""

import uuid

from catalogue_licensing.products.schemas import Category, ProductStatus
from chassis.outbox import EventData


class _ProductEvent(EventData):
    vendor_id: uuid.UUID
    status: ProductStatus


class ProductCreated(_ProductEvent):
    event_type = "product.created"
    category: Category


class ProductUpdated(_ProductEvent):
    event_type = "product.updated"
    changed: list[str]


class ProductActivated(_ProductEvent):
    event_type = "product.activated"
    previous_status: ProductStatus
    category: Category


class ProductRetired(_ProductEvent):
    event_type = "product.retired"
    previous_status: ProductStatus
    category: Category
