"""A service package's import graph, for the layout tests every service keeps: every import at
module level (none hidden in a function, nor made by `importlib` or `__import__`), no circle
between modules, and none between domain packages even through glue modules (`wiring`, `app`).

Read from the source with `ast`; nothing is imported. A service's `tests/test_layout.py` states
its own rules on top (which domain must not know which)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType

Graph = Mapping[str, set[str]]


@dataclass(frozen=True)
class PackageSource:
    """The modules of one package (`PackageSource.of(training)`), by dotted name."""

    root: Path

    @classmethod
    def of(cls, package: ModuleType) -> PackageSource:
        assert package.__file__ is not None
        return cls(Path(package.__file__).resolve().parent)

    def name_of(self, path: Path) -> str:
        parts = path.relative_to(self.root.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    @cached_property
    def trees(self) -> dict[str, tuple[Path, ast.Module]]:
        return {
            self.name_of(path): (path, ast.parse(path.read_text(encoding="utf-8")))
            for path in sorted(self.root.rglob("*.py"))
        }

    @cached_property
    def packages(self) -> frozenset[str]:
        return frozenset(self.name_of(p) for p in self.root.rglob("__init__.py"))

    def imports(self) -> dict[str, set[str]]:
        """Module -> the package's modules it imports (`from a import b` counts a.b if a module)."""
        modules = self.trees
        graph: dict[str, set[str]] = {}
        for name, (_, tree) in modules.items():
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

    def imports_in_functions(self) -> list[str]:
        """`module:line` of every import inside a function."""
        return [
            f"{name}:{inner.lineno}"
            for name, node in self._nodes()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(node)
            if isinstance(inner, ast.Import | ast.ImportFrom)
        ]

    def imports_by_name(self) -> list[str]:
        """`module:line` of every `importlib.import_module` or `__import__` call: an import the
        graph would not see."""
        found = []
        for name, node in self._nodes():
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in {"import_module", "__import__"}:
                    found.append(f"{name}:{node.lineno}")
        return found

    def package_graph(self, graph: Graph, depth: int) -> dict[str, set[str]]:
        """The packages `depth` levels below the root, each one node; module A of P importing B
        of Q is the edge P -> Q. A module outside such a package (app, wiring, resources at depth
        1) is no node but passed through: P -> wiring -> Q is the edge P -> Q, so glue cannot
        hide a circle."""
        packages = self.packages

        def package(module: str) -> str | None:
            prefix = ".".join(module.split(".")[: depth + 1])
            return prefix if prefix.count(".") == depth and prefix in packages else None

        folded: dict[str, set[str]] = {}
        for start in sorted({p for m in graph if (p := package(m)) is not None}):
            reached: set[str] = set()
            seen: set[str] = set()
            frontier = [m for m in graph if package(m) == start]
            while frontier:
                for target in graph.get(frontier.pop(), ()):
                    owner = package(target)
                    if owner is None and target not in seen:
                        seen.add(target)
                        frontier.append(target)
                    elif owner is not None and owner != start:
                        reached.add(owner)
            folded[start] = reached
        return folded

    def _nodes(self) -> Iterator[tuple[str, ast.AST]]:
        for name, (_, tree) in self.trees.items():
            for node in ast.walk(tree):
                yield name, node


def find_cycle(graph: Graph) -> list[str] | None:
    """A circle in `graph` (its nodes in order, the first repeated at the end), or None."""
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
