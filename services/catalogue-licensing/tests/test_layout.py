"""The package's import graph has no circle: every import is at module level (none hidden in a
function, nor made by `importlib` or `__import__`, to dodge one), following them from any module
never leads back to it, and no domain package imports one that imports it back (the directory
knows nothing of the agreements: they follow it through `directory.followers`). The graph is
read by the kit (`chassis.layout`), which tests that glue modules cannot hide a circle."""

from __future__ import annotations

import catalogue_licensing
from chassis.layout import PackageSource, find_cycle

SOURCE = PackageSource.of(catalogue_licensing)


def test_no_module_imports_inside_a_function():
    assert SOURCE.imports_in_functions() == []


def test_the_import_graph_has_no_circle():
    assert find_cycle(SOURCE.imports()) is None


def test_no_module_is_imported_by_name_at_run_time():
    assert SOURCE.imports_by_name() == []


def test_no_circle_between_domain_packages():
    for depth in (1, 2):  # the domains; then agreements' own sub-packages
        assert find_cycle(SOURCE.package_graph(SOURCE.imports(), depth)) is None, depth


def test_the_directory_does_not_know_the_agreements():
    assert (
        "catalogue_licensing.agreements"
        not in SOURCE.package_graph(SOURCE.imports(), 1)["catalogue_licensing.directory"]
    )
