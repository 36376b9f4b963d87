"""How the gateway's commands speak: refusals on stderr with exit status 2, and times."""

from __future__ import annotations

import sys
from datetime import datetime

from sqlalchemy.exc import DBAPIError


def refuse(message: str) -> int:
    print(f"gateway: {message}", file=sys.stderr)
    return 2


def database_refused(exc: DBAPIError) -> int:
    return refuse(f"the database refused: {exc.orig}. Is it migrated (python -m gateway migrate)?")


def when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
