"""The package's import graph: every import at module level, and no circle between modules nor
between domain packages (tickets know nothing of the SLA view, the knowledge base, figures).
The graph is read by the kit (`chassis.layout`)."""

from __future__ import annotations

import helpdesk
from chassis.layout import PackageSource, find_cycle

SOURCE = PackageSource.of(helpdesk)


def _domains() -> dict[str, set[str]]:
    """Domain -> the domains it reaches, by their short names (`tickets`, `hours`)."""
    graph = SOURCE.package_graph(SOURCE.imports(), 1)
    short = lambda name: name.split(".")[1]  # noqa: E731
    return {short(domain): {short(d) for d in reached} for domain, reached in graph.items()}


def test_no_import_inside_a_function():
    assert SOURCE.imports_in_functions() == []


def test_no_circle_between_modules_nor_domains():
    graph = SOURCE.imports()
    assert find_cycle(graph) is None
    assert find_cycle(SOURCE.package_graph(graph, 1)) is None


def test_the_hours_module_is_pure_and_tickets_stand_below_their_readers():
    domains = _domains()
    assert domains["hours"] == set()
    assert domains["tickets"].isdisjoint({"sla", "knowledge", "figures", "satisfaction", "calls"})
