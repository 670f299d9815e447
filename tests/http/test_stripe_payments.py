"""Stripe as the payment provider, end to end: the real SDK against a local fake of Stripe's API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import stripe

from adapters.memory.clock import FixedClock
from tests.support.app import ADMIN_KEY, stripe_app
from tests.support.fake_stripe import SECRET, FakeStripe, fake_stripe, sign

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=2)).replace(hour=8, minute=0, second=0)  # the van runs around the clock


def a_booking(start: datetime = START, **fields: object) -> dict[str, object]:
    return {
        "offering_id": "van-transfer",
        "start": start.isoformat(),
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        **fields,
    }


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


async def test_a_paid_booking_gets_a_stripe_checkout_session_that_names_the_booking_everywhere(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        start = START
        response = await client.post("/v1/bookings", json=a_booking(start))
    assert response.status_code == 201, response.text
    body = response.json()
    [session] = stripe_api.created("checkout.session")
    form, booking = session["form"], body["booking_id"]
    assert body["payment"] == {"provider": "stripe", "url": session["url"], "client_secret": None}
    assert form["client_reference_id"] == booking
    assert form["metadata[booking_id]"] == booking
    assert form["payment_intent_data[metadata][booking_id]"] == booking
    assert (form["line_items[0][price_data][unit_amount]"], form["line_items[0][price_data][currency]"]) == (
        "8500",
        "eur",
    )
    assert form["success_url"].startswith("https://shop.example/booked?booking_id=")
    [request] = [r for r in stripe_api.requests if r.path == "/v1/checkout/sessions"]
    assert request.headers["idempotency-key"] == f"checkout:{booking}:stripe"
    assert request.headers["authorization"] == "Bearer sk_test_fake"


async def test_a_booking_that_asks_for_a_payment_intent_gets_its_client_secret(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        start = START
        response = await client.post(
            "/v1/bookings", json=a_booking(start, payment_provider="stripe_payment_intent")
        )
    assert response.status_code == 201, response.text
    [intent] = stripe_api.created("payment_intent")
    assert response.json()["payment"] == {
        "provider": "stripe",
        "url": None,
        "client_secret": intent["client_secret"],
    }
    assert intent["metadata"] == {"booking_id": response.json()["booking_id"]}
    assert (intent["amount"], intent["currency"]) == (8500, "eur")


async def test_a_retried_booking_request_creates_one_booking_and_one_payment_object(
    database_url: str, stripe_api: FakeStripe
) -> None:
    stripe_api.statuses = [500]  # the first call fails; the SDK retries it with the same key
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        start = START
        headers = {"Idempotency-Key": "retry-0123456789abcdef"}
        first = await client.post("/v1/bookings", json=a_booking(start), headers=headers)
        again = await client.post("/v1/bookings", json=a_booking(start), headers=headers)
        listed = await client.get("/admin/bookings", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert first.json()["booking_id"] == again.json()["booking_id"]
    assert first.json()["payment"] == again.json()["payment"]
    assert len(listed.json()["items"]) == 1
    assert len(stripe_api.created("checkout.session")) == 1
    assert {r.headers["idempotency-key"] for r in stripe_api.requests if r.path != "/v1/customers"} == {
        f"checkout:{first.json()['booking_id']}:stripe"
    }
    assert len(stripe_api.created("customer")) == 1


async def test_with_stripe_the_sandbox_is_gone_and_health_says_stripe_is_connected(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        start = START
        booking = (await client.post("/v1/bookings", json=a_booking(start))).json()["booking_id"]
        sandbox = await client.post(f"/sandbox/checkout/{booking}", data={"outcome": "pay"})
        asked = await client.post("/v1/bookings", json=a_booking(start, payment_provider="sandbox"))
        health = (await client.get("/health")).json()
    assert sandbox.status_code == 404
    assert (asked.status_code, asked.json()["code"]) == (422, "invalid_request")
    assert health["integrations"]["stripe"] == "connected"


async def test_stripe_unreachable_is_a_502_and_the_same_request_later_finishes_the_booking(
    database_url: str, stripe_api: FakeStripe
) -> None:
    stripe_api.statuses = [500, 500, 500]  # the call and both of the SDK's retries
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        start = START
        headers = {"Idempotency-Key": "later-0123456789abcdef"}
        failed = await client.post("/v1/bookings", json=a_booking(start), headers=headers)
        later = await client.post("/v1/bookings", json=a_booking(start), headers=headers)
    assert (failed.status_code, failed.json()["code"]) == (502, "provider_unavailable")
    assert later.status_code == 201, later.text
    assert later.json()["payment"]["url"] == stripe_api.created("checkout.session")[0]["url"]


def test_our_signature_helper_signs_as_the_sdk_does() -> None:
    body = b'{"id": "evt_1"}'
    assert sign(body, SECRET, timestamp=1_700_000_000) == stripe.WebhookSignature.generate_signature_header(
        body.decode(), SECRET, timestamp=1_700_000_000
    )
