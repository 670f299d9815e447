"""The five webhook routes come from one factory: the driver app's are counted and logged like the others."""

from __future__ import annotations

import logging

import pytest

from adapters.memory.clock import FixedClock
from entrypoints.http.app import ROUTES
from entrypoints.http.webhooks import WEBHOOK_ROUTES
from tests.http.test_driver_app import NOW, SECRET, _signed
from tests.http.test_metrics import _scrape
from tests.http.test_outbox_flow import hub

UNKNOWN = "6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d"


def test_the_five_webhook_routes_are_the_factorys() -> None:
    paths = sorted(path for route in WEBHOOK_ROUTES for path in route.paths)
    assert paths == [
        "/webhooks/acuity",
        "/webhooks/airwallex",
        "/webhooks/calcom",
        "/webhooks/driver-app",
        "/webhooks/stripe",
    ]
    assert all(route in ROUTES for route in WEBHOOK_ROUTES)


async def test_a_driver_app_update_is_logged_and_counted_like_every_webhook(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bookhub.webhooks")
    body, headers = _signed({"bookingId": UNKNOWN, "status": "arrived", "eventId": "ev-1"})
    async with hub(sqlite_url, FixedClock(NOW), driver_app_secret=SECRET) as (client, _):
        answered = await client.post("/webhooks/driver-app", content=body, headers=headers)
        forged = await client.post(
            "/webhooks/driver-app", content=body, headers=headers | {"x-webhook-signature": "0" * 64}
        )
        counted = await _scrape(client)
    assert answered.json() == {"outcome": "unknown_booking"}
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bookhub.webhooks"]
    assert lines == [
        ("INFO", "driver_app webhook ev-1 (trip.arrived): unknown_booking"),
        ("WARNING", "driver_app webhook refused: invalid_signature"),
    ]
    for outcome in ("unknown_booking", "invalid_signature"):
        labels = (("outcome", outcome), ("provider", "driver_app"))
        assert counted[("bookhub_webhooks_received_total", labels)] == 1
