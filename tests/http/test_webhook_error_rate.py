"""/health degrades when the hub refuses more than 5 % of the webhooks of the last five minutes."""

from __future__ import annotations

import httpx

from adapters.memory.clock import FixedClock
from adapters.metrics import _Window
from tests.http.test_driver_app import NOW, SECRET, _signed
from tests.http.test_outbox_flow import hub


async def _post(client: httpx.AsyncClient, *, forged: bool) -> None:
    body, headers = _signed(
        {"bookingId": "not-a-booking", "status": "assigned", "timestamp": "2026-06-02T08:05:00Z"}
    )
    if forged:
        headers["x-webhook-signature"] = "0" * 64
    response = await client.post("/webhooks/driver-app", content=body, headers=headers)
    assert response.status_code == (401 if forged else 200), response.text


async def test_health_degrades_when_too_many_webhooks_are_refused(sqlite_url: str) -> None:
    async with hub(sqlite_url, FixedClock(NOW), driver_app_secret=SECRET) as (
        client,
        _,
    ):
        for _ in range(19):
            await _post(client, forged=False)
        await _post(client, forged=True)  # 1 of 20: 5 %, not more
        calm = (await client.get("/health")).json()
        await _post(client, forged=True)  # 2 of 21: over 5 %
        worried = (await client.get("/health")).json()
    assert (calm["status"], calm["webhooks"]) == ("ok", {"received_5m": 20, "refused_5m": 1})
    assert (worried["status"], worried["webhooks"]) == ("degraded", {"received_5m": 21, "refused_5m": 2})


async def test_a_few_refused_webhooks_are_not_an_outage(sqlite_url: str) -> None:
    async with hub(sqlite_url, FixedClock(NOW), driver_app_secret=SECRET) as (client, _):
        for _ in range(3):
            await _post(client, forged=True)
        health = (await client.get("/health")).json()
    assert (health["status"], health["webhooks"]["refused_5m"]) == ("ok", 3)


def test_the_window_forgets_what_is_older_than_five_minutes() -> None:
    now = [1000.0]
    window = _Window(seconds=300, buckets=30, clock=lambda: now[0])
    window.add(failed=True)
    now[0] += 150
    window.add(failed=False)
    assert (window.tally().received, window.tally().failed) == (2, 1)
    now[0] += 151  # the first is now older than five minutes
    assert (window.tally().received, window.tally().failed) == (1, 0)
    now[0] += 300
    assert window.tally().received == 0
