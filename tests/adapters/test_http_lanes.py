"""HTTP lanes: at most N connections per origin, reused, and every request answered."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from adapters.providers.http_lanes import HttpLanes
from tests.support.sink import http_sink


async def test_concurrent_posts_share_at_most_the_lanes_of_their_origin() -> None:
    with http_sink(delay=0.02) as sink:
        http = HttpLanes(lanes=3)
        try:
            answers = await asyncio.gather(*(http.post(sink.url, content=b"{}") for _ in range(12)))
            clients = len(http._all)
        finally:
            await http.aclose()
    assert [a.status_code for a in answers] == [200] * 12
    assert len(sink.received) == 12
    assert clients == 3  # 12 requests over 3 lanes, each kept alive for the next


async def test_each_origin_has_lanes_of_its_own() -> None:
    with http_sink() as first, http_sink() as second:
        http = HttpLanes(lanes=1)
        try:
            await asyncio.gather(http.post(first.url, content=b"1"), http.post(second.url, content=b"2"))
            await http.post(first.url, content=b"3")
            clients = len(http._all)
        finally:
            await http.aclose()
    assert ([r.body for r in first.received], [r.body for r in second.received]) == ([b"1", b"3"], [b"2"])
    assert clients == 2


async def test_a_failed_request_gives_its_lane_back() -> None:
    http = HttpLanes(lanes=1, timeout=1)
    try:
        for _ in range(2):  # the second would wait for the lane forever if the first had kept it
            with pytest.raises(httpx.TransportError):
                await asyncio.wait_for(http.post("http://127.0.0.1:9/closed", content=b""), timeout=5)
    finally:
        await http.aclose()
