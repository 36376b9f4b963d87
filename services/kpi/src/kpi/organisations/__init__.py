"""Organisations: library → municipality → county/province → country, with population per year."""
