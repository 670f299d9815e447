"""Pay first, then schedule at Cal.com, end to end against a local fake Cal.com, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.memory.clock import FixedClock
from entrypoints.container import Container
from tests.support.app import running_app
from tests.support.providers import CAL_API_KEY, CAL_WEBHOOK_SECRET, FakeProvider, cal_webhook, fake_provider

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CATALOG = Path(__file__).parents[1] / "support" / "scheduling_catalog.toml"


@asynccontextmanager
async def cal_app(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Container, FakeProvider]]:
    with fake_provider() as cal:
        async with running_app(
            database_url,
            clock=FixedClock(NOW),
            catalog=CATALOG,
            cal_api_key=CAL_API_KEY,
            cal_webhook_secret=CAL_WEBHOOK_SECRET,
            cal_api_base=cal.base,
        ) as (client, container):
            yield client, container, cal


async def a_paid_booking(
    client: httpx.AsyncClient, email: str = "ada@example.com", *, pay: bool = True
) -> tuple[str, str]:
    created = await client.post(
        "/v1/bookings",
        json={
            "offering_id": "cal-coaching",
            "customer": {"name": "Ada Lovelace", "email": email, "locale": "fr"},
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["start"] is None
    if pay:
        paid = await client.post(f"/sandbox/checkout/{body['booking_id']}", data={"outcome": "pay"})
        assert paid.status_code == 303  # back to the booking page
    return body["booking_id"], body["booking_token"]


async def schedule(client: httpx.AsyncClient, booking_id: str, token: str, **body: Any) -> httpx.Response:
    return await client.post(
        f"/v1/bookings/{booking_id}/schedule", json=body, headers={"authorization": f"Bearer {token}"}
    )


async def read(client: httpx.AsyncClient, booking_id: str, token: str) -> dict[str, Any]:
    response = await client.get(f"/v1/bookings/{booking_id}", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


async def test_a_paid_booking_is_scheduled_at_calcom_and_keeps_its_uid_and_meeting_link(
    database_url: str,
) -> None:
    async with cal_app(database_url) as (client, _, cal):
        booking_id, token = await a_paid_booking(client)
        # A client in New York picks 10:00 Paris time on the day Paris springs forward.
        response = await schedule(
            client, booking_id, token, start="2026-03-29T04:00:00-04:00", timezone="America/New_York"
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["payment_status"]) == ("scheduled", "paid")
        assert (body["start"], body["end"]) == ("2026-03-29T08:00:00Z", "2026-03-29T09:00:00Z")
        assert body["references"]["cal_booking_uid"] == "uid-1"
        assert body["meeting_url"] == "https://cal.example/video/uid-1"

        [call] = cal.calls("POST", "/v2/bookings")
        assert call.headers["authorization"] == f"Bearer {CAL_API_KEY}"
        assert call.headers["cal-api-version"] == "2024-08-13"
        assert call.json() == {
            "start": "2026-03-29T08:00:00Z",
            "eventTypeId": 678,
            "attendee": {
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "timeZone": "America/New_York",
                "language": "fr",
            },
            "metadata": {"booking_id": booking_id},
        }
        assert (await read(client, booking_id, token))["start"] == "2026-03-29T08:00:00Z"


async def test_a_booking_not_yet_paid_is_409_and_calcom_is_not_asked(database_url: str) -> None:
    async with cal_app(database_url) as (client, _, cal):
        booking_id, token = await a_paid_booking(client, pay=False)
        response = await schedule(client, booking_id, token, start="2026-03-10T10:00:00+01:00")
        assert (response.status_code, response.json()["code"]) == (409, "payment_required")
        assert cal.requests == []


async def test_a_calcom_outage_answers_502_and_leaves_the_booking_as_it_was(database_url: str) -> None:
    async with cal_app(database_url) as (client, container, cal):
        booking_id, token = await a_paid_booking(client)
        before = await read(client, booking_id, token)
        cal.status = 503
        response = await schedule(client, booking_id, token, start="2026-03-10T10:00:00+01:00")
        assert (response.status_code, response.json()["code"]) == (502, "provider_unavailable")
        assert await read(client, booking_id, token) == before
        assert all(not d.topic.startswith("calcom.") for d in await container.deliver_outbox()())

        cal.status = None
        retried = await schedule(client, booking_id, token, start="2026-03-10T10:00:00+01:00")
        assert retried.json()["status"] == "scheduled"


async def test_a_slot_taken_in_the_hub_is_409_before_calcom_is_asked(database_url: str) -> None:
    async with cal_app(database_url) as (client, _, cal):
        first, first_token = await a_paid_booking(client)
        second, second_token = await a_paid_booking(client, "grace@example.com")
        assert (
            await schedule(client, first, first_token, start="2026-03-10T10:00:00+01:00")
        ).status_code == 200
        taken = await schedule(client, second, second_token, start="2026-03-10T10:30:00+01:00")
        assert (taken.status_code, taken.json()["code"]) == (409, "slot_unavailable")
        assert len(cal.calls("POST", "/v2/bookings")) == 1
        again = await schedule(client, first, first_token, start="2026-03-11T10:00:00+01:00")
        assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")


async def test_bad_schedule_requests_are_4xx(database_url: str) -> None:
    async with cal_app(database_url) as (client, _, _cal):
        booking_id, token = await a_paid_booking(client)
        naive = await schedule(client, booking_id, token, start="2026-03-10T10:00:00")
        zone = await schedule(
            client, booking_id, token, start="2026-03-10T10:00:00+01:00", timezone="Mars/Olympus"
        )
        past = await schedule(client, booking_id, token, start="2026-02-10T10:00:00+01:00")
        stranger = await schedule(client, booking_id, "not-the-token", start="2026-03-10T10:00:00+01:00")
        assert [r.status_code for r in (naive, zone, past, stranger)] == [422, 422, 422, 404]


async def test_cancelling_in_the_hub_cancels_at_calcom_through_the_outbox(database_url: str) -> None:
    async with cal_app(database_url) as (client, container, cal):
        booking_id, token = await a_paid_booking(client)
        await schedule(client, booking_id, token, start="2026-03-10T10:00:00+01:00")
        cancelled = await client.post(
            f"/v1/bookings/{booking_id}/cancel", headers={"authorization": f"Bearer {token}"}
        )
        assert cancelled.json()["status"] == "cancelled"
        outcomes = sorted(f"{d.topic} {d.outcome}" for d in await container.deliver_outbox()())
        assert "calcom.booking_cancelled delivered" in outcomes
        [call] = cal.calls("POST", "/v2/bookings/uid-1/cancel")
        assert call.headers["cal-api-version"] == "2024-08-13"
        assert cal.bookings["uid-1"]["status"] == "cancelled"


async def test_a_cancellation_from_calcom_is_not_sent_back_to_calcom(database_url: str) -> None:
    async with cal_app(database_url) as (client, container, cal):
        booking_id, token = await a_paid_booking(client)
        await schedule(client, booking_id, token, start="2026-03-10T10:00:00+01:00")
        body, headers = cal_webhook(
            "BOOKING_CANCELLED",
            {
                "uid": "uid-1",
                "startTime": "2026-03-10T09:00:00.000Z",
                "endTime": "2026-03-10T10:00:00.000Z",
                "eventTypeId": 678,
            },
        )
        response = await client.post("/webhooks/calcom", content=body, headers=headers)
        assert response.json() == {"outcome": "cancelled"}
        assert (await read(client, booking_id, token))["status"] == "cancelled"
        topics = [d.topic for d in await container.deliver_outbox()()]
        assert "calcom.booking_cancelled" not in topics
        assert cal.calls("POST", "/v2/bookings/uid-1/cancel") == []


async def test_the_calcom_created_webhook_of_our_own_booking_changes_nothing(database_url: str) -> None:
    async with cal_app(database_url) as (client, _, _cal):
        booking_id, token = await a_paid_booking(client)
        await schedule(client, booking_id, token, start="2026-03-10T10:00:00+01:00")
        body, headers = cal_webhook(
            "BOOKING_CREATED",
            {
                "uid": "uid-1",
                "startTime": "2026-03-10T09:00:00.000Z",
                "endTime": "2026-03-10T10:00:00.000Z",
                "eventTypeId": 678,
                "attendees": [
                    {"name": "Ada Lovelace", "email": "ada@example.com", "timeZone": "Europe/Paris"}
                ],
                "metadata": {"booking_id": booking_id},
            },
        )
        response = await client.post("/webhooks/calcom", content=body, headers=headers)
        assert response.json() == {"outcome": "unchanged"}


async def test_two_customers_racing_for_one_slot_get_one_booking_and_the_losers_calcom_booking_is_cancelled(
    database_url: str,
) -> None:
    async with cal_app(database_url) as (client, container, cal):
        first = await a_paid_booking(client)
        second = await a_paid_booking(client, "grace@example.com")
        responses = await asyncio.gather(
            *(schedule(client, b, token, start="2026-03-10T10:00:00+01:00") for b, token in (first, second))
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        made = len(cal.calls("POST", "/v2/bookings"))
        await container.deliver_outbox()()
        # Whatever Cal.com booked for the loser (if the race got that far) is cancelled there again.
        assert len(cal.calls("POST", "/v2/bookings/")) == made - 1  # the cancellations
        statuses = sorted(b["status"] for b in cal.bookings.values())
        assert statuses == ["accepted"] + ["cancelled"] * (made - 1)


async def test_without_cal_com_credentials_the_booking_is_scheduled_in_the_hub_only(
    database_url: str,
) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), catalog=CATALOG) as (client, container):
        booking_id, token = await a_paid_booking(client)
        response = await schedule(client, booking_id, token, start="2026-03-10T10:00:00+01:00")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["start"], body["references"]["cal_booking_uid"]) == (
            "scheduled",
            "2026-03-10T09:00:00Z",
            None,
        )
        assert (await client.get("/health")).json()["integrations"]["calcom"] == "mock"
        cancelled = await client.post(
            f"/v1/bookings/{booking_id}/cancel", headers={"authorization": f"Bearer {token}"}
        )
        assert cancelled.json()["status"] == "cancelled"
        assert "calcom.booking_cancelled" not in [d.topic for d in await container.deliver_outbox()()]
