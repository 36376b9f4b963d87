"""The columns of the exported tables: a dataset's cells, a series' figures."""

from __future__ import annotations

from kpi.exports.csvw import Column

PERIOD = {
    "base": "string",
    "format": r"[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2])|-W(0[1-9]|[1-4][0-9]|5[0-3]))?",
}
UUID = {"base": "string", "format": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"}

DATASET_COLUMNS = (
    Column("indicator", "Indicator", "string", "The indicator's code", required=True),
    Column("organisation_id", "Organisation id", UUID, "The organisation's id", required=True),
    Column("organisation", "Organisation", "string", "ISIL, municipality or county number", True),
    Column("organisation_name", "Organisation name", "string", "The organisation's name", True),
    Column("period", "Period", PERIOD, "ISO 8601: YYYY, YYYY-Qn, YYYY-MM, YYYY-Www", True),
    Column("value", "Value", "double", "Empty when suppressed or when there is no figure"),
    Column(
        "status",
        "Status",
        {"base": "string", "format": "shown|suppressed|no_data"},
        "shown; suppressed (a small number, or one that would reveal one); no_data",
        required=True,
    ),
)
DATASET_KEY = ("indicator", "organisation_id", "period")

SERIES_COLUMNS = (
    Column("indicator", "Indicator", "string", "The indicator's code", required=True),
    Column("rule", "Roll-up rule", "string", "How the figure rolls up", required=True),
    Column("organisation_id", "Organisation id", UUID, "The organisation's id", required=True),
    Column("organisation", "Organisation", "string", "ISIL, municipality or county number", True),
    Column("period", "Period", PERIOD, "ISO 8601: YYYY, YYYY-Qn, YYYY-MM, YYYY-Www", True),
    Column("value", "Value", "double", "Empty when it cannot be known: see note"),
    Column("numerator", "Numerator", "double", "A ratio's rolled-up numerator"),
    Column("denominator", "Denominator", "double", "A ratio's rolled-up denominator"),
    Column("note", "Note", "string", "Why there is no value"),
)
SERIES_KEY = ("organisation_id", "period")
