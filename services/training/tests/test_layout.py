"""The package's import graph has no circle: every import is at module level (none hidden in a
function, nor made by `importlib` or `__import__`, to dodge one), following them from any module
never leads back to it, and no domain package imports one that imports it back (the sessions
know nothing of the registrations: they follow them through `sessions.followers`). The graph is
read by the kit (`chassis.layout`)."""

from __future__ import annotations

import training
from chassis.layout import PackageSource, find_cycle

SOURCE = PackageSource.of(training)


def test_no_module_imports_inside_a_function():
    assert SOURCE.imports_in_functions() == []


def test_the_import_graph_has_no_circle():
    assert find_cycle(SOURCE.imports()) is None


def test_no_module_is_imported_by_name_at_run_time():
    assert SOURCE.imports_by_name() == []


def test_no_circle_between_domain_packages():
    assert find_cycle(SOURCE.package_graph(SOURCE.imports(), 1)) is None


def test_lower_domains_do_not_know_the_higher_ones():
    graph = SOURCE.package_graph(SOURCE.imports(), 1)
    # Registrations follow the sessions' seats through `sessions.followers`.
    assert "training.registrations" not in graph["training.sessions"]
    assert not {"training.sessions", "training.registrations"} & graph["training.content"]
