"""Usage of digital products: COUNTER reports, uses per product, organisation and month."""
