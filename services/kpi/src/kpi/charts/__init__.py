"""Charts: series rendered as SVG a website can embed, the same bytes for the same data."""
