"""Acuity notifications end to end: real signatures, a local fake Acuity API, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from entrypoints.container import Container
from tests.support.app import ADMIN_KEY, running_app
from tests.support.providers import (
    ACUITY_API_KEY,
    ACUITY_USER_ID,
    FakeProvider,
    acuity_appointment,
    acuity_notification,
    fake_provider,
)

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
CATALOG = Path(__file__).parents[1] / "support" / "scheduling_catalog.toml"
ADMIN = {"authorization": f"Bearer {ADMIN_KEY}"}

INTAKE_FORMS = [
    {
        "id": 1,
        "name": "Trip details",
        "values": [
            {"id": 11, "fieldID": 101, "name": "Pickup address", "value": "1 Rue de Rivoli, Paris"},
            {"id": 12, "fieldID": 102, "name": "Phone", "value": "+33 6 12 34 56 78"},
            {"id": 13, "fieldID": 103, "name": "Flight number", "value": "AF 1234"},
            {"id": 14, "fieldID": 104, "name": "Left empty", "value": ""},
        ],
    },
    {
        "id": 2,
        "name": "Preferences",
        "values": [{"id": 21, "fieldID": 201, "name": "Language", "value": "French"}],
    },
]


@asynccontextmanager
async def acuity_app(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Container, FakeProvider]]:
    with fake_provider() as acuity:
        async with running_app(
            database_url,
            clock=FixedClock(NOW),
            catalog=CATALOG,
            acuity_user_id=ACUITY_USER_ID,
            acuity_api_key=ACUITY_API_KEY,
            acuity_api_base=acuity.base,
        ) as (client, container):
            yield client, container, acuity


async def notify(
    client: httpx.AsyncClient, action: str, appointment_id: int, **headers: str
) -> httpx.Response:
    body, signed = acuity_notification(action, appointment_id)
    return await client.post("/webhooks/acuity", content=body, headers=signed | headers)


async def bookings(client: httpx.AsyncClient, **query: str) -> list[dict[str, Any]]:
    response = await client.get("/admin/bookings", params=query, headers=ADMIN)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def count(container: Container, table: sa.Table) -> int:
    async with container.database().engine.connect() as connection:
        return (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


async def test_a_scheduled_appointment_becomes_a_scheduled_booking_with_its_intake_and_customer(
    database_url: str,
) -> None:
    async with acuity_app(database_url) as (client, container, acuity):
        acuity.appointments["501"] = acuity_appointment(501, forms=INTAKE_FORMS)
        response = await notify(client, "scheduled", 501)
        assert (response.status_code, response.json()) == (200, {"outcome": "created"})

        [booking] = await bookings(client)
        assert (booking["offering_id"], booking["status"], booking["payment_status"]) == (
            "acuity-transfer",
            "scheduled",
            "unpaid",
        )
        assert (booking["start"], booking["end"]) == ("2026-06-02T08:00:00Z", "2026-06-02T09:00:00Z")
        assert booking["resource_id"] == "van-1"
        assert booking["references"]["acuity_appointment_id"] == "501"
        assert booking["customer"] == {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "phone": "+33 6 12 34 56 78",
        }
        assert booking["intake"] == {
            "Trip details": {
                "Pickup address": "1 Rue de Rivoli, Paris",
                "Phone": "+33 6 12 34 56 78",
                "Flight number": "AF 1234",
            },
            "Preferences": {"Language": "French"},
            "pickup_address": {"street": "1 Rue de Rivoli, Paris"},
        }
        async with container.database().engine.connect() as connection:
            locale = (await connection.execute(sa.select(t.customers.c.locale))).scalar_one()
        assert locale == "fr"
        [call] = acuity.calls("GET", "/api/v1/appointments/501")
        assert call.headers["authorization"].startswith("Basic ")


async def test_a_known_customer_is_found_by_email_and_takes_the_new_name_and_phone(database_url: str) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        acuity.appointments["502"] = acuity_appointment(
            502,
            email="ada@example.com",
            firstName="Ada",
            lastName="King",
            phone="+44 20 7946 0000",
            datetime="2026-06-03T10:00:00+0200",
        )
        assert (await notify(client, "scheduled", 501)).json()["outcome"] == "created"
        assert (await notify(client, "scheduled", 502)).json()["outcome"] == "created"

        listed = await bookings(client, customer_email="ada@example.com")
        assert len(listed) == 2
        assert {b["customer"]["name"] for b in listed} == {"Ada King"}
        assert {b["customer"]["phone"] for b in listed} == {"+44 20 7946 0000"}


async def test_the_same_notification_twice_in_either_spelling_yields_one_booking(database_url: str) -> None:
    async with acuity_app(database_url) as (client, container, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        first = await notify(client, "scheduled", 501)
        again = await notify(client, "scheduled", 501)
        prefixed = await notify(client, "appointment.scheduled", 501)
        assert [r.json()["outcome"] for r in (first, again, prefixed)] == [
            "created",
            "duplicate",
            "duplicate",
        ]
        assert len(await bookings(client)) == 1
        assert await count(container, t.inbound_events) == 1


async def test_a_forged_signature_is_400_and_changes_nothing(database_url: str) -> None:
    async with acuity_app(database_url) as (client, container, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        forged = await notify(client, "scheduled", 501, **{"x-acuity-signature": "bm90IHRoZSBzaWduYXR1cmU="})
        missing_body, _ = acuity_notification("scheduled", 501)
        unsigned = await client.post(
            "/webhooks/acuity",
            content=missing_body,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        for response in (forged, unsigned):
            assert response.status_code == 400
            assert response.json()["code"] == "invalid_signature"
        assert acuity.requests == []
        assert await bookings(client) == []
        assert await count(container, t.inbound_events) == 0


async def test_a_rescheduled_appointment_moves_the_booking_and_a_canceled_one_cancels_it(
    database_url: str,
) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        await notify(client, "scheduled", 501)
        acuity.appointments["501"] = acuity_appointment(501, datetime="2026-06-04T15:30:00+0200")
        moved = await notify(client, "rescheduled", 501)
        assert moved.json() == {"outcome": "moved"}
        [booking] = await bookings(client)
        assert (booking["start"], booking["end"]) == ("2026-06-04T13:30:00Z", "2026-06-04T14:30:00Z")

        acuity.appointments["501"] = acuity_appointment(
            501, datetime="2026-06-04T15:30:00+0200", canceled=True
        )
        cancelled = await notify(client, "appointment.canceled", 501)
        assert cancelled.json() == {"outcome": "cancelled"}
        [booking] = await bookings(client)
        assert booking["status"] == "cancelled"


async def test_acuity_paid_marks_the_booking_paid(database_url: str) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        await notify(client, "scheduled", 501)
        acuity.appointments["501"] = acuity_appointment(501, paid="yes", amountPaid="85.00")
        assert (await notify(client, "changed", 501)).json() == {"outcome": "updated"}
        [booking] = await bookings(client)
        assert (booking["status"], booking["payment_status"]) == ("scheduled", "paid")


async def test_an_unmapped_appointment_type_is_recorded_and_answered_200(database_url: str) -> None:
    async with acuity_app(database_url) as (client, container, acuity):
        acuity.appointments["501"] = acuity_appointment(501, appointmentTypeID=999)
        response = await notify(client, "scheduled", 501)
        assert (response.status_code, response.json()) == (200, {"outcome": "unmapped"})
        assert await bookings(client) == []
        assert await count(container, t.inbound_events) == 1


async def test_an_appointment_acuity_does_not_know_changes_nothing(database_url: str) -> None:
    async with acuity_app(database_url) as (client, _, _acuity):
        response = await notify(client, "scheduled", 777)
        assert (response.status_code, response.json()) == (200, {"outcome": "unknown_appointment"})
        assert await bookings(client) == []


async def test_an_acuity_outage_answers_502_and_the_retry_applies_it(database_url: str) -> None:
    async with acuity_app(database_url) as (client, container, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        acuity.status = 503
        response = await notify(client, "scheduled", 501)
        assert (response.status_code, response.json()["code"]) == (502, "provider_unavailable")
        assert await count(container, t.inbound_events) == 0
        assert await bookings(client) == []

        acuity.status = None
        assert (await notify(client, "scheduled", 501)).json() == {"outcome": "created"}


async def test_an_appointment_on_a_taken_resource_is_recorded_and_not_booked(database_url: str) -> None:
    async with acuity_app(database_url) as (client, container, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        acuity.appointments["502"] = acuity_appointment(502, email="grace@example.com")
        await notify(client, "scheduled", 501)
        response = await notify(client, "scheduled", 502)
        assert (response.status_code, response.json()) == (200, {"outcome": "conflict"})
        assert len(await bookings(client)) == 1
        assert await count(container, t.inbound_events) == 2
        again = await notify(client, "scheduled", 502)
        assert again.json() == {"outcome": "duplicate"}


async def test_a_move_onto_a_taken_resource_keeps_the_booking_where_it_was(database_url: str) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        acuity.appointments["502"] = acuity_appointment(502, datetime="2026-06-02T14:00:00+0200")
        await notify(client, "scheduled", 501)
        await notify(client, "scheduled", 502)
        acuity.appointments["502"] = acuity_appointment(502, datetime="2026-06-02T10:30:00+0200")
        assert (await notify(client, "rescheduled", 502)).json() == {"outcome": "conflict"}
        starts = sorted(b["start"] for b in await bookings(client))
        assert starts == ["2026-06-02T08:00:00Z", "2026-06-02T12:00:00Z"]


async def test_a_move_that_overlaps_its_own_old_time_is_free(database_url: str) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        await notify(client, "scheduled", 501)
        acuity.appointments["501"] = acuity_appointment(501, datetime="2026-06-02T10:30:00+0200")
        assert (await notify(client, "rescheduled", 501)).json() == {"outcome": "moved"}


@pytest.mark.parametrize(
    ("acuity_datetime", "zone", "utc_start"),
    [
        # A client in New York books 10:00 Paris time the day Paris springs forward (29 March 2026).
        ("2026-03-29T04:00:00-0400", "America/New_York", "2026-03-29T08:00:00Z"),
        ("2026-03-29T10:00:00+0200", "Europe/Paris", "2026-03-29T08:00:00Z"),
        # The day Paris falls back (25 October 2026): 02:30 happens twice; the offset says which.
        ("2026-10-25T02:30:00+0100", "Europe/Paris", "2026-10-25T01:30:00Z"),
        ("2026-10-25T02:30:00+0200", "Europe/Paris", "2026-10-25T00:30:00Z"),
        # Without an offset, the appointment's own time zone decides.
        ("2026-10-25T10:00:00", "America/New_York", "2026-10-25T14:00:00Z"),
    ],
)
async def test_acuity_times_are_stored_in_utc_across_dst_and_zones(
    database_url: str, acuity_datetime: str, zone: str, utc_start: str
) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        acuity.appointments["501"] = acuity_appointment(501, datetime=acuity_datetime, timezone=zone)
        assert (await notify(client, "scheduled", 501)).json() == {"outcome": "created"}
        [booking] = await bookings(client)
        assert booking["start"] == utc_start


async def test_later_changes_at_the_same_time_are_new_events_and_are_applied(database_url: str) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        acuity.appointments["501"] = acuity_appointment(501)
        await notify(client, "scheduled", 501)
        acuity.appointments["501"] = acuity_appointment(501, forms=INTAKE_FORMS)
        first = await notify(client, "changed", 501)
        acuity.appointments["501"] = acuity_appointment(501, forms=INTAKE_FORMS, paid="yes")
        second = await notify(client, "changed", 501)
        repeated = await notify(client, "changed", 501)
        assert [r.json()["outcome"] for r in (first, second, repeated)] == ["updated", "updated", "duplicate"]
        [booking] = await bookings(client)
        assert booking["payment_status"] == "paid"
        assert "Trip details" in booking["intake"]


@pytest.mark.parametrize(("type_id", "offering"), [(1001, "acuity-transfer"), (1002, "acuity-class")])
async def test_two_notifications_of_one_new_appointment_at_once_yield_one_booking(
    database_url: str, type_id: int, offering: str
) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        start = "2026-06-02T10:00:00+0200"
        acuity.appointments["501"] = acuity_appointment(501, appointmentTypeID=type_id, datetime=start)
        responses = await asyncio.gather(
            *(notify(client, action, 501) for action in ("scheduled", "changed"))
        )
        assert sorted(r.json()["outcome"] for r in responses) == ["created", "unchanged"]
        assert [b["offering_id"] for b in await bookings(client)] == [offering]


async def test_a_changed_notification_that_changes_nothing_is_unchanged(database_url: str) -> None:
    async with acuity_app(database_url) as (client, _, acuity):
        acuity.appointments["501"] = acuity_appointment(501, forms=INTAKE_FORMS)
        await notify(client, "scheduled", 501)
        assert (await notify(client, "changed", 501)).json() == {"outcome": "unchanged"}
