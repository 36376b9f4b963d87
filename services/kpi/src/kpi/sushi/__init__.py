"""SUSHI harvesting: a vendor's COUNTER endpoint per product, its credentials sealed, each month's
report fetched through the checked outbound client and recorded as an upload is."""
