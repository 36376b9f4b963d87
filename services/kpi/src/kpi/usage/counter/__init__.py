"""A COUNTER Release 5 and 5.1 reader, written for this service: JSON (every report and standard
view), and the tabular form (TSV, or CSV as some vendors send it)."""
