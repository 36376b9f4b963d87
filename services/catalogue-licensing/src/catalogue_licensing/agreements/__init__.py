"""Agreements, the counties' participation in them, and the split of their cost."""
