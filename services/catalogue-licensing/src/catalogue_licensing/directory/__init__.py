"""Organisation directory: countries, counties, municipalities, libraries."""
