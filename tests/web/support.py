"""Driving the pages without a browser: forms read from the HTML, posted as a browser would."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from adapters.memory.clock import FixedClock

NOW = FixedClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))  # a Monday, 10:00 in Paris
START = "2026-06-02T10:00:00+02:00"  # Tuesday, a free time of the van transfer
ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


async def details_form(client: httpx.AsyncClient, offering: str = "van-transfer", start: str = START) -> str:
    page = await client.get(f"/book/{offering}/details", params={"start": start})
    assert page.status_code == 200, page.text
    return page.text


async def book(
    client: httpx.AsyncClient, offering: str = "van-transfer", start: str = START, **fields: str
) -> httpx.Response:
    """Opens the form, fills it (Ada by default) and presses Book."""
    html = await details_form(client, offering, start)
    form = {name: hidden(html, name) for name in ("csrf_token", "key", "start", "lang")}
    return await client.post(f"/book/{offering}", data=form | ADA | fields)


def booking_id_of(response: httpx.Response) -> str:
    location = response.headers["location"]
    return re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", location)[0]


def text_of(html: str) -> str:
    """The page's text as a reader gets it: tags gone, white space (also no-break) collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
