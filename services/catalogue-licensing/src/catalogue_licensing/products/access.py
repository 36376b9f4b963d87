"""Which products a caller manages: a programme administrator every vendor's, a vendor its own."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from catalogue_licensing.products.models import Product
from catalogue_licensing.vendors.access import vendor_scope
from chassis.auth import Principal


def managed_products(principal: Principal) -> ColumnElement[bool]:
    """The condition that keeps the products the caller manages, in every status."""
    return vendor_scope(principal, Product.vendor_id)
