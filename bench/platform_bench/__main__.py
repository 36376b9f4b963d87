"""`python -m platform_bench` (what `make bench` runs)."""

import signal
import sys

from platform_bench.runner import main


def _stop(signum: int, _frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C does, so the fleet's exit stops every process it started.
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _stop)
sys.exit(main())
