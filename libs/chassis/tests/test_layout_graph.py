"""chassis.layout: the import graph the services' layout tests read."""

from __future__ import annotations

from pathlib import Path

from chassis.layout import PackageSource, find_cycle


def _package(root: Path, files: dict[str, str]) -> PackageSource:
    for name, text in files.items():
        path = root / "shop" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return PackageSource(root / "shop")


def test_a_package_circle_is_found_through_glue_modules(tmp_path):
    # directory -> wiring -> agreements -> directory: each module edge alone is no circle.
    source = _package(
        tmp_path,
        {
            "__init__.py": "",
            "wiring.py": "from shop.agreements import service\n",
            "directory/__init__.py": "",
            "directory/models.py": "",
            "directory/service.py": "from shop import wiring\n",
            "agreements/__init__.py": "",
            "agreements/service.py": "from shop.directory import models\n",
        },
    )
    graph = source.imports()
    assert "shop.wiring" in graph["shop.directory.service"]
    assert find_cycle(graph) is None
    assert find_cycle(source.package_graph(graph, 1)) == [
        "shop.agreements",
        "shop.directory",
        "shop.agreements",
    ]


def test_hidden_and_dynamic_imports_are_named_with_their_line(tmp_path):
    source = _package(
        tmp_path,
        {
            "__init__.py": "",
            "late.py": "import importlib\n\ndef f():\n    import json\n    return json\n",
            "named.py": "import importlib\n\nmod = importlib.import_module('json')\n",
        },
    )
    assert source.imports_in_functions() == ["shop.late:4"]
    assert source.imports_by_name() == ["shop.named:3"]
