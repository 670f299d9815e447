"""The payments ledger: every charge and refund a provider reports is one row, written with the event that
reports it; replays and repeats never double it. A refund made in the provider's dashboard finds its
booking through the ledger: a full one cancels the booking and frees its slot, a partial one leaves it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from entrypoints.container import Container
from tests.http.test_stripe_webhooks import NOW, START, book, post, session, state
from tests.support.app import stripe_app
from tests.support.fake_stripe import FakeStripe, charge, event, fake_stripe
from tests.support.fake_stripe import payment_intent as intent
from tests.support.statements import statements_sent


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


def refund(refund_id: str, amount: int, *, booking: str | None = None, pi: str = "pi_1") -> dict[str, Any]:
    """A succeeded Refund as `refund.*` events carry it; one made in the dashboard has no metadata."""
    metadata = {"booking_id": booking} if booking else {}
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": "eur",
        "payment_intent": pi,
        "charge": "ch_1",
        "status": "succeeded",
        "metadata": metadata,
    }


async def ledger(container: Container) -> list[tuple[str, str, str, int, str | None]]:
    p = t.payment_ledger.c
    async with container.database().engine.connect() as c:
        rows = await c.execute(
            sa.select(p.kind, p.provider, p.provider_ref, p.amount_cents, p.payment_ref).order_by(p.id)
        )
        return [(r.kind, r.provider, r.provider_ref, r.amount_cents, r.payment_ref) for r in rows]


async def test_a_payment_is_one_ledger_row_however_often_and_by_whichever_event_it_is_reported(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        body = event("payment_intent.succeeded", intent(booking), event_id="evt_1")
        assert (await post(client, body)).json() == {"outcome": "applied"}
        assert (await post(client, body)).json() == {"outcome": "duplicate"}
        other = event("checkout.session.completed", session(booking), event_id="evt_2")
        assert (await post(client, other)).json() == {"outcome": "applied"}
        rows = await ledger(container)
    assert rows == [("charge", "stripe", "pi_1", 8500, "pi_1")]


async def test_a_full_refund_made_in_the_dashboard_cancels_the_booking_and_frees_its_slot(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        await post(client, event("payment_intent.succeeded", intent(booking), event_id="evt_1"))
        outcome = await post(client, event("refund.created", refund("re_1", 8500), event_id="evt_r"))
        again = await post(client, event("refund.updated", refund("re_1", 8500), event_id="evt_r2"))
        total = await post(client, event("charge.refunded", charge(booking), event_id="evt_c"))
        after = await state(client, booking)
        rows = await ledger(container)
        topics = await _topics(container)
        # The slot is free again: the one van takes another booking at that time, and no third.
        taken = [(await _book_status(client, f"x{i}@example.com")) for i in range(2)]
    assert outcome.json() == {"outcome": "applied"}
    assert again.json() == {"outcome": "applied"}
    assert total.json() == {"outcome": "applied"}
    assert after == ("cancelled", "refunded")
    assert rows == [("charge", "stripe", "pi_1", 8500, "pi_1"), ("refund", "stripe", "re_1", 8500, "pi_1")]
    assert "stripe.refund" not in topics  # the money is back already: nothing more is asked for
    assert taken == [201, 409]


async def test_a_partial_refund_made_in_the_dashboard_leaves_the_booking_and_two_make_it_whole(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        await post(client, event("payment_intent.succeeded", intent(booking), event_id="evt_1"))
        await post(client, event("refund.created", refund("re_1", 2000), event_id="evt_r1"))
        partly = await state(client, booking)
        await post(client, event("refund.created", refund("re_2", 6500), event_id="evt_r2"))
        whole = await state(client, booking)
        rows = await ledger(container)
    assert partly == ("confirmed", "partially_refunded")
    assert whole == ("cancelled", "refunded")
    assert [r[2:4] for r in rows] == [("pi_1", 8500), ("re_1", 2000), ("re_2", 6500)]


async def test_a_refund_of_a_payment_the_hub_never_took_is_recorded_and_ignored(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        answer = await post(client, event("refund.created", refund("re_9", 500, pi="pi_9"), event_id="evt_9"))
        rows = await ledger(container)
    assert answer.json() == {"outcome": "ignored"}
    assert rows == []


@pytest.mark.postgres
async def test_the_ledger_row_rides_in_the_payment_events_one_statement(
    postgres_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(postgres_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        async with statements_sent(container.database().engine) as statements:
            await post(client, event("payment_intent.succeeded", intent(booking), event_id="evt_1"))
        rows = await ledger(container)
    assert [s.split()[0] for s in statements] == ["SELECT", "WITH"]
    assert "INSERT INTO payment_ledger" in statements[1]
    assert rows == [("charge", "stripe", "pi_1", 8500, "pi_1")]


async def _topics(container: Container) -> list[str]:
    async with container.database().engine.connect() as c:
        return list((await c.execute(sa.select(t.outbox_messages.c.topic))).scalars())


async def _book_status(client: httpx.AsyncClient, email: str) -> int:
    customer = {"name": "Bo", "email": email}
    body = {"offering_id": "van-transfer", "start": START.isoformat(), "customer": customer}
    return (await client.post("/v1/bookings", json=body)).status_code
