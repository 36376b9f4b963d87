"""KPI: indicators, observations with revisions, harvesting, published datasets."""
