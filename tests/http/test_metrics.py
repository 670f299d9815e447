"""GET /metrics: webhooks by provider and outcome, deliveries by topic and outcome, outbox depth and lag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from adapters.memory.clock import FixedClock
from tests.http.test_outbox_flow import deliver_all, hub, paid_booking

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


async def _scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


async def test_metrics_count_deliveries_and_webhooks_and_show_the_outbox(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with hub(database_url, clock, driver_app_secret="s3cret-0123") as (client, container):
        await paid_booking(client)
        clock.advance(timedelta(seconds=5))
        waiting = await _scrape(client)
        await deliver_all(container)
        await client.post("/webhooks/driver-app", content=b"{}", headers={"x-webhook-signature": "00"})
        drained = await _scrape(client)
    assert (
        waiting[("bookhub_outbox_messages", (("state", "pending"),))] == 6
    )  # reminders.plan and odoo.booking_created too
    assert waiting[("bookhub_outbox_lag_seconds", ())] >= 0
    erp = (("outcome", "delivered"), ("target", "erp"), ("topic", "erp.booking_confirmed"))
    assert drained[("bookhub_outbox_deliveries_total", erp)] == 1
    assert drained[("bookhub_outbox_messages", (("state", "pending"),))] == 0
    assert drained[("bookhub_outbox_lag_seconds", ())] == 0
    rejected = (("outcome", "invalid_signature"), ("provider", "driver_app"))
    assert drained[("bookhub_webhooks_received_total", rejected)] == 1
