"""serve_app's start-up: the heap that lives as long as the process is frozen once it is up."""

from __future__ import annotations

import gc
from typing import Any

from chassis.cli import freeze_heap_after_startup


async def test_the_heap_is_frozen_when_start_up_is_complete_and_requests_pass_through() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            seen.append(gc.get_freeze_count())

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    wrapped = freeze_heap_after_startup(app)
    gc.unfreeze()
    try:
        await wrapped({"type": "http"}, receive, send)
        assert gc.get_freeze_count() == 0
        await wrapped({"type": "lifespan"}, receive, send)
        assert seen[:2] == ["http", "lifespan"]
        assert seen[2] > 0
        assert sent == [{"type": "lifespan.startup.complete"}]
    finally:
        gc.unfreeze()
