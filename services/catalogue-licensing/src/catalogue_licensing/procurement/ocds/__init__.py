"""A round as Open Contracting Data Standard 1.1 releases: planning, tender, awards, contracts
(docs/decisions/0024-ocds-export.md)."""
