"""What the browser tests share: the host pages of another origin, the accessibility check and
the screenshots (under var/test-output/screenshots, git-ignored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "test-output" / "screenshots"
# axe-core's tags for WCAG 2.1 A and AA.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


@dataclass
class HostPages:
    """Pages served from an origin of their own (another port), as a library's website."""

    pages: dict[str, str] = field(default_factory=dict)
    origin: str = ""


def check_accessibility(page: Any, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of WCAG 2.1 AA on the page as it is now (or on
    the part `context` names, in axe-core's terms)."""
    results = Axe().run(
        page,
        context=context,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
