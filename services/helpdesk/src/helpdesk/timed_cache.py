"""A small per-process cache of values that may be a few minutes old (keyed, time-limited)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any


class TimedCache:
    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._entries: dict[Any, tuple[float, Any]] = {}

    async def get(self, key: Any, compute: Callable[[], Awaitable[Any]]) -> Any:
        """The cached value of `key` while fresh, else `compute()`'s, kept for next time."""
        now = self._clock()
        found = self._entries.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = await compute()
        # One key a day (the quarter moves daily at most): keep the map from growing.
        self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
        self._entries[key] = (now + self._seconds, value)
        return value
