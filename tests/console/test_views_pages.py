"""The console's overview pages through the whole app, signed in: Today, Bookings, Sync queue,
Integrations, Webhooks; their forms (CSRF), their errors, and each in five languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from adapters.persistence.console_queries import SqlConsoleReadModel
from entrypoints.container import Container
from tests.console.support import console_app, csrf_of, post_form
from tests.console.test_views_queries import Hub
from tests.http.test_outbox_flow import paid_booking
from tests.web.support import text_of

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # Monday 1 June 2026, 10:00 in Paris
PAGES = [
    "/console/today",
    "/console/bookings",
    "/console/sync-queue",
    "/console/integrations",
    "/console/webhooks",
]


def _hub(container: Container) -> Hub:
    return Hub(container.database(), FixedClock(NOW), SqlConsoleReadModel(container.database()))


async def _dead(container: Container, topic: str = "erp.booking_confirmed", n: int = 1) -> None:
    async with container.database().writing() as c:
        for i in range(n):
            await c.execute(
                t.outbox_messages.insert(),
                {
                    "topic": topic,
                    "idempotency_key": f"{topic}:{i}",
                    "booking_id": None,
                    "payload": {},
                    "state": "dead",
                    "attempts": 8,
                    "next_attempt_at": NOW,
                    "created_at": NOW,
                    "last_error": "HTTP 503 from the ERP",
                },
            )


async def _states(container: Container) -> list[str]:
    async with container.database().engine.connect() as c:
        rows = await c.execute(t.outbox_messages.select().order_by(t.outbox_messages.c.id))
        return [r.state for r in rows]


@pytest.mark.parametrize("path", PAGES)
async def test_without_a_session_each_page_leads_to_the_sign_in(sqlite_url: str, path: str) -> None:
    async with console_app(sqlite_url) as (client, _, _member):
        client.cookies.clear()
        page = await client.get(path)
    assert (page.status_code, page.headers["location"]) == (303, "/console/login")


@pytest.mark.parametrize("language", ["en", "fr", "es", "pt", "de"])
async def test_every_page_opens_in_each_language_with_one_heading(sqlite_url: str, language: str) -> None:
    async with console_app(sqlite_url, role="staff", clock=FixedClock(NOW)) as (client, _, _member):
        pages = [await client.get(path, params={"lang": language}) for path in PAGES]
    for page in pages:
        assert page.status_code == 200, page.text
        assert f'<html lang="{language}">' in page.text
        assert page.text.count("<h1") == 1


async def test_today_shows_the_days_bookings_by_resource_with_the_previous_and_next_day(
    sqlite_url: str,
) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW)) as (client, _, _member):
        booking_id = await paid_booking(client)  # Tuesday 2 June, 10:00 Paris time, on the van
        today = await client.get("/console/today")
        tuesday = await client.get("/console/today", params={"date": "2026-06-02"})
        wrong = await client.get("/console/today", params={"date": "2026-13-01"})
    assert "Nothing is booked on this day." in text_of(today.text)
    assert 'href="/console/today?date=2026-06-02"' in today.text
    text = text_of(tuesday.text)
    assert "Ada Lovelace" in text
    row = (
        r"Van 1 Time Offering Customer Status 10:00\u201311:00 Transfer in the one van Ada Lovelace Confirmed"
    )
    assert re.search(row, text)
    assert f'href="/console/bookings/{booking_id}"' in tuesday.text
    assert 'href="/console/today?date=2026-06-01"' in tuesday.text
    assert "Europe/Paris" in text
    assert wrong.status_code == 422


async def test_bookings_are_found_by_email_and_each_row_links_to_its_page(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW)) as (client, _, _member):
        booking_id = await paid_booking(client)
        found = await client.get("/console/bookings", params={"q": "ADA@EXAMPLE", "status": "confirmed"})
        none = await client.get("/console/bookings", params={"q": "nobody"})
        refused = await client.get("/console/bookings", params={"from": "2026-06-03", "to": "2026-06-01"})
    assert found.status_code == 200
    assert f'href="/console/bookings/{booking_id}"' in found.text
    assert "Ada Lovelace" in text_of(found.text)
    assert "No booking matches this search." in text_of(none.text)
    assert refused.status_code == 400
    assert "This search cannot be made" in text_of(refused.text)
    assert 'class="field invalid"' in refused.text


async def test_bookings_come_a_page_at_a_time_with_links_that_keep_the_search(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW)) as (client, container, _member):
        hub = _hub(container)
        ada = await hub.customer("Ada Lovelace", "ada@example.com")
        for i in range(26):
            await hub.booking(ada, NOW + timedelta(hours=i))
        first = await client.get("/console/bookings", params={"q": "ada"})
        second = await client.get("/console/bookings", params={"q": "ada", "page": "2"})
    assert first.text.count('href="/console/bookings/') == 25
    assert 'href="/console/bookings?page=2&amp;q=ada"' in first.text
    assert second.text.count('href="/console/bookings/') == 1
    assert 'href="/console/bookings?page=1&amp;q=ada"' in second.text


async def test_a_dead_message_shows_with_its_error_and_retry_puts_it_back(sqlite_url: str) -> None:
    async with console_app(sqlite_url, role="staff", clock=FixedClock(NOW)) as (client, container, _member):
        await _dead(container)
        page = await client.get("/console/sync-queue")
        forged = await client.post("/console/sync-queue/1/retry", data={"csrf_token": "forged"})
        unchanged = await _states(container)
        retried = await client.post("/console/sync-queue/1/retry", data={"csrf_token": csrf_of(page.text)})
        again = await client.post("/console/sync-queue/1/retry", data={"csrf_token": csrf_of(page.text)})
        states = await _states(container)
    assert "HTTP 503 from the ERP" in text_of(page.text)
    assert "erp" in text_of(page.text)
    assert (forged.status_code, unchanged) == (403, ["dead"])
    assert (retried.status_code, retried.headers["location"]) == (303, "/console/sync-queue?done=retried")
    assert again.headers["location"] == "/console/sync-queue?done=gone"
    assert states == ["pending"]


async def test_retry_all_puts_back_every_dead_message_of_one_integration(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW)) as (client, container, _member):
        await _dead(container, n=2)
        await _dead(container, "email.booking_confirmed")
        retried = await post_form(
            client, "/console/sync-queue/integrations/erp/retry", page="/console/sync-queue"
        )
        told = await client.get(retried.headers["location"])
        states = await _states(container)
    assert retried.headers["location"] == "/console/sync-queue?done=retried_all&n=2"
    assert "Messages back in the queue: 2." in text_of(told.text)
    assert states == ["pending", "pending", "dead"]


async def test_integrations_shows_modes_the_chart_with_its_table_and_webhook_rates(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW)) as (client, container, _member):
        await container.console_views().integrations()  # nothing yet: the chart still draws
        await paid_booking(client)
        await container.deliver_outbox()()
        await container.console_views().activity.refused("stripe", "invalid_signature", now=NOW)
        page = await client.get("/console/integrations")
        fr = await client.get("/console/integrations", params={"lang": "fr"})
    text = text_of(page.text)
    assert page.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page.text
    assert "Mock: no credentials" in text
    assert re.search(r"stripe 0 1 100\.0%", text)
    assert "Deliveries and failures by hour" in text
    assert 'style="' not in page.text
    assert "100,0" in text_of(fr.text)


async def test_webhooks_lists_received_events_by_provider_without_bodies(sqlite_url: str) -> None:
    async with console_app(sqlite_url, clock=FixedClock(NOW)) as (client, container, _member):
        async with container.database().writing() as c:
            for n, provider in enumerate(["stripe", "calcom", "stripe"]):
                await c.execute(
                    t.inbound_events.insert(),
                    {
                        "provider": provider,
                        "event_id": f"evt_{n}",
                        "event_type": f"type.{n}",
                        "received_at": NOW,
                    },
                )
        everything = await client.get("/console/webhooks")
        stripe = await client.get("/console/webhooks", params={"provider": "stripe"})
        unknown = await client.get("/console/webhooks", params={"provider": "paypal"})
    assert all(f"type.{n}" in everything.text for n in range(3))
    assert ("type.1" in stripe.text, "type.2" in stripe.text) == (False, True)
    assert "evt_" not in everything.text
    assert unknown.status_code == 422
