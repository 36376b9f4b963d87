"""The five Dockerfiles and the build context's .dockerignore.

No engine here to build them: the checks read the instructions, hold each
Dockerfile to the fixed conventions, and keep the five from drifting apart.
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BASE_IMAGE = "python:3.11-slim"
UV_VERSION = "0.13.8"


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        result.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    assert not pending, f"{path}: dangling line continuation"
    return result


def stages(path: Path) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, arguments in instructions(path):
        if keyword == "FROM":
            found.append([])
        assert found, f"{path}: an instruction before the first FROM"
        found[-1].append((keyword, arguments))
    return found


def dockerfile(component: Any) -> Path:
    return Path(REPO, component.directory, "Dockerfile")


def args(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [a for k, a in stage if k == keyword]


def test_every_stage_starts_from_the_python_slim_image(component: Any) -> None:
    for stage in stages(dockerfile(component)):
        base = stage[0][1].split()[0]
        assert base == BASE_IMAGE


def test_build_stage_installs_the_locked_component(component: Any) -> None:
    build = stages(dockerfile(component))[0]
    runs = " ".join(args(build, "RUN"))
    env = " ".join(args(build, "ENV"))
    assert f"pip install --no-cache-dir uv=={UV_VERSION}" in runs
    assert "UV_PYTHON_DOWNLOADS=never" in env
    assert f"uv sync --frozen --no-dev --package {component.name} " in runs + " "
    assert args(build, "WORKDIR") == ["/app"]
    copied = {
        a.split()[-1].rstrip("/") + "|" + " ".join(a.split()[:-1]) for a in args(build, "COPY")
    }
    # The repository layout is kept under /app: the component's alembic.ini and
    # migrations/ stay where `migrate` looks for them.
    assert f"{component.directory}|{component.directory}" in copied
    assert "libs/chassis|libs/chassis" in copied
    assert ".|pyproject.toml uv.lock" in copied


def test_runtime_stage_runs_as_a_non_root_user(component: Any) -> None:
    runtime = stages(dockerfile(component))[-1]
    users = args(runtime, "USER")
    assert users, "the runtime stage sets a USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit(), "numeric, so that runAsNonRoot can verify it"
    assert int(uid) > 0
    assert args(runtime, "COPY") == ["--from=build /app /app"]


def test_runtime_stage_serves_the_component(component: Any) -> None:
    runtime = stages(dockerfile(component))[-1]
    env = " ".join(args(runtime, "ENV"))
    p = component.prefix
    assert "PATH=/app/.venv/bin:$PATH" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert f"{p}HOST=0.0.0.0" in env
    assert f"{p}PORT=8000" in env
    assert args(runtime, "WORKDIR") == [f"/app/{component.directory}"]
    assert args(runtime, "EXPOSE") == ["8000"]
    [cmd] = args(runtime, "CMD")
    assert json.loads(cmd) == ["python", "-m", component.package, "serve"]


# Libraries a component may depend on besides the kit: each adds its lines to the images that use it.
OPTIONAL_LIBS = ("libs/search",)


def workspace_dependencies(component: Any) -> set[str]:
    manifest = tomllib.loads(Path(REPO, component.directory, "pyproject.toml").read_text("utf-8"))
    names = {
        re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0] for d in manifest["project"]["dependencies"]
    }
    return {lib for lib in OPTIONAL_LIBS if Path(lib).name in names}


def normalised(component: Any) -> list[str]:
    """The Dockerfile with the component's own names (its directory, package,
    uv name and settings prefix) replaced by placeholders, and the optional libraries' mentions
    taken out (`test_images_bring_the_libraries_they_use` checks those)."""
    text = dockerfile(component).read_text(encoding="utf-8")
    text = text.replace(component.prefix, "<PREFIX_>")
    for lib in OPTIONAL_LIBS:
        text = text.replace(f" {lib}/src", "")
        text = "\n".join(line for line in text.splitlines() if lib not in line)
    for value in sorted({component.directory, component.package, component.name}, key=len)[::-1]:
        text = text.replace(value, "<component>")
    return text.splitlines()


def test_images_bring_the_libraries_they_use(component: Any) -> None:
    """A library the component depends on: its manifest before the dependencies are installed,
    its source with the component's, compiled with it; one it does not use stays out."""
    text = dockerfile(component).read_text(encoding="utf-8")
    used = workspace_dependencies(component)
    for lib in OPTIONAL_LIBS:
        lines = [
            f"COPY {lib}/pyproject.toml {lib}/",
            f"COPY {lib} {lib}",
        ]
        if lib in used:
            for line in lines:
                assert line in text, f"{component.name}: {line!r}"
            assert f" {lib}/src" in text, f"{component.name}: {lib}/src is not compiled"
        else:
            assert lib not in text, f"{component.name} does not depend on {lib}"


def test_dockerfiles_do_not_drift_apart(services: tuple[Any, ...], gateway: Any) -> None:
    """The images differ only in names; the gateway adds its key directory."""
    reference = normalised(services[0])
    for service in services[1:]:
        assert normalised(service) == reference, service.name
    gateway_lines = normalised(gateway)
    missing = [line for line in reference if line not in gateway_lines]
    assert missing == []
    extra = [line for line in gateway_lines if line not in reference]
    assert len(extra) <= 4, extra


# --- .dockerignore ---------------------------------------------------------------------


def ignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    return any(
        fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.removeprefix("**/"))
        for pattern in ignore_patterns()
    )


@pytest.mark.parametrize(
    "path", [".venv", ".git", "var", "services/kpi/.venv", "gateway/signing-key.pem"]
)
def test_dockerignore_keeps_local_state_out(path: str) -> None:
    assert ignored(path)


def test_dockerignore_keeps_what_the_images_copy(component: Any) -> None:
    for path in (
        "pyproject.toml",
        "uv.lock",
        "libs/chassis",
        "libs/chassis/src",
        component.directory,
        f"{component.directory}/src",
        f"{component.directory}/migrations",
        f"{component.directory}/alembic.ini",
    ):
        assert not ignored(path), path
    assert not any(p.startswith("!") for p in ignore_patterns()), "keep it simple: no exceptions"


def test_dockerignore_has_no_overbroad_patterns() -> None:
    for pattern in ignore_patterns():
        assert not re.fullmatch(r"[*/]*", pattern), pattern
