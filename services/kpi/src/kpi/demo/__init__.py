"""The kpi demo data `make run` loads: demo organisations, two years of monthly figures, COUNTER
usage for the demo products; idempotent, with fixed ids."""

from kpi.demo.load import load_demo

__all__ = ["load_demo"]
