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

# code, name (as kpi's harvest names a country: harvest/apply.py COUNTRY_NAMES)
COUNTRIES = (("NO", "Norge"), ("BE", "België"), ("NL", "Nederland"))
# country, number, name, {year: population}. Flemish provinces by NIS code, Drenthe by CBS code:
# the reference files give them no population (SOURCES.md: no verifiable copy), so none here.
COUNTIES: tuple[tuple[str, str, str, dict[int, int]], ...] = (
    ("NO", "03", "Oslo", {2024: 717_710, 2025: 724_290}),
    ("NO", "15", "Møre og Romsdal", {2024: 270_624, 2025: 272_413}),
    ("NO", "18", "Nordland", {2024: 243_081, 2025: 243_582}),
    ("BE", "10000", "Antwerpen", {}),
    ("BE", "20001", "Vlaams-Brabant", {}),
    ("BE", "40000", "Oost-Vlaanderen", {}),
    ("BE", "70000", "Limburg", {}),
    ("NL", "PV22", "Drenthe", {}),
)
# country, number, name, county, {year: population}
MUNICIPALITIES: tuple[tuple[str, str, str, str, dict[int, int]], ...] = (
    ("NO", "0301", "Oslo", "03", {2024: 717_710, 2025: 724_290}),
    ("NO", "1508", "Ålesund", "15", {2024: 58_509, 2025: 59_198}),
    ("NO", "1804", "Bodø", "18", {2024: 53_712, 2025: 53_725}),
    ("NO", "1806", "Narvik", "18", {2024: 21_580, 2025: 21_591}),
    ("BE", "11002", "Antwerpen", "10000", {}),
    ("BE", "24062", "Leuven", "20001", {}),
    ("BE", "44021", "Gent", "40000", {}),
    ("BE", "71072", "Hasselt", "70000", {}),
    ("NL", "GM0106", "Assen", "PV22", {}),
    ("NL", "GM0114", "Emmen", "PV22", {}),
    ("NL", "GM0119", "Meppel", "PV22", {}),
)
# ISIL, name, country, municipality: the catalogue's demo libraries (its reference folder's
# libraries-be-nl-demo.csv for the invented Flemish and Drenthe ISILs).
LIBRARIES = (
    ("NO-2030000", "Deichmanske bibliotek", "NO", "0301"),
    ("NO-2150400", "Ålesund bibliotek", "NO", "1508"),
    ("NO-2180400", "Bodø bibliotek", "NO", "1804"),
    ("NO-2180500", "Narvik bibliotek", "NO", "1806"),
    ("BE-DEMO-ANTW", "Demobibliotheek Antwerpen", "BE", "11002"),
    ("BE-DEMO-LEUV", "Demobibliotheek Leuven", "BE", "24062"),
    ("BE-DEMO-GENT", "Demobibliotheek Gent", "BE", "44021"),
    ("BE-DEMO-HASS", "Demobibliotheek Hasselt", "BE", "71072"),
    ("NL-DEMO-ASSEN", "Demobibliotheek Assen", "NL", "GM0106"),
    ("NL-DEMO-EMMEN", "Demobibliotheek Emmen", "NL", "GM0114"),
    ("NL-DEMO-MEPPL", "Demobibliotheek Meppel", "NL", "GM0119"),
)
# The size the made-up figures of a library without a known population are scaled to (round
# numbers of the order of its town's size). Never stored as a population: per-inhabitant
# figures of these libraries stay empty, as they would with real data.
FIGURES_SCALE = {
    "BE-DEMO-ANTW": 500_000,
    "BE-DEMO-LEUV": 100_000,
    "BE-DEMO-GENT": 250_000,
    "BE-DEMO-HASS": 80_000,
    "NL-DEMO-ASSEN": 70_000,
    "NL-DEMO-EMMEN": 100_000,
    "NL-DEMO-MEPPL": 35_000,
}
# The demo products are the Norwegian counties' agreements: usage reports for Norway's libraries.
USAGE_COUNTRIES = ("NO",)
YEARS = (2024, 2025)
# The years of the demo products' usage reports: the last full year and the catalogue's demo
# agreements' year (2026), so that cost per use has both costs and uses. A report of the current
# year runs to the last whole month.
USAGE_YEARS = (2025, 2026)
# Figures per inhabitant and month, roughly a Norwegian public library's.
PER_INHABITANT_MONTH = {"loans": 0.30, "visits": 0.35, "e_loans": 0.06, "events": 0.0009}
