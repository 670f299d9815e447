"""An HTTP client for the outbox: per origin up to N lanes, each an httpx client with one connection.

httpcore's connection pool does work per request in proportion to the connections it holds (it scans
them, asks each idle one whether its socket is readable, and re-assigns queued requests): with 50
connections that is most of a delivery's CPU (docs/benchmarks.md, outbox drain). Lanes of one
connection each keep that scan at one entry, and a request only waits for a lane of its own origin.
Senders use it as they would an `httpx.AsyncClient`: `await http.post(url, ...)`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class HttpLanes:
    def __init__(self, *, lanes: int, timeout: float = 10.0) -> None:
        self._lanes, self._timeout = lanes, timeout
        self._free: dict[str, asyncio.Queue[httpx.AsyncClient]] = {}
        self._opened: dict[str, int] = {}
        self._all: list[httpx.AsyncClient] = []

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        origin = _origin(url)
        client = await self._take(origin)
        try:
            return await client.request(method, url, **kwargs)
        finally:
            self._free[origin].put_nowait(client)

    async def _take(self, origin: str) -> httpx.AsyncClient:
        free = self._free.setdefault(origin, asyncio.Queue())
        if free.empty() and self._opened.get(origin, 0) < self._lanes:
            self._opened[origin] = self._opened.get(origin, 0) + 1
            client = httpx.AsyncClient(
                timeout=self._timeout, limits=httpx.Limits(max_connections=1, max_keepalive_connections=1)
            )
            self._all.append(client)
            return client
        return await free.get()

    async def aclose(self) -> None:
        clients, self._all = self._all, []
        self._free.clear()
        self._opened.clear()
        await asyncio.gather(*(client.aclose() for client in clients))


def _origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}:{parsed.port or ''}"


# What the HTTP senders take: the container gives them lanes; a test may give a plain client.
HttpClient = httpx.AsyncClient | HttpLanes
