"""Offers: a vendor's priced offer per product per round, every change a new immutable version,
its content sealed until the offer deadline and encrypted at rest."""
