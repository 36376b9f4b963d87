"""Fixed ids and the demo's organisations.

The products are the catalogue's demo products (catalogue_licensing/demo/ids.py: the same
values, so a usage report names a product as the catalogue does). The organisations carry the
directory's natural codes (the catalogue's reference files): once the harvest runs, it finds
them by code and keeps them in step. Populations on 1 January from the same reference files
(Statistics Norway)."""

from __future__ import annotations

import uuid

from chassis.auth import Principal

DEMO_PRINCIPAL = Principal(subject="demo-data", roles=frozenset({"analyst"}))

# (product id, vendor id) of the catalogue's active demo products.
PRODUCTS = (
    (
        uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000001"),
        uuid.UUID("0193a5c2-7b4e-7d21-9f3a-2c6e8b1d4f70"),
    ),
    (
        uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000003"),
        uuid.UUID("0193a5c2-7b4e-7d22-9f3a-2c6e8b1d4f71"),
    ),
    (
        uuid.UUID("0193a5c2-7b4e-7e01-9a00-000000000004"),
        uuid.UUID("0193a5c2-7b4e-7d23-9f3a-2c6e8b1d4f72"),
    ),
)

COUNTRY = ("NO", "Norge")
# number, name, {year: population}
COUNTIES = (
    ("03", "Oslo", {2024: 717_710, 2025: 724_290}),
    ("15", "Møre og Romsdal", {2024: 270_624, 2025: 272_413}),
    ("18", "Nordland", {2024: 243_081, 2025: 243_582}),
)
# number, name, county, {year: population}
MUNICIPALITIES = (
    ("0301", "Oslo", "03", {2024: 717_710, 2025: 724_290}),
    ("1508", "Ålesund", "15", {2024: 58_509, 2025: 59_198}),
    ("1804", "Bodø", "18", {2024: 53_712, 2025: 53_725}),
    ("1806", "Narvik", "18", {2024: 21_580, 2025: 21_591}),
)
# ISIL, name, municipality
LIBRARIES = (
    ("NO-2030000", "Deichmanske bibliotek", "0301"),
    ("NO-2150400", "Ålesund bibliotek", "1508"),
    ("NO-2180400", "Bodø bibliotek", "1804"),
    ("NO-2180500", "Narvik bibliotek", "1806"),
)
YEARS = (2024, 2025)
# Figures per inhabitant and month, roughly a Norwegian public library's.
PER_INHABITANT_MONTH = {"loans": 0.30, "visits": 0.35, "e_loans": 0.06, "events": 0.0009}
