"""Comparisons with peers (the median of libraries or municipalities of the same size class) and
rankings of the organisations of one level."""
