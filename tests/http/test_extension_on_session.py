"""Extensions paid on-session: the customer whose off-session charge was refused (or who never approved
one) pays at a Stripe Checkout Session opened through the real SDK against the fake Stripe, and the
signed `checkout.session.completed` pays the extension, once."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import sqlalchemy as sa

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from adapters.providers.stripe.webhook import StripeWebhook
from application.payments.commands import EventIgnored, ExtensionPaid
from entrypoints.container import Container
from tests.http.test_extensions import (
    NOW,
    approve,
    book,
    charges,
    decline,
    paid_booking,
    propose,
    stored_status,
    stripe_api,
    topics,
)
from tests.support.app import ADMIN_KEY, running_app, stripe_app
from tests.support.fake_stripe import SECRET, FakeStripe, event, sign

__all__ = ["stripe_api"]  # the fixture, shared with the off-session tests


async def pay(client: httpx.AsyncClient, booking: str, extension: str, token: str) -> httpx.Response:
    return await client.post(
        f"/v1/bookings/{booking}/extensions/{extension}/pay",
        headers={"Authorization": f"Bearer {token}"},
    )


def sessions(fake: FakeStripe) -> list[dict[str, Any]]:
    """The Checkout Sessions opened for extensions (not the booking's own)."""
    return [s for s in fake.created("checkout.session") if "extension_id" in s["metadata"]]


def completed(
    booking: str, extension: str, session: str, *, amount: int = 12000, pi: str = "pi_checkout"
) -> dict[str, Any]:
    """The paid Checkout Session of an extension, as `checkout.session.completed` carries it."""
    return {
        "id": session,
        "object": "checkout.session",
        "client_reference_id": booking,
        "metadata": {"booking_id": booking, "extension_id": extension},
        "payment_status": "paid",
        "status": "complete",
        "payment_intent": pi,
        "amount_total": amount,
        "currency": "eur",
    }


async def deliver(client: httpx.AsyncClient, kind: str, obj: dict[str, Any], *, event_id: str) -> str:
    body = event(kind, obj, event_id=event_id)
    headers = {"content-type": "application/json", "stripe-signature": sign(body, SECRET)}
    response = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["outcome"])


async def refunds(container: Container) -> list[tuple[str, dict[str, Any]]]:
    o = t.outbox_messages.c
    async with container.database().engine.connect() as c:
        query = sa.select(o.idempotency_key, o.payload).where(o.topic == "stripe.refund")
        return [(row.idempotency_key, row.payload) for row in await c.execute(query)]


async def booking_state(client: httpx.AsyncClient, booking: str) -> tuple[str, str, str | None]:
    read = (
        await client.get(f"/v1/bookings/{booking}", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    ).json()
    return read["status"], read["payment_status"], read["references"].get("stripe_payment_intent")


async def test_paying_an_extension_opens_one_checkout_session_of_its_amount_naming_the_booking_and_it(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        first = await pay(client, booking, extension, token)
        again = await pay(client, booking, extension, token)
        status = await stored_status(container, extension)
    assert first.status_code == 200, first.text
    body = first.json()
    [session] = sessions(stripe_api)  # the repeat got the same session back: one object at Stripe
    assert body["payment"] == {"provider": "stripe", "url": session["url"], "client_secret": None}
    assert again.json() == body
    assert (body["extension"]["extension_id"], body["extension"]["status"]) == (extension, "proposed")
    assert status == "proposed"  # it stays as it is until Stripe says it was paid
    form = session["form"]
    [customer] = stripe_api.created("customer")
    assert (form["mode"], form["client_reference_id"], form["customer"]) == (
        "payment",
        booking,
        customer["id"],
    )
    assert form["line_items[0][price_data][unit_amount]"] == "12000"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][price_data][product_data][name]"] == "Extension: New brake pads"
    assert form["line_items[0][quantity]"] == "1"
    assert session["metadata"] == {"booking_id": booking, "extension_id": extension}
    assert form["payment_intent_data[metadata][booking_id]"] == booking
    assert form["payment_intent_data[metadata][extension_id]"] == extension
    assert "payment_intent_data[setup_future_usage]" not in form
    assert form["success_url"].startswith("https://shop.example/booked?booking_id=")
    assert f"extension_id={extension}" in form["success_url"]
    assert form["cancel_url"].endswith("checkout=cancelled")
    keys = [r.headers["idempotency-key"] for r in stripe_api.requests if r.path == "/v1/checkout/sessions"]
    assert keys[-2:] == [f"extension:{extension}:session:0"] * 2
    assert charges(stripe_api) == []  # nothing was charged off-session


async def test_the_signed_checkout_completed_pays_the_extension_once_for_twenty_concurrent_deliveries(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        await pay(client, booking, extension, token)
        [session] = sessions(stripe_api)
        obj = completed(booking, extension, session["id"])
        outcomes = await asyncio.gather(
            *(deliver(client, "checkout.session.completed", obj, event_id="evt_ext_paid") for _ in range(20))
        )
        # The session's PaymentIntent reports its own success too: the same payment, nothing more.
        intent = {
            "id": "pi_checkout",
            "object": "payment_intent",
            "amount": 12000,
            "amount_received": 12000,
            "currency": "eur",
            "metadata": {"booking_id": booking, "extension_id": extension},
            "status": "succeeded",
        }
        its_intent = await deliver(client, "payment_intent.succeeded", intent, event_id="evt_ext_pi")
        status = await stored_status(container, extension)
        after = await pay(client, booking, extension, token)
        approved = await approve(client, booking, extension, token)
        state = await booking_state(client, booking)
        returned = await refunds(container)
        async with container.database().engine.connect() as c:
            i = t.inbound_events.c
            query = sa.select(sa.func.count()).where(i.event_id == "evt_ext_paid")
            recorded = (await c.execute(query)).scalar_one()
    assert sorted(outcomes) == ["applied"] + ["duplicate"] * 19
    assert its_intent == "applied"
    assert (status, recorded) == ("paid", 1)
    assert (after.status_code, after.json()["payment"], after.json()["extension"]["status"]) == (
        200,
        None,
        "paid",
    )
    assert (approved.status_code, approved.json()["status"]) == (200, "paid")
    assert charges(stripe_api) == []  # approving a paid extension charges nothing
    assert len(sessions(stripe_api)) == 1
    assert state == ("confirmed", "paid", "pi_first")  # the booking's own payment is untouched
    assert returned == []


async def test_a_checkout_of_another_amount_is_recorded_and_changes_nothing(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        await pay(client, booking, extension, token)
        [session] = sessions(stripe_api)
        obj = completed(booking, extension, session["id"], amount=100)
        outcome = await deliver(client, "checkout.session.completed", obj, event_id="evt_ext_short")
        repeat = await deliver(client, "checkout.session.completed", obj, event_id="evt_ext_short")
        status = await stored_status(container, extension)
        state = await booking_state(client, booking)
    assert (outcome, repeat) == ("amount_mismatch", "duplicate")
    assert status == "proposed"
    assert state == ("confirmed", "paid", "pi_first")


async def test_a_customer_refused_with_authentication_required_pays_on_session_and_the_extension_is_paid(
    database_url: str, stripe_api: FakeStripe
) -> None:
    stripe_api.card_errors = ["authentication_required"]
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        refused = await approve(client, booking, extension, token)
        paying = await pay(client, booking, extension, token)
        [session] = sessions(stripe_api)
        obj = completed(booking, extension, session["id"])
        outcome = await deliver(client, "checkout.session.completed", obj, event_id="evt_ext_auth")
        status = await stored_status(container, extension)
        # The refused off-session PaymentIntent's failure event is recorded and ignored.
        failed = {"id": charges(stripe_api)[0]["id"], "object": "payment_intent", "status": "requires_action"}
        failed["metadata"] = {"booking_id": booking, "extension_id": extension}
        ignored = await deliver(client, "payment_intent.payment_failed", failed, event_id="evt_ext_fail")
        state = await booking_state(client, booking)
    assert refused.status_code == 402, refused.text
    assert refused.json()["detail"].startswith("authentication_required")
    assert "/pay" in refused.json()["detail"]  # the reason says where the customer goes
    assert paying.status_code == 200, paying.text
    assert (paying.json()["extension"]["status"], paying.json()["payment"]["url"]) == (
        "failed",
        session["url"],
    )
    keys = [r.headers["idempotency-key"] for r in stripe_api.requests if r.path == "/v1/checkout/sessions"]
    assert keys[-1] == f"extension:{extension}:session:1"  # the session of the refused attempt
    assert (outcome, status, ignored) == ("applied", "paid", "ignored")
    assert state == ("confirmed", "paid", "pi_first")


async def test_a_second_payment_for_a_paid_extension_is_refunded_on_its_own(
    database_url: str, stripe_api: FakeStripe
) -> None:
    """Two checkouts of one extension both paid (opened for two attempts): the first pays it, the second
    goes back (a refund of that PaymentIntent alone); the booking's own payment is untouched."""
    stripe_api.card_errors = ["card_declined"]
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        await pay(client, booking, extension, token)  # attempt 0's session
        await approve(client, booking, extension, token)  # refused: failed
        await pay(client, booking, extension, token)  # attempt 1's session
        first, second = sessions(stripe_api)
        paid = await deliver(
            client,
            "checkout.session.completed",
            completed(booking, extension, first["id"], pi="pi_a"),
            event_id="e1",
        )
        again = await deliver(
            client,
            "checkout.session.completed",
            completed(booking, extension, second["id"], pi="pi_b"),
            event_id="e2",
        )
        status = await stored_status(container, extension)
        returned = await refunds(container)
        state = await booking_state(client, booking)
    assert (paid, again, status) == ("applied", "refund_requested", "paid")
    assert returned == [(f"refund:{booking}:stripe:pi_b", {"payment_ref": "pi_b"})]
    assert state == ("confirmed", "paid", "pi_first")


async def test_paying_a_declined_extension_is_409_and_opens_nothing(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        await decline(client, booking, extension, token)
        response = await pay(client, booking, extension, token)
        status = await stored_status(container, extension)
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    assert status == "declined"
    assert sessions(stripe_api) == []


async def test_paying_an_extension_of_a_cancelled_booking_is_409_and_opens_nothing(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        cancelled = await client.post(
            f"/v1/bookings/{booking}/cancel", headers={"Authorization": f"Bearer {token}"}
        )
        assert cancelled.status_code == 200, cancelled.text
        response = await pay(client, booking, extension, token)
    assert (response.status_code, response.json()["code"]) == (409, "extension_not_allowed")
    assert sessions(stripe_api) == []


async def test_a_checkout_paid_after_the_booking_was_cancelled_is_refunded_and_pays_nothing(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        await pay(client, booking, extension, token)  # the session is open...
        [session] = sessions(stripe_api)
        cancelled = await client.post(
            f"/v1/bookings/{booking}/cancel", headers={"Authorization": f"Bearer {token}"}
        )
        assert cancelled.status_code == 200, cancelled.text
        obj = completed(booking, extension, session["id"], pi="pi_late")  # ...and paid after the cancel
        outcome = await deliver(client, "checkout.session.completed", obj, event_id="evt_late")
        status = await stored_status(container, extension)
        returned = [key for key, _ in await refunds(container)]
    assert (outcome, status) == ("refund_requested", "proposed")
    assert f"refund:{booking}:stripe:pi_late" in returned


async def test_cancelling_a_booking_refunds_its_paid_extensions_too_once(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        await pay(client, booking, extension, token)
        [session] = sessions(stripe_api)
        obj = completed(booking, extension, session["id"], pi="pi_extra")
        assert await deliver(client, "checkout.session.completed", obj, event_id="evt_extra") == "applied"
        for _ in range(2):  # cancelling again asks for nothing more
            cancelled = await client.post(
                f"/v1/bookings/{booking}/cancel", headers={"Authorization": f"Bearer {token}"}
            )
            assert cancelled.status_code == 200, cancelled.text
        returned = sorted(key for key, _ in await refunds(container))
    assert returned == [f"refund:{booking}:stripe", f"refund:{booking}:stripe:pi_extra"]


@pytest.mark.parametrize("credential", ["not-the-token", ADMIN_KEY])
async def test_paying_with_a_wrong_token_is_the_same_404_and_opens_nothing(
    database_url: str, stripe_api: FakeStripe, credential: str
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking, token = await paid_booking(client)
        extension = (await propose(client, booking)).json()["extension_id"]
        wrong = await pay(client, booking, extension, credential)
        unknown = await pay(client, booking, "00000000-0000-4000-8000-000000000000", token)
        status = await stored_status(container, extension)
    assert (wrong.status_code, wrong.json()["code"]) == (404, "not_found")
    assert wrong.text == unknown.text
    assert status == "proposed"
    assert sessions(stripe_api) == []


async def test_in_sandbox_mode_paying_an_extension_pays_it_at_once(database_url: str) -> None:
    async with running_app(database_url, clock=FixedClock(NOW)) as (client, container):
        created = await book(client)
        booking, token = created["booking_id"], created["booking_token"]
        await client.post(f"/sandbox/checkout/{booking}", data={"outcome": "pay"})
        extension = (await propose(client, booking)).json()["extension_id"]
        paid = await pay(client, booking, extension, token)
        again = await pay(client, booking, extension, token)
        sent = await topics(container)
    assert paid.status_code == 200, paid.text
    assert (paid.json()["extension"]["status"], paid.json()["payment"]) == ("paid", None)
    assert again.json() == paid.json()
    assert "sandbox.refund" not in sent


@pytest.mark.parametrize(
    ("kind", "paid_as"),
    [
        ("checkout.session.completed", "pi_checkout"),
        ("checkout.session.async_payment_succeeded", "pi_checkout"),
        ("payment_intent.succeeded", "pi_off"),
        ("checkout.session.completed:unpaid", None),
        ("checkout.session.async_payment_failed", None),
        ("payment_intent.payment_failed", None),
        ("charge.refunded", None),
    ],
)
def test_only_a_successful_payment_of_an_extension_becomes_its_payment_and_none_touches_the_booking(
    kind: str, paid_as: str | None
) -> None:
    booking, extension = str(uuid4()), uuid4()
    kind, _, unpaid = kind.partition(":")
    metadata = {"booking_id": booking, "extension_id": str(extension)}
    if kind.startswith("checkout."):
        obj = completed(booking, str(extension), "cs_1")
        obj["payment_status"] = "unpaid" if unpaid else "paid"
    elif kind == "charge.refunded":
        obj = {"id": "ch_1", "amount_refunded": 12000, "payment_intent": "pi_off", "metadata": metadata}
    else:
        obj = {
            "id": "pi_off",
            "amount": 12000,
            "amount_received": 12000,
            "currency": "eur",
            "metadata": metadata,
        }
    body = event(kind, obj, event_id="evt_1")
    parsed = StripeWebhook(SECRET).parse(body, {"stripe-signature": sign(body, SECRET)})
    if paid_as is None:
        assert parsed == EventIgnored("stripe", "evt_1", kind)
    else:
        assert parsed == ExtensionPaid(
            "stripe", "evt_1", UUID(booking), extension, 12000, "eur", paid_as, kind
        )
