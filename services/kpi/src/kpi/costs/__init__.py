"""Costs: the agreements' yearly cost shares per county, from the catalogue's events, and cost
per use with the usage reports."""
