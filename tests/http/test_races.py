"""Many clients racing for one slot: the database decides, exactly as many win as there is room."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import httpx

from adapters.memory.clock import FixedClock
from tests.support.app import ADMIN_KEY, running_app

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


async def _race(
    client: httpx.AsyncClient, offering: str, start: str, clients: int
) -> Counter[tuple[int, str]]:
    async def book(i: int) -> tuple[int, str]:
        response = await client.post(
            "/v1/bookings",
            json={
                "offering_id": offering,
                "customer": {"name": f"Racer {i}", "email": f"racer{i}@example.com"},
                "start": start,
            },
        )
        return response.status_code, response.json().get("code", "")

    return Counter(await asyncio.gather(*(book(i) for i in range(clients))))


async def test_fifty_clients_racing_for_one_vehicle_slot_get_one_booking(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        outcomes = await _race(client, "van-transfer", "2026-06-02T10:00:00+02:00", 50)
    assert outcomes == {(201, ""): 1, (409, "slot_unavailable"): 49}


async def test_fifty_clients_racing_for_two_coaches_get_two_bookings(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        outcomes = await _race(client, "coaching", "2026-06-02T10:00:00+02:00", 50)
        listed = await client.get(
            "/admin/bookings",
            params={"offering_id": "coaching"},
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
    assert outcomes == {(201, ""): 2, (409, "slot_unavailable"): 48}
    assert sorted(item["resource_id"] for item in listed.json()["items"]) == ["coach-1", "coach-2"]


async def test_a_capacity_three_slot_takes_exactly_three_under_a_race(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        outcomes = await _race(client, "workshop", "2026-06-02T18:00:00+02:00", 50)
        availability = await client.get(
            "/v1/offerings/workshop/availability",
            params={"from": "2026-06-02T18:00:00+02:00", "to": "2026-06-02T20:00:00+02:00"},
        )
    assert outcomes == {(201, ""): 3, (409, "slot_unavailable"): 47}
    assert [s["start"] for s in availability.json()["slots"]] == ["2026-06-02T17:00:00Z"]


async def test_one_customer_racing_with_themself_gets_one_booking(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        body = {
            "offering_id": "van-transfer",
            "customer": {"name": "Same Person", "email": "same@example.com"},
            "start": "2026-06-02T12:00:00+02:00",
        }
        responses = await asyncio.gather(*(client.post("/v1/bookings", json=body) for _ in range(20)))
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 19}


async def test_a_replayed_idempotency_key_under_a_race_creates_one_booking(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        body = {
            "offering_id": "van-transfer",
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "start": "2026-06-02T14:00:00+02:00",
        }
        headers = {"Idempotency-Key": "3f0e6a52-9a43-4f7b-8d8e-7a1c2b9c1d11"}
        responses = await asyncio.gather(
            *(client.post("/v1/bookings", json=body, headers=headers) for _ in range(10))
        )
        listed = await client.get("/admin/bookings", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["booking_id"] for r in responses}) == 1
    assert len({r.json()["booking_token"] for r in responses}) == 1
    assert len(listed.json()["items"]) == 1
