"""The booking routes end to end through the real wiring, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory.clock import FixedClock
from tests.support.app import ADMIN_KEY, running_app

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
TEN_PARIS = "2026-06-02T10:00:00+02:00"


def a_booking(
    offering: str = "van-transfer", start: str | None = TEN_PARIS, email: str = "ada@example.com"
) -> dict:
    body: dict = {"offering_id": offering, "customer": {"name": "Ada Lovelace", "email": email}}
    if start is not None:
        body["start"] = start
    return body


async def test_a_paid_booking_holds_its_slot_until_the_sandbox_payment_confirms_it(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        created = await client.post("/v1/bookings", json=a_booking())
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["status"], body["payment_status"], body["amount_cents"]) == (
            "pending_payment",
            "pending",
            8500,
        )
        assert body["start"] == "2026-06-02T08:00:00Z"
        assert body["expires_at"] == "2026-06-01T08:30:00Z"
        assert body["payment"]["url"].endswith(f"/sandbox/checkout/{body['booking_id']}")

        paid = await client.post(f"/sandbox/checkout/{body['booking_id']}", data={"outcome": "pay"})
        assert paid.status_code == 303  # back to the booking page

        read = await client.get(
            f"/v1/bookings/{body['booking_id']}", headers={"Authorization": f"Bearer {body['booking_token']}"}
        )
        assert (read.json()["status"], read.json()["payment_status"]) == ("confirmed", "paid")


async def test_a_free_booking_is_confirmed_at_once(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        created = await client.post("/v1/bookings", json=a_booking("coaching"))
        assert created.status_code == 201, created.text
        assert (created.json()["status"], created.json()["payment"]) == ("confirmed", None)


async def test_the_price_is_the_catalogs_whatever_the_client_sends(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        body = a_booking() | {"amount_cents": 1}
        response = await client.post("/v1/bookings", json=body)
        assert response.status_code == 422
        assert "amount_cents" in response.json()["fields"]


async def test_a_token_that_is_not_this_bookings_is_404_like_a_missing_booking(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        first = (await client.post("/v1/bookings", json=a_booking())).json()
        second = (await client.post("/v1/bookings", json=a_booking(start="2026-06-03T10:00:00+02:00"))).json()
        wrong = await client.get(
            f"/v1/bookings/{first['booking_id']}",
            headers={"Authorization": f"Bearer {second['booking_token']}"},
        )
        missing = await client.get(
            "/v1/bookings/00000000-0000-4000-8000-000000000000",
            headers={"Authorization": f"Bearer {second['booking_token']}"},
        )
        no_token = await client.get(f"/v1/bookings/{first['booking_id']}")
    assert (wrong.status_code, wrong.json()["code"]) == (404, "not_found")
    assert wrong.json()["detail"] == missing.json()["detail"]
    assert (no_token.status_code, no_token.json()["code"]) == (401, "unauthorized")


async def test_cancelling_releases_the_slot(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        first = (await client.post("/v1/bookings", json=a_booking())).json()
        taken = await client.post("/v1/bookings", json=a_booking(email="bob@example.com"))
        cancelled = await client.post(
            f"/v1/bookings/{first['booking_id']}/cancel",
            headers={"Authorization": f"Bearer {first['booking_token']}"},
        )
        again = await client.post("/v1/bookings", json=a_booking(email="bob@example.com"))
    assert (taken.status_code, taken.json()["code"]) == (409, "slot_unavailable")
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 201


async def test_a_booking_ending_at_ten_with_a_15_minute_buffer_blocks_a_ten_past_ten_start(
    database_url: str,
) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        nine = await client.post("/v1/bookings", json=a_booking(start="2026-06-02T09:00:00+02:00"))
        ten_past = await client.post("/v1/bookings", json=a_booking(start="2026-06-02T10:10:00+02:00"))
        quarter_past = await client.post("/v1/bookings", json=a_booking(start="2026-06-02T10:15:00+02:00"))
    assert nine.status_code == 201
    assert (ten_past.status_code, ten_past.json()["code"]) == (409, "slot_unavailable")
    assert quarter_past.status_code == 201


async def test_an_expired_hold_frees_its_slot(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with running_app(database_url, clock=clock) as (client, _container):
        held = await client.post("/v1/bookings", json=a_booking())
        blocked = await client.post("/v1/bookings", json=a_booking(email="bob@example.com"))
        clock.advance(timedelta(minutes=31))
        freed = await client.post("/v1/bookings", json=a_booking(email="bob@example.com"))
        first = await client.get(
            f"/v1/bookings/{held.json()['booking_id']}", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        )
    assert blocked.status_code == 409
    assert freed.status_code == 201, freed.text
    assert first.json()["status"] == "expired"


async def test_the_hold_sweep_expires_holds_that_ran_out(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with running_app(database_url, clock=clock) as (client, container):
        held = (await client.post("/v1/bookings", json=a_booking())).json()
        clock.advance(timedelta(minutes=30))
        assert await container.expire_holds()() == 1
        assert await container.expire_holds()() == 0
        read = await client.get(
            f"/v1/bookings/{held['booking_id']}", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        )
    assert read.json()["status"] == "expired"


@pytest.mark.parametrize("offering", ["nope", "x" * 100])
async def test_an_unknown_offering_is_404(database_url: str, offering: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        response = await client.post("/v1/bookings", json=a_booking(offering))
    assert (response.status_code, response.json()["code"]) == (404, "unknown_offering")


async def test_admin_routes_need_the_admin_key(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, _):
        await client.post("/v1/bookings", json=a_booking())
        anonymous = await client.get("/admin/bookings")
        wrong = await client.get("/admin/bookings", headers={"Authorization": "Bearer nope"})
        listed = await client.get(
            "/admin/bookings",
            params={"status": "pending_payment"},
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")
    assert wrong.status_code == 401
    [item] = listed.json()["items"]
    assert item["customer"]["email"] == "ada@example.com"
    assert set(item["references"]) >= {"stripe_payment_intent", "cal_booking_uid", "odoo_invoice_id"}
