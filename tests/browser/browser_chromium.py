"""Debian's chromium for the browser tests: found, or installed when missing (as `make bench`
installs its tools). Playwright's own browser download cannot be fetched here, so Playwright
drives this one through `executable_path`.

`python tests/browser/browser_chromium.py` (make test runs it) installs it when it can and says why not
when it cannot; the tests then skip with that reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGE = "chromium"
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def find() -> str | None:
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


def ensure() -> tuple[str | None, str]:
    """(the browser's path, "") or (None, why it is missing and could not be installed)."""
    found = find()
    if found is not None:
        return found, ""
    if shutil.which("apt-get") is None:
        return None, f"no {PACKAGE} and no apt-get to install it"
    if os.geteuid() != 0:
        return None, f"no {PACKAGE}, and installing it needs root: apt-get install -y {PACKAGE}"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", PACKAGE]
    done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
    found = find()
    if found is None:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return None, f"apt-get install {PACKAGE} failed: {last[0]}"
    return found, ""


if __name__ == "__main__":
    path, reason = ensure()
    print(f"browser tests: {path or 'will be skipped: ' + reason}", file=sys.stderr)
