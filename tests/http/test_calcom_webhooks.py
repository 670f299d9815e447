"""Cal.com webhooks end to end: real signatures, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from entrypoints.container import Container
from tests.support.app import ADMIN_KEY, running_app
from tests.support.providers import CAL_WEBHOOK_SECRET, cal_signature, cal_webhook

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
CATALOG = Path(__file__).parents[1] / "support" / "scheduling_catalog.toml"
ADMIN = {"authorization": f"Bearer {ADMIN_KEY}"}


def a_payload(
    uid: str = "cal-1",
    start: str = "2026-06-02T08:00:00.000Z",
    end: str = "2026-06-02T10:00:00.000Z",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "bookingId": 41,
        "uid": uid,
        "title": "Van tour",
        "type": "van-tour",
        "eventTypeId": 679,
        "startTime": start,
        "endTime": end,
        "organizer": {"name": "Host", "email": "host@example.com", "timeZone": "Europe/Paris"},
        "attendees": [
            {
                "name": "Grace Hopper",
                "email": "Grace@Example.com",
                "timeZone": "America/New_York",
                "language": {"locale": "en"},
            }
        ],
        "responses": {
            "name": {"label": "your_name", "value": "Grace Hopper"},
            "email": {"label": "email_address", "value": "Grace@Example.com"},
            "notes": {"label": "Additional notes", "value": "Two children seats"},
        },
        "status": "ACCEPTED",
        "metadata": {"videoCallUrl": "https://cal.example/video/cal-1"},
        **extra,
    }


@asynccontextmanager
async def calcom_app(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    async with running_app(
        database_url, clock=FixedClock(NOW), catalog=CATALOG, cal_webhook_secret=CAL_WEBHOOK_SECRET
    ) as (client, container):
        yield client, container


async def send(client: httpx.AsyncClient, trigger: str, payload: dict[str, Any]) -> httpx.Response:
    body, headers = cal_webhook(trigger, payload)
    return await client.post("/webhooks/calcom", content=body, headers=headers)


async def bookings(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/admin/bookings", headers=ADMIN)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def inbound_events(container: Container) -> int:
    async with container.database().engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(t.inbound_events)
        return (await connection.execute(query)).scalar_one()


async def test_a_booking_made_at_calcom_on_a_mapped_event_type_is_booked_here(database_url: str) -> None:
    async with calcom_app(database_url) as (client, _):
        response = await send(client, "BOOKING_CREATED", a_payload())
        assert (response.status_code, response.json()) == (200, {"outcome": "created"})
        [booking] = await bookings(client)
        assert (booking["offering_id"], booking["status"], booking["resource_id"]) == (
            "cal-van",
            "scheduled",
            "van-1",
        )
        assert (booking["start"], booking["end"]) == ("2026-06-02T08:00:00Z", "2026-06-02T10:00:00Z")
        assert booking["references"]["cal_booking_uid"] == "cal-1"
        assert booking["meeting_url"] == "https://cal.example/video/cal-1"
        assert booking["customer"]["email"] == "grace@example.com"
        assert booking["intake"] == {"Cal.com": {"Additional notes": "Two children seats"}}


async def test_a_repeated_delivery_applies_once(database_url: str) -> None:
    async with calcom_app(database_url) as (client, container):
        outcomes = [(await send(client, "BOOKING_CREATED", a_payload())).json()["outcome"] for _ in range(2)]
        assert outcomes == ["created", "duplicate"]
        assert len(await bookings(client)) == 1
        assert await inbound_events(container) == 1


async def test_a_reschedule_replaces_the_uid_and_moves_the_booking_and_its_availability(
    database_url: str,
) -> None:
    async with calcom_app(database_url) as (client, _):
        await send(client, "BOOKING_CREATED", a_payload())
        moved = await send(
            client,
            "BOOKING_RESCHEDULED",
            a_payload(
                uid="cal-2",
                start="2026-06-03T12:00:00.000Z",
                end="2026-06-03T14:00:00.000Z",
                rescheduleUid="cal-1",
                rescheduleStartTime="2026-06-02T08:00:00.000Z",
                rescheduleEndTime="2026-06-02T10:00:00.000Z",
            ),
        )
        assert moved.json() == {"outcome": "moved"}
        [booking] = await bookings(client)
        assert booking["references"]["cal_booking_uid"] == "cal-2"
        assert booking["start"] == "2026-06-03T12:00:00Z"

        # The old time is free again; the new one is taken.
        old = await send(client, "BOOKING_CREATED", a_payload(uid="cal-3"))
        new = await send(
            client,
            "BOOKING_CREATED",
            a_payload(uid="cal-4", start="2026-06-03T13:00:00.000Z", end="2026-06-03T15:00:00.000Z"),
        )
        assert (old.json(), new.json()) == ({"outcome": "created"}, {"outcome": "conflict"})

        # A cancellation names the new uid.
        cancelled = await send(
            client,
            "BOOKING_CANCELLED",
            a_payload(uid="cal-2", start="2026-06-03T12:00:00.000Z", end="2026-06-03T14:00:00.000Z"),
        )
        assert cancelled.json() == {"outcome": "cancelled"}
        statuses = sorted((b["references"]["cal_booking_uid"], b["status"]) for b in await bookings(client))
        assert statuses == [("cal-2", "cancelled"), ("cal-3", "scheduled")]


async def test_a_cancellation_of_a_booking_we_never_had_changes_nothing(database_url: str) -> None:
    async with calcom_app(database_url) as (client, container):
        response = await send(client, "BOOKING_CANCELLED", a_payload(uid="cal-9"))
        assert response.json() == {"outcome": "unknown_appointment"}
        assert await bookings(client) == []
        assert await inbound_events(container) == 1


async def test_an_unmapped_event_type_and_other_triggers_are_answered_200(database_url: str) -> None:
    async with calcom_app(database_url) as (client, _):
        unmapped = await send(client, "BOOKING_CREATED", a_payload(eventTypeId=5))
        other = await send(client, "MEETING_ENDED", {"uid": "cal-1"})
        assert (unmapped.json(), other.json()) == ({"outcome": "unmapped"}, {"outcome": "ignored"})
        assert await bookings(client) == []


async def test_forged_or_missing_signatures_are_400_and_change_nothing(database_url: str) -> None:
    async with calcom_app(database_url) as (client, container):
        body, headers = cal_webhook("BOOKING_CREATED", a_payload())
        for signature in (cal_signature(body, "another-secret"), "no-secret-provided", None):
            sent = dict(headers)
            sent.pop("x-cal-signature-256")
            if signature is not None:
                sent["x-cal-signature-256"] = signature
            response = await client.post("/webhooks/calcom", content=body, headers=sent)
            assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
        tampered = body.replace(b"2026-06-02T08", b"2026-06-02T09")
        response = await client.post("/webhooks/calcom", content=tampered, headers=headers)
        assert response.status_code == 400
        assert await bookings(client) == []
        assert await inbound_events(container) == 0


async def test_a_signed_body_that_is_not_a_booking_webhook_is_a_422(database_url: str) -> None:
    async with calcom_app(database_url) as (client, _):
        body = b'{"triggerEvent": "BOOKING_CREATED", "payload": {"uid": 3}}'
        headers = {"content-type": "application/json", "x-cal-signature-256": cal_signature(body)}
        response = await client.post("/webhooks/calcom", content=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


async def test_calcom_times_across_the_paris_dst_change_are_stored_in_utc(database_url: str) -> None:
    async with calcom_app(database_url) as (client, _):
        # 03:30 Paris on 29 March 2026 (after the spring-forward gap) and 02:30 on 25 October (second pass).
        await send(
            client,
            "BOOKING_CREATED",
            a_payload(uid="spring", start="2026-03-29T01:30:00.000Z", end="2026-03-29T03:30:00.000Z"),
        )
        await send(
            client,
            "BOOKING_CREATED",
            a_payload(uid="autumn", start="2026-10-25T01:30:00.000Z", end="2026-10-25T03:30:00.000Z"),
        )
        starts = {b["references"]["cal_booking_uid"]: (b["start"], b["end"]) for b in await bookings(client)}
        assert starts == {
            "spring": ("2026-03-29T01:30:00Z", "2026-03-29T03:30:00Z"),
            "autumn": ("2026-10-25T01:30:00Z", "2026-10-25T03:30:00Z"),
        }
