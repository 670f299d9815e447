"""The whole hub records what the Integrations page charts: each delivery the worker makes, and each
webhook post it refuses (a forged signature), counted in its hour."""

from __future__ import annotations

from adapters.memory.clock import FixedClock
from tests.http.test_driver_app import NOW, SECRET, _signed
from tests.http.test_outbox_flow import deliver_all, hub, paid_booking


async def test_deliveries_and_refused_webhooks_reach_the_integrations_report(database_url: str) -> None:
    async with hub(database_url, FixedClock(NOW), driver_app_secret=SECRET) as (client, container):
        await paid_booking(client)
        delivered = await deliver_all(container)
        body, headers = _signed({"bookingId": "x", "status": "assigned", "timestamp": "2026-06-02T08:05:00Z"})
        headers["x-webhook-signature"] = "0" * 64
        assert (await client.post("/webhooks/driver-app", content=body, headers=headers)).status_code == 401
        report = await container.console_views().integrations()
    by_name = {i.name: i for i in report.integrations}
    assert by_name["erp"].delivered_24h == sum("erp." in d for d in delivered) == 1
    assert sum(h.delivered for h in report.hours) == sum(i.delivered_24h for i in report.integrations) > 1
    rates = {w.provider: (w.accepted, w.refused) for w in report.webhooks}
    assert rates["driver_app"] == (0, 1)
