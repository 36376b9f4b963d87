"""CSV imports of observations: all or nothing, a row-by-row report, progress while writing."""
