"""The outbox through the real wiring: ERP deliveries, the sync queue, retries and /health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from adapters.catalog.toml_catalog import EXAMPLE
from adapters.memory.clock import FixedClock
from entrypoints.container import Container
from tests.http.test_no_personal_data_in_logs import CUSTOMER, PERSONAL, _every_record, _leaks
from tests.support.app import ADMIN_KEY, running_app
from tests.support.sink import http_sink

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
SECRET = "ingest-secret-0123"


@asynccontextmanager
async def hub(
    database_url: str, clock: FixedClock, **settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    async with running_app(database_url, clock=clock, **settings) as (client, container):
        try:
            yield client, container
        finally:
            await container.http().aclose()


async def paid_booking(client: httpx.AsyncClient) -> str:
    body = {
        "offering_id": "van-transfer",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "start": "2026-06-02T10:00:00+02:00",
    }
    created = await client.post("/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    booking_id = created.json()["booking_id"]
    paid = await client.post(f"/sandbox/checkout/{booking_id}", data={"outcome": "pay"})
    assert paid.status_code == 303  # back to the booking page
    return str(booking_id)


async def deliver_all(container: Container) -> list[str]:
    return sorted(f"{d.topic} {d.outcome}" for d in await container.deliver_outbox()())


async def test_health_reports_the_mock_integrations_and_the_outbox_until_it_drains(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with hub(database_url, clock) as (client, container):
        fresh = (await client.get("/health")).json()
        assert fresh["status"] == "ok"
        assert fresh["integrations"]["erp"] == "mock"
        assert set(fresh["integrations"].values()) == {"mock"}
        assert fresh["last_sync"]["erp"] is None
        assert fresh["outbox"] == {
            "pending": 0,
            "dead": 0,
            "scheduled": 0,
            "oldest_pending_age_seconds": None,
        }

        await paid_booking(client)
        clock.advance(timedelta(seconds=30))
        waiting = (await client.get("/health")).json()
        assert (waiting["outbox"]["pending"], waiting["outbox"]["dead"]) == (
            6,
            0,
        )  # with reminders.plan and odoo.booking_created
        assert waiting["outbox"]["oldest_pending_age_seconds"] >= 0  # rows carry the system clock

        assert await deliver_all(container) == [
            "email.booking_confirmed delivered",
            "erp.booking_confirmed delivered",
            "odoo.booking_created delivered",
            "odoo.booking_paid delivered",
            "reminders.plan skipped",
            "sms.booking_confirmed delivered",
        ]
        drained = (await client.get("/health")).json()
        assert drained["outbox"]["pending"] == 0
        assert drained["last_sync"]["erp"] == "2026-06-01T08:00:30Z"
        assert drained["last_sync"]["resend"] == "2026-06-01T08:00:30Z"


async def test_an_erp_answering_503_ends_dead_in_the_sync_queue_and_is_delivered_after_a_retry(
    database_url: str,
) -> None:
    clock = FixedClock(NOW)
    with http_sink(status=503) as sink:
        settings = {"erp_ingest_url": sink.url, "booking_ingest_secret": SECRET, "max_attempts": 3}
        async with hub(database_url, clock, **settings) as (client, container):
            booking_id = await paid_booking(client)
            outcomes = []
            for _ in range(3):
                outcomes += await deliver_all(container)
                clock.advance(timedelta(hours=1))
            assert [o for o in outcomes if o.startswith("erp")] == [
                "erp.booking_confirmed retrying",
                "erp.booking_confirmed retrying",
                "erp.booking_confirmed dead",
            ]
            health = (await client.get("/health")).json()
            assert (health["status"], health["integrations"]["erp"], health["outbox"]["dead"]) == (
                "degraded",
                "connected",
                1,
            )
            assert health["failing"] == ["erp"]

            queue = await client.get("/admin/sync-queue", headers=ADMIN)
            assert queue.status_code == 200
            [item] = queue.json()["items"]
            assert item == {
                "id": item["id"],
                "topic": "erp.booking_confirmed",
                "booking_id": booking_id,
                "state": "dead",
                "attempts": 3,
                "next_attempt_at": item["next_attempt_at"],
                "last_error": "erp answered HTTP 503",
            }

            sink.status = 200
            retried = await client.post(f"/admin/sync-queue/{item['id']}/retry", headers=ADMIN)
            assert retried.status_code == 200, retried.text
            assert await deliver_all(container) == ["erp.booking_confirmed delivered"]

            assert [r.json()["booking_id"] for r in sink.received] == [booking_id]
            assert (await client.get("/admin/sync-queue", headers=ADMIN)).json() == {"items": []}
            again = await client.post(f"/admin/sync-queue/{item['id']}/retry", headers=ADMIN)
            assert (again.status_code, again.json()["code"]) == (409, "not_dead")
            health = (await client.get("/health")).json()
            assert (health["status"], health["failing"], health["outbox"]["dead"]) == ("ok", [], 0)


async def test_a_retrying_message_shows_in_the_sync_queue_with_its_next_attempt(database_url: str) -> None:
    clock = FixedClock(NOW)
    with http_sink(status=502) as sink:
        settings = {"erp_ingest_url": sink.url, "booking_ingest_secret": SECRET, "retry_base_seconds": 10}
        async with hub(database_url, clock, **settings) as (client, container):
            await paid_booking(client)
            await deliver_all(container)
            [item] = (await client.get("/admin/sync-queue", headers=ADMIN)).json()["items"]
            assert (item["state"], item["attempts"], item["last_error"]) == (
                "pending",
                1,
                "erp answered HTTP 502",
            )
            next_at = datetime.fromisoformat(item["next_attempt_at"])
            assert NOW + timedelta(seconds=5) <= next_at <= NOW + timedelta(seconds=10)


async def test_the_sync_queue_is_for_admins_and_an_unknown_message_is_404(database_url: str) -> None:
    async with hub(database_url, FixedClock(NOW)) as (client, _):
        assert (await client.get("/admin/sync-queue")).status_code == 401
        assert (await client.post("/admin/sync-queue/1/retry")).status_code == 401
        missing = await client.post("/admin/sync-queue/12345/retry", headers=ADMIN)
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


async def test_a_disabled_erp_keeps_its_secrets_and_skips_its_messages(database_url: str) -> None:
    clock = FixedClock(NOW)
    with http_sink() as sink:
        settings = {"erp_ingest_url": sink.url, "booking_ingest_secret": SECRET, "erp_ingest_enabled": False}
        async with hub(database_url, clock, **settings) as (client, container):
            await paid_booking(client)
            assert await deliver_all(container) == [
                "email.booking_confirmed delivered",
                "erp.booking_confirmed skipped",
                "odoo.booking_created delivered",
                "odoo.booking_paid delivered",
                "reminders.plan skipped",
                "sms.booking_confirmed delivered",
            ]
            health = (await client.get("/health")).json()
            assert (health["integrations"]["erp"], health["last_sync"]["erp"]) == ("disabled", None)
            assert health["outbox"]["pending"] == 0
    assert sink.received == []


async def test_deliveries_write_no_personal_data_to_the_logs_or_the_erp(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(NOW)
    with _every_record(caplog) as records, http_sink(statuses=[503, 400]) as sink:
        settings = {"erp_ingest_url": sink.url, "booking_ingest_secret": SECRET}
        async with hub(sqlite_url, clock, **settings) as (client, container):
            for n in range(2):
                body = {
                    "offering_id": "van-transfer",
                    "customer": CUSTOMER,
                    "start": f"2026-06-0{2 + n}T10:00:00+02:00",
                }
                created = await client.post("/v1/bookings", json=body)
                assert created.status_code == 201, created.text
                await client.post(
                    f"/sandbox/checkout/{created.json()['booking_id']}", data={"outcome": "pay"}
                )
            for _ in range(3):
                await deliver_all(container)
                clock.advance(timedelta(hours=1))
            await client.get("/admin/sync-queue", headers=ADMIN)
    service = [r for r in records if r.name.startswith("bookhub")]
    assert any(r.name == "bookhub.erp" for r in service)  # not vacuous: the ERP calls were logged
    assert _leaks(service, (*PERSONAL, SECRET)) == []
    assert len(sink.received) == 1
    assert not any(p.lower() in sink.received[0].body.decode().lower() for p in PERSONAL)


async def test_a_message_id_that_cannot_exist_is_refused_before_the_database(database_url: str) -> None:
    async with hub(database_url, FixedClock(NOW)) as (client, _):
        for bad, status in (("0", 422), ("-1", 422), ("99999999999999999999", 422), ("abc", 404)):
            response = await client.post(f"/admin/sync-queue/{bad}/retry", headers=ADMIN)
            assert response.status_code == status, (bad, response.text)


async def test_a_paid_booking_is_emailed_through_resend_in_the_customers_language(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(NOW)
    with _every_record(caplog) as records, http_sink() as sink:
        settings = {
            "resend_api_key": "re_test_key",
            "resend_from": "Bookings <b@x.test>",
            "resend_api_base": sink.base,
        }
        async with hub(database_url, clock, catalog=EXAMPLE, **settings) as (client, container):
            body = {
                "offering_id": "airport-transfer",
                "customer": CUSTOMER | {"locale": "fr"},
                "start": "2026-06-02T10:00:00+02:00",
            }
            created = await client.post("/v1/bookings", json=body)
            assert created.status_code == 201, created.text
            booking_id = created.json()["booking_id"]
            await client.post(f"/sandbox/checkout/{booking_id}", data={"outcome": "pay"})
            assert await deliver_all(container) == [
                "email.booking_confirmed delivered",
                "erp.booking_confirmed delivered",
                "odoo.booking_created delivered",
                "odoo.booking_paid delivered",
                "reminders.plan delivered",  # the bundled offering reminds 2 hours before
                "sms.booking_confirmed delivered",
            ]
            health = (await client.get("/health")).json()
    [request] = sink.received
    email = request.json()
    assert (request.path, email["to"], email["subject"]) == (
        "/emails",
        [CUSTOMER["email"]],
        "Réservation confirmée : Airport transfer",
    )
    assert f"Référence : {booking_id}" in email["text"]
    assert "du mardi 2 juin 2026, 10:00 (Paris) est confirmée. Prix : 85,00\xa0€." in email["text"]
    assert request.headers["idempotency-key"] == f"email.booking_confirmed:{booking_id}"
    assert (health["integrations"]["resend"], health["last_sync"]["resend"]) == (
        "connected",
        "2026-06-01T08:00:00Z",
    )
    service = [r for r in records if r.name.startswith("bookhub")]
    assert _leaks(service, (*PERSONAL, "re_test_key")) == []


async def test_a_paid_booking_is_texted_through_twilio_in_the_customers_language(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(NOW)
    with _every_record(caplog) as records, http_sink(status=201) as sink:
        settings = {
            "twilio_account_sid": "AC_test",
            "twilio_auth_token": "twilio-token-0123",
            "twilio_from": "+15005550006",
            "twilio_api_base": sink.base,
        }
        async with hub(database_url, clock, catalog=EXAMPLE, **settings) as (client, container):
            body = {
                "offering_id": "airport-transfer",
                "customer": CUSTOMER | {"locale": "fr"},
                "start": "2026-06-02T10:00:00+02:00",
            }
            created = await client.post("/v1/bookings", json=body)
            assert created.status_code == 201, created.text
            booking_id = created.json()["booking_id"]
            await client.post(f"/sandbox/checkout/{booking_id}", data={"outcome": "pay"})
            assert "sms.booking_confirmed delivered" in await deliver_all(container)
            health = (await client.get("/health")).json()
    [request] = sink.received
    form = parse_qs(request.body.decode())
    assert request.path == "/2010-04-01/Accounts/AC_test/Messages.json"
    assert (form["To"], form["From"]) == (
        ["+" + "".join(c for c in CUSTOMER["phone"] if c.isdigit())],
        ["+15005550006"],
    )
    assert form["Body"][0].startswith("Confirmé : Airport transfer, mardi 2 juin 2026, 10:00 (Paris).")
    assert health["integrations"]["twilio"] == "connected"
    service = [r for r in records if r.name.startswith("bookhub")]
    assert any(r.name == "bookhub.twilio" for r in service)
    assert _leaks(service, (*PERSONAL, "twilio-token-0123")) == []
