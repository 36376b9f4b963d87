"""Agreements for products, with the counties' participation (participation/) and the cost shares
that follow from both (cost_shares/)."""
