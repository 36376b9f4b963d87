"""Exports: datasets and series as CSV with CSVW metadata (W3C "CSV on the Web")."""
