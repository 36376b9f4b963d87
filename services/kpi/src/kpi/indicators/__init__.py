"""Indicators: what is measured, in which unit, over which periods, and how it rolls up."""
