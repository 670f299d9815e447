"""More of the admin's booking actions through the whole app: the database alone deciding a race for one
resource, moving a booking, sending its confirmation again, and a dispatched booking's new driver told
to the driver app."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from adapters.catalog.toml_catalog import EXAMPLE
from adapters.memory.clock import FixedClock
from application.bookings import assign as assign_module
from domain.booking import Booking
from domain.catalog import Offering, Resource
from domain.errors import SlotUnavailable
from tests.http.test_admin_actions import ADMIN, NOW, TUE_10, TUE_1030, UNKNOWN, book, url
from tests.http.test_driver_app import PICKUP, SECRET, VEHICLE, _status
from tests.http.test_outbox_flow import deliver_all
from tests.support.app import running_app
from tests.support.sink import http_sink


@pytest.mark.postgres
async def test_when_both_checks_pass_the_database_lets_one_assignment_in(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both staff members see sedan-1 free before either writes: PostgreSQL's exclusion constraint still
    lets exactly one booking onto it, the other keeps its van."""
    checked = asyncio.Barrier(2)
    real = assign_module.free_ids

    async def both_check_first(
        uow: Any, booking: Booking, offering: Offering, resources: Sequence[Resource], now: datetime
    ) -> list[str]:
        free = await real(uow, booking, offering, resources, now)
        await checked.wait()
        return free

    monkeypatch.setattr(assign_module, "free_ids", both_check_first)
    async with running_app(postgres_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, container):
        first, second = await book(client, TUE_10), await book(client, TUE_1030)
        assign = container.booking_actions().assign
        results = await asyncio.gather(
            *(assign(UUID(b["booking_id"]), "sedan-1") for b in (first, second)), return_exceptions=True
        )
        listed = (await client.get("/admin/bookings", headers=ADMIN)).json()["items"]
    assert sorted(type(r).__name__ for r in results) == ["Booking", "SlotUnavailable"]
    lost = next(b for b, r in zip((first, second), results, strict=True) if isinstance(r, SlotUnavailable))
    resources = {b["booking_id"]: b["resource_id"] for b in listed}
    assert sorted(resources.values()) == sorted(["sedan-1", lost["resource_id"]])


async def test_an_admin_moves_a_booking_keeping_the_old_time_when_the_new_one_is_taken(
    database_url: str,
) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, _):
        booking = await book(client, TUE_10, offering="city-tour")
        await book(client, "2026-06-03T10:00:00+02:00", offering="city-tour")
        await book(client, "2026-06-03T10:00:00+02:00", offering="city-tour")
        await book(client, "2026-06-03T10:00:00+02:00", offering="city-tour")
        taken = await client.post(
            url(booking, "reschedule"), json={"start": "2026-06-03T10:00:00+02:00"}, headers=ADMIN
        )
        moved = await client.post(
            url(booking, "reschedule"), json={"start": "2026-06-04T10:00:00+02:00"}, headers=ADMIN
        )
        past = await client.post(
            url(booking, "reschedule"), json={"start": "2026-05-30T10:00:00+02:00"}, headers=ADMIN
        )
        naive = await client.post(
            url(booking, "reschedule"), json={"start": "2026-06-03T14:00"}, headers=ADMIN
        )
    assert (taken.status_code, taken.json()["code"]) == (409, "slot_unavailable")
    assert (moved.status_code, moved.json()["start"]) == (200, "2026-06-04T08:00:00Z")
    assert (past.status_code, naive.status_code) == (422, 422)


async def test_the_confirmation_goes_out_again_only_for_a_confirmed_booking(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=EXAMPLE) as (client, container):
        booking = await book(client, TUE_10)
        unpaid = (
            await client.post(
                "/v1/bookings",
                json={
                    "offering_id": "airport-transfer",
                    "customer": {"name": "Bob Bobson", "email": "bob@example.com"},
                    "start": "2026-06-04T10:00:00+02:00",
                },
            )
        ).json()
        await deliver_all(container)
        resent = await client.post(url(booking, "resend-confirmation"), headers=ADMIN)
        refused = await client.post(url(unpaid, "resend-confirmation"), headers=ADMIN)
        missing = await client.post(f"/admin/bookings/{UNKNOWN}/resend-confirmation", headers=ADMIN)
        delivered = await deliver_all(container)
        timeline = (await client.get(url(booking, "timeline"), headers=ADMIN)).json()
    assert (resent.status_code, resent.json()["status"]) == (200, "confirmed")
    assert (refused.status_code, refused.json()["code"]) == (409, "illegal_transition")
    assert missing.status_code == 404
    assert delivered == ["email.booking_confirmed delivered", "sms.booking_confirmed delivered"]
    sent = [
        i for i in timeline["items"] if i["kind"] == "delivery" and i["topic"] == "email.booking_confirmed"
    ]
    assert [i["state"] for i in sent] == ["delivered", "delivered"]
    assert [i["action"] for i in timeline["items"] if i.get("action")] == ["confirmation_resent"]


async def test_a_new_driver_is_sent_to_the_driver_app_with_the_pickup_again(database_url: str) -> None:
    settings: dict[str, Any] = {"driver_app_secret": SECRET}
    with http_sink() as sink:
        settings["driver_app_webhook_url"] = sink.url
        async with running_app(database_url, clock=FixedClock(NOW), catalog=EXAMPLE, **settings) as (
            client,
            container,
        ):
            extra = {"pickup_address": PICKUP, "vehicle": VEHICLE}
            booking = await book(client, TUE_10, offering="car-service-pickup", **extra)
            await deliver_all(container)
            assert (await _status(client, booking["booking_id"], "assigned")).json() == {"outcome": "applied"}
            assigned = await client.post(
                url(booking, "assign"), json={"resource_id": "driver-2"}, headers=ADMIN
            )
            assert await deliver_all(container) == ["driver_app.b2c_pickup delivered"]
            timeline = (await client.get(url(booking, "timeline"), headers=ADMIN)).json()
    assert assigned.json()["resource_id"] == "driver-2"
    first, again = (r.json() for r in sink.received)
    assert "resourceId" not in first
    assert again == first | {"resourceId": "driver-2"}
    keys = [r.headers["idempotency-key"] for r in sink.received]
    assert keys[0] == f"driver_app.b2c_pickup:{booking['booking_id']}"
    assert keys[1].startswith(f"driver_app.b2c_pickup:{booking['booking_id']}:assigned:driver-2:")
    for request in sink.received:
        assert (
            request.headers["x-webhook-signature"]
            == hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        )
    inbound = [(i["provider"], i["event_type"]) for i in timeline["items"] if i["kind"] == "inbound"]
    assert ("driver_app", "trip.assigned") in inbound
