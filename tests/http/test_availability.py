"""Availability over HTTP, in UTC, across both Europe/Paris DST changes of 2026."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from adapters.memory.clock import FixedClock
from tests.support.app import running_app

BEFORE_2026 = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))


async def _starts(client: httpx.AsyncClient, offering: str, start: str, end: str) -> list[str]:
    response = await client.get(f"/v1/offerings/{offering}/availability", params={"from": start, "to": end})
    assert response.status_code == 200, response.text
    return [slot["start"] for slot in response.json()["slots"]]


async def test_morning_slots_keep_their_local_time_across_the_spring_change(database_url: str) -> None:
    async with running_app(database_url, clock=BEFORE_2026) as (client, _):
        saturday = await _starts(
            client, "paris-morning", "2026-03-28T00:00:00+01:00", "2026-03-29T00:00:00+01:00"
        )
        sunday = await _starts(
            client, "paris-morning", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"
        )
    assert saturday == ["2026-03-28T08:00:00Z", "2026-03-28T09:00:00Z", "2026-03-28T10:00:00Z"]
    assert sunday == ["2026-03-29T07:00:00Z", "2026-03-29T08:00:00Z", "2026-03-29T09:00:00Z"]


async def test_morning_slots_keep_their_local_time_across_the_autumn_change(database_url: str) -> None:
    async with running_app(database_url, clock=BEFORE_2026) as (client, _):
        saturday = await _starts(
            client, "paris-morning", "2026-10-24T00:00:00+02:00", "2026-10-25T00:00:00+02:00"
        )
        sunday = await _starts(
            client, "paris-morning", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00"
        )
    assert saturday == ["2026-10-24T07:00:00Z", "2026-10-24T08:00:00Z", "2026-10-24T09:00:00Z"]
    assert sunday == ["2026-10-25T08:00:00Z", "2026-10-25T09:00:00Z", "2026-10-25T10:00:00Z"]


async def test_the_night_the_clocks_go_forward_has_one_hour_less(database_url: str) -> None:
    async with running_app(database_url, clock=BEFORE_2026) as (client, _):
        night = await _starts(client, "paris-night", "2026-03-29T00:00:00+01:00", "2026-03-29T12:00:00+02:00")
    # 00:00-05:00 local is four real hours that night: 00:00, 01:00 (+01:00), then 03:00, 04:00 (+02:00).
    assert night == [
        "2026-03-28T23:00:00Z",
        "2026-03-29T00:00:00Z",
        "2026-03-29T01:00:00Z",
        "2026-03-29T02:00:00Z",
    ]


async def test_the_night_the_clocks_go_back_has_one_hour_more(database_url: str) -> None:
    async with running_app(database_url, clock=BEFORE_2026) as (client, _):
        night = await _starts(client, "paris-night", "2026-10-25T00:00:00+02:00", "2026-10-25T12:00:00+01:00")
    # Six real hours: 02:00 local happens twice, once at +02:00 (00:00Z) and once at +01:00 (01:00Z).
    assert night == [
        "2026-10-24T22:00:00Z",
        "2026-10-24T23:00:00Z",
        "2026-10-25T00:00:00Z",
        "2026-10-25T01:00:00Z",
        "2026-10-25T02:00:00Z",
        "2026-10-25T03:00:00Z",
    ]


async def test_a_booking_made_in_another_time_zone_takes_the_same_instant(database_url: str) -> None:
    async with running_app(database_url, clock=BEFORE_2026) as (client, _):
        # 09:00 in Paris on the spring-change Sunday is 03:00 in New York (still on EDT since 8 March).
        created = await client.post(
            "/v1/bookings",
            json={
                "offering_id": "paris-morning",
                "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
                "start": "2026-03-29T03:00:00-04:00",
            },
        )
        left = await _starts(
            client, "paris-morning", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"
        )
    assert created.json()["start"] == "2026-03-29T07:00:00Z"
    assert left == ["2026-03-29T08:00:00Z", "2026-03-29T09:00:00Z"]


async def test_a_slot_that_runs_past_closing_on_the_short_night_is_refused(database_url: str) -> None:
    async with running_app(database_url, clock=BEFORE_2026) as (client, _):
        # 04:30 local plus 60 minutes ends at 05:30, after the desk closes at 05:00.
        response = await client.post(
            "/v1/bookings",
            json={
                "offering_id": "paris-night",
                "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
                "start": "2026-03-29T04:30:00+02:00",
            },
        )
    assert (response.status_code, response.json()["fields"]) == (
        422,
        {"start": "outside the offering's opening hours"},
    )
