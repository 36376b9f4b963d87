"""A minimal pure-ASGI proxy, one per HTTP client library, for comparing the clients in `make bench`.

The gateway's proxy does more per request (path checks, token verification, request id, access
log, metrics); this one does only what every proxy must: pass the method, path, query, end-to-end
headers and body on, and stream the answer back. Everything but the client library is the same
in each variant, so the differences between them are the clients' own.

Run: python -m platform_bench.miniproxy --client aiohttp --port 9000 --upstream http://127.0.0.1:9001
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
    }
)
# Same limits as the gateway's defaults (GatewaySettings): pool of 100, connect 2 s, read 30 s.
POOL_SIZE = 100
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 30.0
TOTAL_TIMEOUT = 60.0

# (method, url, headers, body) -> a context manager yielding (status, headers, body chunks)
Exchange = Callable[
    [str, str, list[tuple[bytes, bytes]], bytes | None],
    AbstractAsyncContextManager[tuple[int, list[tuple[bytes, bytes]], AsyncIterator[bytes]]],
]


class _AiohttpClient:
    def __init__(self) -> None:
        import aiohttp

        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=POOL_SIZE, keepalive_timeout=4.0),
            timeout=aiohttp.ClientTimeout(
                total=TOTAL_TIMEOUT,
                connect=CONNECT_TIMEOUT,
                sock_connect=CONNECT_TIMEOUT,
                sock_read=READ_TIMEOUT,
            ),
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        )

    def exchange(
        self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes | None
    ) -> Any:
        session = self._session

        class _Ctx:
            async def __aenter__(
                self,
            ) -> tuple[int, list[tuple[bytes, bytes]], AsyncIterator[bytes]]:
                self.response = await session.request(
                    method,
                    url,
                    headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
                    data=body,
                    allow_redirects=False,
                )
                return (
                    self.response.status,
                    list(self.response.raw_headers),
                    self.response.content.iter_any(),
                )

            async def __aexit__(self, *exc: object) -> None:
                self.response.release()

        return _Ctx()

    async def close(self) -> None:
        await self._session.close()


class _HttpxClient:
    def __init__(self) -> None:
        import httpx

        # Stock AsyncClient, as an application would build it; only the limits and timeouts
        # are set to the gateway's.
        self._client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE),
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            follow_redirects=False,
            trust_env=False,
        )

    def exchange(
        self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes | None
    ) -> Any:
        client = self._client

        class _Ctx:
            async def __aenter__(
                self,
            ) -> tuple[int, list[tuple[bytes, bytes]], AsyncIterator[bytes]]:
                request = client.build_request(method, url, headers=headers, content=body)
                self.response = await client.send(request, stream=True)
                return (
                    self.response.status_code,
                    list(self.response.headers.raw),
                    self.response.aiter_raw(),
                )

            async def __aexit__(self, *exc: object) -> None:
                await self.response.aclose()

        return _Ctx()

    async def close(self) -> None:
        await self._client.aclose()


class _HttpcoreClient:
    def __init__(self) -> None:
        import httpcore

        # httpx's transport without httpx on top: shows how much of httpx's cost is its pool.
        self._pool = httpcore.AsyncConnectionPool(
            max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE
        )
        self._extensions = {
            "timeout": {
                "connect": CONNECT_TIMEOUT,
                "read": READ_TIMEOUT,
                "write": READ_TIMEOUT,
                "pool": CONNECT_TIMEOUT,
            }
        }

    def exchange(
        self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes | None
    ) -> Any:
        pool, extensions = self._pool, self._extensions

        class _Ctx:
            async def __aenter__(
                self,
            ) -> tuple[int, list[tuple[bytes, bytes]], AsyncIterator[bytes]]:
                self._stream = pool.stream(
                    method.encode(), url, headers=headers, content=body, extensions=extensions
                )
                response = await self._stream.__aenter__()
                return response.status, list(response.headers), response.aiter_stream()

            async def __aexit__(self, *exc: object) -> None:
                await self._stream.__aexit__(None, None, None)

        return _Ctx()

    async def close(self) -> None:
        await self._pool.aclose()


CLIENTS: dict[str, Callable[[], Any]] = {
    "aiohttp": _AiohttpClient,
    "httpx": _HttpxClient,
    "httpcore": _HttpcoreClient,
}


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def proxy_app(client_name: str, upstream: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI application; the client is built in the lifespan, inside the server's loop."""
    state: dict[str, Any] = {}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    state["client"] = CLIENTS[client_name]()
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await state["client"].close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        url = upstream + scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k not in HOP_BY_HOP]
        body = await _read_body(receive) if scope["method"] in ("POST", "PUT", "PATCH") else None
        async with state["client"].exchange(scope["method"], url, headers, body) as answer:
            status, response_headers, chunks = answer
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (k.lower() if isinstance(k, bytes) else k.lower().encode(), v)
                        for k, v in response_headers
                        if k.lower() not in HOP_BY_HOP and k.lower() not in (b"date", b"server")
                    ],
                }
            )
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", choices=sorted(CLIENTS), required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    args = parser.parse_args()
    # The same server options as the kit's serve_app.
    uvicorn.run(
        proxy_app(args.client, args.upstream.rstrip("/")),
        host="127.0.0.1",
        port=args.port,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        lifespan="on",
    )


if __name__ == "__main__":
    main()
