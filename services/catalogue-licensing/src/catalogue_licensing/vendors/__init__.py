"""Vendors: the companies that offer products, with their organisation numbers and contacts."""
