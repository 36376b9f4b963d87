"""The package's import graph: every import at module level, and no circle between modules nor
between domain packages (tickets know nothing of the SLA view, the knowledge base, figures)."""

from __future__ import annotations

import ast
from pathlib import Path

import helpdesk

ROOT = Path(helpdesk.__file__).resolve().parent


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _domains(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    def domain(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 2 else None

    folded: dict[str, set[str]] = {}
    for module, targets in graph.items():
        own = domain(module)
        if own is None:
            continue
        folded.setdefault(own, set())
        folded[own] |= {d for t in targets if (d := domain(t)) is not None and d != own}
    return folded


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
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


def test_no_import_inside_a_function():
    hidden = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [
                    f"{_name(path)}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                ]
    assert hidden == []


def test_no_circle_between_modules_nor_domains():
    graph = _imports()
    assert _cycle(graph) is None
    assert _cycle(_domains(graph)) is None


def test_the_hours_module_is_pure_and_tickets_stand_below_their_readers():
    domains = _domains(_imports())
    assert domains["hours"] == set()
    assert domains["tickets"].isdisjoint({"sla", "knowledge", "figures", "satisfaction", "calls"})
