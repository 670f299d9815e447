"""Odoo, complete (DESIGN §3): a booking with an extension and a partial refund ends, in the fake Odoo, with
exactly one partner (with its phone), one invoice and its payment, one supplementary invoice and its
payment, and one credit note of the refunded amount, with a fault injected on every step and an answer
lost after Odoo acted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from adapters.memory.clock import FixedClock
from adapters.providers.odoo import client as odoo_client
from entrypoints.container import Container
from tests.http.test_extensions import NOW, START, approve, propose
from tests.http.test_payment_ledger import refund
from tests.http.test_stripe_webhooks import post
from tests.support.app import running_app
from tests.support.fake_stripe import SECRET, FakeStripe, event, fake_stripe
from tests.support.odoo import DB, LOGIN, PASSWORD, FakeOdoo, fake_odoo

STEPS = [
    ("res.partner", "search_read"),
    ("res.partner", "create"),
    ("account.move", "search"),
    ("account.move", "create"),
    ("account.move", "action_post"),
    ("account.payment.register", "create"),
    ("account.payment.register", "action_create_payments"),
]


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


def settings(stripe: FakeStripe, odoo: FakeOdoo) -> dict[str, Any]:
    return {
        "stripe_secret_key": "sk_test_fake",
        "stripe_webhook_secret": SECRET,
        "stripe_api_base": stripe.base,
        "odoo_url": odoo.url,
        "odoo_db": DB,
        "odoo_username": LOGIN,
        "odoo_password": PASSWORD,
        "max_attempts_odoo": 20,
    }


async def drain(container: Container, clock: FixedClock) -> list[str]:
    """Deliver until nothing is due, an hour apart (past every retry's backoff)."""
    delivered: list[str] = []
    for _ in range(20):
        results = await container.deliver_outbox()()
        delivered += [f"{r.topic} {r.outcome}" for r in results]
        if not results:
            return delivered
        clock.advance(timedelta(hours=1))
    raise AssertionError("the outbox never drained")


async def test_a_booking_with_an_extension_and_a_partial_refund_is_in_odoo_exactly_once(
    database_url: str, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(odoo_client, "TIMEOUT_SECONDS", 0.5)
    clock = FixedClock(NOW)
    with fake_odoo() as odoo:
        for step in STEPS:
            odoo.fail[step] = 1
        odoo.slow[("account.move", "create")] = 1  # Odoo made the invoice; its answer came too late
        odoo.delay = 1.0
        async with running_app(database_url, clock=clock, **settings(stripe_api, odoo)) as (
            client,
            container,
        ):
            customer = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+33600000000"}
            body = {"offering_id": "van-transfer", "start": START.isoformat(), "customer": customer}
            created = (await client.post("/v1/bookings", json=body)).json()
            booking, token = created["booking_id"], created["booking_token"]
            intent = {
                "id": "pi_1",
                "object": "payment_intent",
                "amount": 8500,
                "amount_received": 8500,
                "currency": "eur",
                "metadata": {"booking_id": booking},
                "status": "succeeded",
                "payment_method": "pm_card_1",
            }
            assert (
                await post(client, event("payment_intent.succeeded", intent, event_id="evt_1"))
            ).json() == {"outcome": "applied"}
            extension = (await propose(client, booking)).json()["extension_id"]
            approved = await approve(client, booking, extension, token)
            assert approved.json()["status"] == "paid", approved.text
            partial = event("refund.created", refund("re_1", 2000), event_id="evt_r1")
            assert (await post(client, partial)).json() == {"outcome": "applied"}
            delivered = await drain(container, clock)
            read = (
                await client.get(f"/v1/bookings/{booking}", headers={"Authorization": f"Bearer {token}"})
            ).json()
    partners = odoo.records("res.partner")
    moves = odoo.records("account.move")
    invoices = [m for m in moves if m["move_type"] == "out_invoice"]
    notes = [m for m in moves if m["move_type"] == "out_refund"]
    assert [(p["email"], p["phone"]) for p in partners] == [("ada@example.com", "+33600000000")]
    assert sorted((m["ref"], m["amount_total"], m["payment_state"], m["state"]) for m in invoices) == [
        (booking, 85.0, "paid", "posted"),
        (f"{booking}:extension:{extension}", 120.0, "paid", "posted"),
    ]
    assert [(n["ref"], n["amount_total"], n["state"]) for n in notes] == [
        (f"{booking}:refund:stripe:re_1", 20.0, "posted")
    ]
    assert notes[0]["reversed_entry_id"] == next(m["id"] for m in invoices if m["ref"] == booking)
    assert len(odoo.records("account.payment")) == 2
    assert {m["partner_id"] for m in moves} == {partners[0]["id"]}
    assert all(count == 0 for count in odoo.fail.values())  # every fault was met, and retried past
    assert odoo.slow[("account.move", "create")] == 0
    assert "odoo.booking_created delivered" in delivered
    assert read["payment_status"] == "partially_refunded"
