"""The driver app through the real wiring: the pickup trip, status updates back, the delivery trip."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa

from adapters.catalog.toml_catalog import EXAMPLE
from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from entrypoints.container import Container
from tests.http.test_no_personal_data_in_logs import CUSTOMER, PERSONAL, _every_record, _leaks
from tests.http.test_outbox_flow import ADMIN, deliver_all, hub
from tests.support.sink import http_sink

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
SECRET = "driver-secret-0123"
PICKUP = {"street": "17 impasse Quellenberg", "zip": "75011", "city": "Paris", "lat": 48.85, "lng": 2.37}
DELIVERY = {"street": "3 quai Zacharie", "zip": "75004", "city": "Paris"}
VEHICLE = {"brand": "Renault", "model": "Clio", "license_plate": "ZQ-417-QZ"}
ADDRESSES = ("impasse Quellenberg", "quai Zacharie", "ZQ-417-QZ")


def _signed(body: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"x-webhook-signature": signature, "content-type": "application/json"}


async def _status(client: httpx.AsyncClient, booking_id: str, status: str, **extra: Any) -> httpx.Response:
    body, headers = _signed(
        {"bookingId": booking_id, "status": status, "timestamp": "2026-06-02T08:05:00Z"} | extra
    )
    return await client.post("/webhooks/driver-app", content=body, headers=headers)


async def _booking_status(container: Container, booking_id: str) -> str:
    async with container.database().engine.connect() as connection:
        query = sa.select(t.bookings.c.status).where(t.bookings.c.id == UUID(booking_id))
        return str((await connection.execute(query)).scalar_one())


async def _paid_pickup(client: httpx.AsyncClient) -> str:
    body = {
        "offering_id": "car-service-pickup",
        "customer": CUSTOMER,
        "start": "2026-06-02T10:00:00+02:00",
        "pickup_address": PICKUP,
        "delivery_address": DELIVERY,
        "vehicle": VEHICLE,
        "notes": "Keys with the concierge",
    }
    created = await client.post("/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    booking_id = str(created.json()["booking_id"])
    await client.post(f"/sandbox/checkout/{booking_id}", data={"outcome": "pay"})
    return booking_id


async def test_a_dispatched_booking_travels_from_pickup_to_return_with_no_personal_data_in_the_logs(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FixedClock(NOW)
    settings = {"driver_app_secret": SECRET}
    with _every_record(caplog) as records, http_sink() as sink:
        settings["driver_app_webhook_url"] = sink.url
        async with hub(database_url, clock, catalog=EXAMPLE, **settings) as (client, container):
            booking_id = await _paid_pickup(client)
            assert "driver_app.b2c_pickup delivered" in await deliver_all(container)

            for status in ("assigned", "in_progress", "arrived"):
                assert (await _status(client, booking_id, status)).json() == {"outcome": "applied"}
            picked = await _status(client, booking_id, "pickup_completed", eventId="ev-9", tripId="T-1")
            again = await _status(client, booking_id, "pickup_completed", eventId="ev-9", tripId="T-1")
            assert (picked.json(), again.json()) == ({"outcome": "applied"}, {"outcome": "duplicate"})
            assert await _booking_status(container, booking_id) == "in_service"
            told = await deliver_all(container)
            assert {"email.vehicle_picked_up delivered", "sms.vehicle_picked_up delivered"} <= set(told)

            ready = await client.post(f"/admin/bookings/{booking_id}/ready", headers=ADMIN)
            assert ready.status_code == 200, ready.text
            await client.post(f"/admin/bookings/{booking_id}/ready", headers=ADMIN)
            assert await deliver_all(container) == ["driver_app.b2c_delivery delivered"]
            assert (await _status(client, booking_id, "delivery_completed")).json() == {"outcome": "applied"}
            assert await _booking_status(container, booking_id) == "completed"
            async with container.database().engine.connect() as connection:
                audit = (
                    await connection.execute(
                        sa.select(t.audit_entries.c.actor, t.audit_entries.c.to_status)
                        .where(t.audit_entries.c.booking_id == UUID(booking_id))
                        .order_by(t.audit_entries.c.id)
                    )
                ).all()
    pickup, delivery = (r.json() for r in sink.received)
    assert pickup == {
        "type": "b2c_pickup",
        "bookingId": booking_id,
        "customerId": pickup["customerId"],
        "customerName": CUSTOMER["name"],
        "customerPhone": CUSTOMER["phone"],
        "pickupAddress": PICKUP,
        "deliveryAddress": DELIVERY,
        "vehicle": {"brand": "Renault", "model": "Clio", "licensePlate": "ZQ-417-QZ"},
        "scheduledPickup": "2026-06-02T08:00:00Z",
        "notes": "Keys with the concierge",
    }
    assert (delivery["type"], delivery["scheduledPickup"]) == ("b2c_delivery", "2026-06-01T08:00:00Z")
    for request in sink.received:
        expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.headers["x-webhook-signature"] == expected
    assert [row for row in audit if row.actor == "driver_app"] == [
        ("driver_app", s)
        for s in ("assigned", "in_progress", "arrived", "pickup_completed", "delivery_completed")
    ]
    assert {row.to_status for row in audit if row.actor == "system"} >= {"in_service", "completed"}
    service = [r for r in records if r.name.startswith("bookhub")]
    assert _leaks(service, (*PERSONAL, *ADDRESSES, SECRET)) == []


async def test_a_wrong_signature_is_401_and_changes_nothing(database_url: str) -> None:
    async with hub(database_url, FixedClock(NOW), catalog=EXAMPLE, driver_app_secret=SECRET) as (
        client,
        container,
    ):
        booking_id = await _paid_pickup(client)
        body, _ = _signed({"bookingId": booking_id, "status": "pickup_completed", "timestamp": "t"})
        for headers in (
            {},
            {"x-webhook-signature": "0" * 64},
            _signed({"other": 1})[1],
            _signed({}, "nope")[1],
        ):
            response = await client.post("/webhooks/driver-app", content=body, headers=headers)
            assert (response.status_code, response.json()["code"]) == (401, "invalid_signature")
        assert await _booking_status(container, booking_id) == "confirmed"
        async with container.database().engine.connect() as connection:
            query = sa.select(t.inbound_events.c.id).where(t.inbound_events.c.provider == "driver_app")
            assert (await connection.execute(query)).all() == []


async def test_an_unknown_booking_or_status_is_recorded_and_answered_200(database_url: str) -> None:
    async with hub(database_url, FixedClock(NOW), driver_app_secret=SECRET) as (client, container):
        unknown = await _status(client, "6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d", "arrived")
        odd = await _status(client, "not-a-uuid", "teleported")
        assert (unknown.json(), odd.json()) == ({"outcome": "unknown_booking"}, {"outcome": "ignored"})
        async with container.database().engine.connect() as connection:
            query = sa.select(t.inbound_events.c.event_type).where(
                t.inbound_events.c.provider == "driver_app"
            )
            kinds = (await connection.execute(query)).scalars().all()
    assert sorted(kinds) == ["trip.arrived", "trip.unknown"]


async def test_a_dispatched_offering_needs_a_pickup_address_a_vehicle_and_a_phone(database_url: str) -> None:
    async with hub(database_url, FixedClock(NOW), catalog=EXAMPLE) as (client, _):
        body = {
            "offering_id": "car-service-pickup",
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "start": "2026-06-02T10:00:00+02:00",
        }
        response = await client.post("/v1/bookings", json=body)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"pickup_address", "vehicle", "customer.phone"}


async def test_only_a_dispatched_booking_can_be_marked_ready(database_url: str) -> None:
    async with hub(database_url, FixedClock(NOW)) as (client, _):
        body = {
            "offering_id": "van-transfer",
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "start": "2026-06-02T10:00:00+02:00",
        }
        booking_id = (await client.post("/v1/bookings", json=body)).json()["booking_id"]
        assert (await client.post(f"/admin/bookings/{booking_id}/ready")).status_code == 401
        refused = await client.post(f"/admin/bookings/{booking_id}/ready", headers=ADMIN)
        missing = await client.post(
            "/admin/bookings/6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d/ready", headers=ADMIN
        )
    assert (refused.status_code, refused.json()["code"]) == (409, "not_dispatched")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
