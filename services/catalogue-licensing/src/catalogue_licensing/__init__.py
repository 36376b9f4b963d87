"""Catalogue and licensing: organisation directory, vendors, products, procurement rounds, agreements, cost shares, library catalogues."""
