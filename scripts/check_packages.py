"""Install each workspace package on its own and import every module it ships.

A module that imports something its package does not declare works in the shared development
environment (which holds everything) and fails in the package's own image. This installs each
package into an environment of its own from the lock file (`uv sync --package`), with its
declared extras and nothing else, and imports all of its modules there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENVS = ROOT / ".tools" / "envs"

IMPORT_ALL = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
failed = []
for module in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
    if module.name.endswith("__main__"):
        continue  # runs the command line on import
    try:
        importlib.import_module(module.name)
    except Exception as exc:
        failed.append(f"{module.name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def members() -> list[tuple[str, str, list[str]]]:
    """(distribution name, import name, extras) of every workspace member."""
    found = []
    pyprojects = [
        *ROOT.glob("libs/*/pyproject.toml"),
        *ROOT.glob("services/*/pyproject.toml"),
        ROOT / "gateway" / "pyproject.toml",
    ]
    for pyproject in sorted(pyprojects):
        project = tomllib.loads(pyproject.read_text())["project"]
        package_dirs = [p for p in (pyproject.parent / "src").iterdir() if p.is_dir()]
        (import_name,) = [p.name for p in package_dirs if (p / "__init__.py").exists()]
        extras = sorted(project.get("optional-dependencies", {}))
        found.append((project["name"], import_name, extras))
    return found


def check(name: str, import_name: str, extras: list[str], uv: str) -> str | None:
    env = ENVS / name
    environ = os.environ | {"UV_PROJECT_ENVIRONMENT": str(env), "UV_LINK_MODE": "hardlink"}
    sync = [uv, "sync", "--frozen", "--quiet", "--no-dev", "--package", name]
    sync += [arg for extra in extras for arg in ("--extra", extra)]
    # Our own uv and our own package names, from the workspace's files.
    installed = subprocess.run(sync, cwd=ROOT, env=environ, capture_output=True, text=True)  # noqa: S603
    if installed.returncode != 0:
        return f"uv sync --package {name} failed:\n{installed.stderr}"
    imported = subprocess.run(  # noqa: S603
        [str(env / "bin" / "python"), "-c", IMPORT_ALL, import_name],
        capture_output=True,
        text=True,
    )
    if imported.returncode != 0:
        return f"{name} alone cannot import:\n{imported.stdout}{imported.stderr}"
    return None


def main() -> int:
    uv = str(ROOT / ".tools" / "bin" / "uv")
    problems = []
    for name, import_name, extras in members():
        problem = check(name, import_name, extras, uv)
        print(f"{name:22} {'ok' if problem is None else 'FAILED'}", flush=True)
        if problem is not None:
            problems.append(problem)
    for problem in problems:
        print(f"\n{problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
