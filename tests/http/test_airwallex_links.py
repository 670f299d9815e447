"""Airwallex payment links (PROVIDERS §2a): one per booking, found again by its reference before a second is
made, matched by `payment_link_id` when paid, deactivated when the booking ends unpaid."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from adapters.memory.clock import FixedClock
from adapters.providers.airwallex.client import AirwallexApi
from adapters.providers.airwallex.gateway import AirwallexPaymentLinkGateway
from adapters.providers.http_lanes import HttpLanes
from tests.adapters.test_airwallex import a_booking
from tests.domain.builders import an_offering
from tests.support.app import ADMIN_KEY, running_app
from tests.support.fake_airwallex import (
    API_KEY,
    CLIENT_ID,
    FakeAirwallex,
    airwallex_settings,
    fake_airwallex,
    signed_headers,
    webhook,
)

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=2)).replace(hour=8, minute=0, second=0)
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
LINKS = "/api/v1/pa/payment_links/create"


@pytest.fixture
def airwallex_api() -> Iterator[FakeAirwallex]:
    with fake_airwallex() as fake:
        yield fake


async def book(client: httpx.AsyncClient, email: str = "ada@example.com", **fields: Any) -> dict[str, Any]:
    customer = {"name": "Ada Lovelace", "email": email}
    body = {"offering_id": "van-transfer", "start": START.isoformat(), "customer": customer, **fields}
    response = await client.post("/v1/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_booking_gets_a_payment_link_that_its_paid_webhook_confirms_by_the_link_id(
    database_url: str, airwallex_api: FakeAirwallex
) -> None:
    clock = FixedClock(NOW)
    async with running_app(database_url, clock=clock, **airwallex_settings(airwallex_api)) as (client, _):
        created = await book(client)
        booking = created["booking_id"]
        [link] = airwallex_api.links.values()
        intent = airwallex_api.pay_link(link["id"])  # no booking in its metadata: the link names it
        body = webhook("payment_intent.succeeded", intent, event_id="evt_1")
        paid = await client.post("/webhooks/airwallex", content=body, headers=signed_headers(body))
        read = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()
    [create] = airwallex_api.created(LINKS)
    assert create == {
        "title": "Transfer in the one van",
        "reusable": False,
        "amount": 85.0,
        "currency": "EUR",
        "reference": f"checkout:{booking}:airwallex",
        "metadata": {"booking_id": booking},
        "expires_at": (NOW + timedelta(minutes=30)).isoformat(),
    }
    assert created["payment"] == {"provider": "airwallex", "url": link["url"], "client_secret": None}
    assert paid.json() == {"outcome": "applied"}
    assert (read["status"], read["payment_status"]) == ("confirmed", "paid")
    assert read["references"]["airwallex_payment_link"] == link["id"]


async def test_a_link_is_found_again_by_its_reference_and_a_second_one_is_deactivated(
    airwallex_api: FakeAirwallex,
) -> None:
    http = HttpLanes(lanes=2)
    api = AirwallexApi(
        http, FixedClock(datetime.now(UTC)), client_id=CLIENT_ID, api_key=API_KEY, api_base=airwallex_api.base
    )
    gateway = AirwallexPaymentLinkGateway(api)
    booking = a_booking()
    booking.created_at = datetime.now(UTC)
    try:
        first = await gateway.create_session(booking, an_offering(), idempotency_key="checkout:b:airwallex")
        again = await gateway.create_session(booking, an_offering(), idempotency_key="checkout:b:airwallex")
        # A create retried after its answer was lost made a second link with the same reference.
        airwallex_api.links["extra"] = dict(airwallex_api.links[str(first.reference)], id="extra")
        airwallex_api.links["extra"]["created_at"] = datetime.now(UTC).isoformat()
        third = await gateway.create_session(booking, an_offering(), idempotency_key="checkout:b:airwallex")
    finally:
        await http.aclose()
    assert len(airwallex_api.created(LINKS)) == 1
    assert first.reference == again.reference == third.reference
    assert airwallex_api.links["extra"]["active"] is False
    assert airwallex_api.links[str(first.reference)]["active"] is True


async def test_a_link_is_deactivated_when_its_booking_is_cancelled_or_its_hold_runs_out(
    database_url: str, airwallex_api: FakeAirwallex
) -> None:
    clock = FixedClock(NOW)
    async with running_app(database_url, clock=clock, **airwallex_settings(airwallex_api)) as (
        client,
        container,
    ):
        cancelled = await book(client)
        expiring = await book(client, "bob@example.com", start=START.replace(hour=12).isoformat())
        answer = await client.post(f"/v1/bookings/{cancelled['booking_id']}/cancel", headers=ADMIN)
        assert answer.status_code == 200, answer.text
        clock.advance(timedelta(minutes=31))
        assert await container.expire_holds()() == 1
        delivered = sorted(f"{d.topic} {d.outcome}" for d in await container.deliver_outbox()())
    assert delivered.count("airwallex.deactivate_payment_link delivered") == 2
    assert [link["active"] for link in airwallex_api.links.values()] == [False, False]
    assert expiring["payment"]["url"]


async def test_a_new_payment_attempt_deactivates_the_link_it_replaces(
    database_url: str, airwallex_api: FakeAirwallex
) -> None:
    async with running_app(database_url, clock=FixedClock(NOW), **airwallex_settings(airwallex_api)) as (
        client,
        container,
    ):
        booking = (await book(client))["booking_id"]
        [link] = airwallex_api.links.values()
        # An attempt on the link fails and the provider names the booking: the customer may try again.
        failed = {"id": "int_failed", "status": "CANCELLED", "payment_link_id": link["id"]}
        failed |= {"amount": 85.0, "currency": "EUR", "metadata": {"booking_id": booking}}
        body = webhook("payment_intent.cancelled", failed, event_id="evt_failed")
        refused = await client.post("/webhooks/airwallex", content=body, headers=signed_headers(body))
        assert refused.json() == {"outcome": "applied"}
        answer = await client.post(f"/v1/bookings/{booking}/pay", headers=ADMIN)
        assert answer.status_code == 200, answer.text
        delivered = [f"{d.topic} {d.outcome}" for d in await container.deliver_outbox()()]
        read = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()
    first, second = airwallex_api.links.values()
    assert "airwallex.deactivate_payment_link delivered" in delivered
    assert (first["active"], second["active"]) == (False, True)
    assert read["references"]["airwallex_payment_link"] == second["id"]
    assert answer.json()["payment"]["url"] == second["url"]


async def test_a_link_payment_and_a_web_app_refund_whose_webhooks_were_lost_are_applied_by_reconciliation(
    database_url: str, airwallex_api: FakeAirwallex
) -> None:
    settings = airwallex_settings(airwallex_api)
    async with running_app(database_url, clock=FixedClock(NOW), **settings) as (client, container):
        booking = (await book(client))["booking_id"]
        [link] = airwallex_api.links.values()
        intent = airwallex_api.pay_link(link["id"])  # the webhook never arrives
        reconcile = container.reconcile_payments()
        assert reconcile is not None
        first = await reconcile()
        paid = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()
        again = await reconcile()
        # The webhook arrives late after all: the payment is applied once.
        body = webhook("payment_intent.succeeded", intent, event_id="evt_late")
        late = await client.post("/webhooks/airwallex", content=body, headers=signed_headers(body))
        airwallex_api.refund_in_web_app(intent["id"], 85.0)  # its webhook is lost too
        refunded = await reconcile()
        read = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()
    assert (first, again, refunded) == (1, 0, 1)
    assert (paid["status"], paid["payment_status"]) == ("confirmed", "paid")
    assert late.json() == {"outcome": "applied"}
    assert (read["status"], read["payment_status"]) == ("cancelled", "refunded")
