"""Resource identifiers: UUIDv7, time-ordered so new rows land at the end of indexes."""

from __future__ import annotations

import uuid

import uuid_utils.compat as uuid_compat


def uuid7() -> uuid.UUID:
    return uuid_compat.uuid7()
