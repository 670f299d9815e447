"""Stripe and Airwallex configured together: both live, a booking chooses with `payment_provider` (else
its offering's, else Stripe), each is paid by its own signed webhook, and its refund goes to the provider
that took the money."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.memory.clock import FixedClock
from entrypoints.container import Container
from tests.http.test_stripe_webhooks import NOW, START
from tests.support.app import ADMIN_KEY, CATALOG, running_app
from tests.support.fake_airwallex import (
    FakeAirwallex,
    airwallex_settings,
    fake_airwallex,
    signed_headers,
    webhook,
)
from tests.support.fake_stripe import SECRET, FakeStripe, event, fake_stripe, sign
from tests.support.fake_stripe import payment_intent as intent

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
EVERY = "stripe, stripe_payment_intent, airwallex, airwallex_payment_intent"


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


@pytest.fixture
def airwallex_api() -> Iterator[FakeAirwallex]:
    with fake_airwallex() as fake:
        yield fake


@asynccontextmanager
async def both(
    database_url: str, stripe: FakeStripe, airwallex: FakeAirwallex, catalog: Path = CATALOG, **more: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    async with running_app(
        database_url,
        clock=FixedClock(NOW),
        catalog=catalog,
        stripe_secret_key="sk_test_fake",
        stripe_webhook_secret=SECRET,
        stripe_api_base=stripe.base,
        **airwallex_settings(airwallex),
        **more,
    ) as app:
        yield app


async def book(client: httpx.AsyncClient, email: str, **fields: Any) -> httpx.Response:
    customer = {"name": "Ada Lovelace", "email": email}
    body = {"offering_id": "van-transfer", "start": START.isoformat(), "customer": customer, **fields}
    return await client.post("/v1/bookings", json=body)


async def stripe_webhook(client: httpx.AsyncClient, body: bytes) -> str:
    headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
    return str((await client.post("/webhooks/stripe", content=body, headers=headers)).json()["outcome"])


async def airwallex_webhook(client: httpx.AsyncClient, body: bytes) -> str:
    answer = await client.post("/webhooks/airwallex", content=body, headers=signed_headers(body))
    return str(answer.json()["outcome"])


async def test_a_booking_per_provider_each_paid_by_its_own_webhook_and_refunded_where_it_was_paid(
    database_url: str, stripe_api: FakeStripe, airwallex_api: FakeAirwallex
) -> None:
    async with both(database_url, stripe_api, airwallex_api) as (client, container):
        by_default = (await book(client, "ada@example.com")).json()
        START_LATER = {"start": START.replace(hour=12).isoformat()}
        at_airwallex = await book(
            client, "bob@example.com", payment_provider="airwallex_payment_intent", **START_LATER
        )
        assert at_airwallex.status_code == 201, at_airwallex.text
        air = at_airwallex.json()
        paid_s = await stripe_webhook(
            client, event("payment_intent.succeeded", intent(by_default["booking_id"]), event_id="evt_s")
        )
        obj = {"id": "int_1", "amount": 85, "currency": "EUR", "metadata": {"booking_id": air["booking_id"]}}
        paid_a = await airwallex_webhook(client, webhook("payment_intent.succeeded", obj, event_id="evt_a"))
        again_a = await airwallex_webhook(client, webhook("payment_intent.succeeded", obj, event_id="evt_a"))
        reads = [
            (await client.get(f"/v1/bookings/{b['booking_id']}", headers=ADMIN)).json()
            for b in (by_default, air)
        ]
        for b in (by_default, air):
            cancelled = await client.post(f"/v1/bookings/{b['booking_id']}/cancel", headers=ADMIN)
            assert cancelled.status_code == 200, cancelled.text
        delivered = sorted(f"{d.topic} {d.outcome}" for d in await container.deliver_outbox()())
        health = (await client.get("/health")).json()
    assert by_default["payment"]["provider"] == "stripe"
    assert by_default["payment"]["url"].startswith("https://checkout.stripe")
    assert air["payment"] == {"provider": "airwallex", "url": None, "client_secret": "secret_int_1"}
    assert (paid_s, paid_a, again_a) == ("applied", "applied", "duplicate")
    assert [(r["status"], r["payment_status"]) for r in reads] == [("confirmed", "paid")] * 2
    assert "stripe.refund delivered" in delivered
    assert "airwallex.refund delivered" in delivered
    assert [r["payment_intent"] for r in stripe_api.created("refund")] == ["pi_1"]
    assert [r["payment_intent_id"] for r in airwallex_api.created("/api/v1/pa/refunds/create")] == ["int_1"]
    assert (health["integrations"]["stripe"], health["integrations"]["airwallex"]) == (
        "connected",
        "connected",
    )


async def test_a_provider_that_is_not_configured_is_a_422_naming_those_that_are(
    database_url: str, stripe_api: FakeStripe, airwallex_api: FakeAirwallex
) -> None:
    async with both(database_url, stripe_api, airwallex_api) as (client, _):
        refused = await book(client, "ada@example.com", payment_provider="sandbox")
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_request")
    assert refused.json()["fields"]["payment_provider"] == f"not configured; one of: {EVERY}"


async def test_an_offering_names_its_own_default_provider(
    database_url: str, stripe_api: FakeStripe, airwallex_api: FakeAirwallex, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.toml"
    text = CATALOG.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace(
            'id = "van-transfer"\n', 'id = "van-transfer"\npayment_provider = "airwallex_payment_intent"\n', 1
        ),
        encoding="utf-8",
    )
    async with both(database_url, stripe_api, airwallex_api, catalog=catalog) as (client, _):
        created = (await book(client, "ada@example.com")).json()
        chosen = (
            await book(
                client,
                "bob@example.com",
                payment_provider="stripe_payment_intent",
                start=START.replace(hour=12).isoformat(),
            )
        ).json()
    assert created["payment"]["client_secret"] == "secret_int_1"
    assert chosen["payment"]["provider"] == "stripe"
    assert chosen["payment"]["client_secret"]
