"""The package's import graph has no circle: every import is at module level (none hidden in a
function, nor made by `importlib` or `__import__`, to dodge one), following them from any module
never leads back to it, and no domain package imports one that imports it back (the sessions
know nothing of the registrations: they follow them through `sessions.followers`)."""

from __future__ import annotations

import ast
from pathlib import Path

import training

ROOT = Path(training.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _packages() -> set[str]:
    return {_module_name(p) for p in ROOT.rglob("__init__.py")}


def _package_graph(graph: dict[str, set[str]], depth: int) -> dict[str, set[str]]:
    """The packages `depth` levels below the root, each one node; module A of P importing B of Q
    is the edge P -> Q. A module outside such a package (app, wiring, resources at depth 1) is
    no node but passed through: P -> wiring -> Q is the edge P -> Q, so glue cannot hide a circle.
    """
    packages = _packages()

    def package(module: str) -> str | None:
        prefix = ".".join(module.split(".")[: depth + 1])
        return prefix if prefix.count(".") == depth and prefix in packages else None

    folded: dict[str, set[str]] = {}
    for start in sorted({p for m in graph if (p := package(m)) is not None}):
        reached: set[str] = set()
        seen: set[str] = set()
        frontier = [m for m in graph if package(m) == start]
        while frontier:
            for target in graph[frontier.pop()]:
                owner = package(target)
                if owner is None and target not in seen:
                    seen.add(target)
                    frontier.append(target)
                elif owner is not None and owner != start:
                    reached.add(owner)
        folded[start] = reached
    return folded


def _dynamic_imports() -> list[str]:
    """Calls of `importlib.import_module` or `__import__`: an import the graph would not see."""
    found = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in {"import_module", "__import__"}:
                    found.append(f"{_module_name(path)}:{node.lineno}")
    return found


def _in_functions() -> list[str]:
    hidden = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        hidden.append(f"{_module_name(path)}:{inner.lineno}")
    return hidden


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_no_module_imports_inside_a_function():
    assert _in_functions() == []


def test_the_import_graph_has_no_circle():
    assert _cycle(_imports()) is None


def test_no_module_is_imported_by_name_at_run_time():
    assert _dynamic_imports() == []


def test_no_circle_between_domain_packages():
    assert _cycle(_package_graph(_imports(), 1)) is None


def test_lower_domains_do_not_know_the_higher_ones():
    graph = _package_graph(_imports(), 1)
    # Registrations follow the sessions' seats through `sessions.followers`.
    assert "training.registrations" not in graph["training.sessions"]
    assert not {"training.sessions", "training.registrations"} & graph["training.content"]


def test_a_package_circle_is_found_through_glue_modules():
    # sessions -> wiring -> registrations -> sessions: each module edge alone is no circle.
    graph = {
        "training.sessions.service": {"training.wiring"},
        "training.wiring": {"training.registrations.service"},
        "training.registrations.service": {"training.sessions.models"},
        "training.sessions.models": set(),
    }
    assert _cycle(graph) is None
    assert _cycle(_package_graph(graph, 1)) == [
        "training.registrations",
        "training.sessions",
        "training.registrations",
    ]
