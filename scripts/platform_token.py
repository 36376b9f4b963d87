"""`make token`: a token for the platform `make run` starts, signed with its gateway's current key
and naming that gateway as its issuer, at the address `make run` gives it (PLATFORM_HOST,
PLATFORM_GATEWAY_PORT, PLATFORM_DATA_DIR), so that the token is accepted whatever port it runs on.

    python scripts/platform_token.py --role operator [--county 03 | --vendor-id <uuid> | --isil ...]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from run_platform import LauncherSettings, component_env

from gateway.cli.main import main as gateway_main
from platform_components import GATEWAY


def main(argv: Sequence[str]) -> int:
    os.environ.update(component_env(LauncherSettings(), GATEWAY))
    return gateway_main(["token", *argv])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
