"""POST /webhooks/stripe end to end: signed like Stripe signs, applied once, in any order."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from entrypoints.container import Container
from tests.support.app import ADMIN_KEY, CATALOG, stripe_app
from tests.support.fake_stripe import SECRET, FakeStripe, charge, event, fake_stripe, sign
from tests.support.fake_stripe import payment_intent as intent
from tests.support.statements import statements_sent

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=2)).replace(hour=8, minute=0, second=0)
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with fake_stripe() as fake:
        yield fake


def session(booking: str, payment_status: str = "paid") -> dict[str, Any]:
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "client_reference_id": booking,
        "metadata": {"booking_id": booking},
        "payment_status": payment_status,
        "payment_intent": "pi_1",
        "payment_link": None,
        "amount_total": 8500,
        "currency": "eur",
    }


async def post(client: httpx.AsyncClient, body: bytes, signature: str | None = "sign") -> httpx.Response:
    headers = {"content-type": "application/json; charset=utf-8"}
    if signature is not None:
        headers["stripe-signature"] = sign(body, SECRET) if signature == "sign" else signature
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def book(client: httpx.AsyncClient, email: str = "ada@example.com") -> dict[str, Any]:
    customer = {"name": "Ada", "email": email}
    body = {"offering_id": "van-transfer", "start": START.isoformat(), "customer": customer}
    response = await client.post("/v1/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def state(client: httpx.AsyncClient, booking: str) -> tuple[str, str]:
    body = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()
    return body["status"], body["payment_status"]


async def topics(container: Container) -> list[str]:
    async with container.database().engine.connect() as c:
        rows = await c.execute(sa.select(t.outbox_messages.c.topic).order_by(t.outbox_messages.c.id))
        return [r.topic for r in rows]


async def inbound(container: Container) -> list[tuple[str, str]]:
    async with container.database().engine.connect() as c:
        rows = await c.execute(sa.select(t.inbound_events.c.event_id, t.inbound_events.c.event_type))
        return [(r.event_id, r.event_type) for r in rows]


async def test_a_signed_payment_intent_success_confirms_the_booking(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        response = await post(client, event("payment_intent.succeeded", intent(booking), event_id="evt_1"))
        assert (response.status_code, response.json()) == (200, {"outcome": "applied"})
        assert await state(client, booking) == ("confirmed", "paid")
        assert await inbound(container) == [("evt_1", "payment_intent.succeeded")]
        refs = (await client.get(f"/v1/bookings/{booking}", headers=ADMIN)).json()["references"]
        assert refs["stripe_payment_intent"] == "pi_1"


async def test_the_same_event_posted_20_times_at_once_confirms_once_and_writes_one_erp_message(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        body = event("payment_intent.succeeded", intent(booking), event_id="evt_dup")
        signature = sign(body, SECRET)
        responses = await asyncio.gather(*(post(client, body, signature) for _ in range(20)))
        assert [r.status_code for r in responses] == [200] * 20
        outcomes = sorted(r.json()["outcome"] for r in responses)
        assert outcomes == ["applied"] + ["duplicate"] * 19
        assert (await topics(container)).count("erp.booking_confirmed") == 1
        assert await state(client, booking) == ("confirmed", "paid")
        assert len(await inbound(container)) == 1


@pytest.mark.parametrize(
    "forgery",
    ["unsigned", "wrong secret", "garbage header", "stale timestamp", "body altered", "not utf-8"],
)
async def test_a_post_stripe_did_not_sign_is_400_and_changes_nothing(
    database_url: str, stripe_api: FakeStripe, forgery: str
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        body = event("payment_intent.succeeded", intent(booking), event_id="evt_forged")
        signature: str | None = sign(body, SECRET)
        if forgery == "unsigned":
            signature = None
        elif forgery == "wrong secret":
            signature = sign(body, "whsec_someone_else")
        elif forgery == "garbage header":
            signature = "t=abc,v1=zz"
        elif forgery == "stale timestamp":
            signature = sign(body, SECRET, timestamp=int(time.time()) - 301)
        elif forgery == "body altered":
            body = body.replace(b'"amount": 8500', b'"amount": 8501')
        elif forgery == "not utf-8":
            body = b"\xff" + body
        response = await post(client, body, signature)
        assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
        assert await state(client, booking) == ("pending_payment", "pending")
        assert await inbound(container) == []
        assert "erp.booking_confirmed" not in await topics(container)


async def test_an_event_type_we_do_not_handle_is_recorded_and_answered_200(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        unpaid = event("checkout.session.completed", session(booking, "unpaid"), event_id="evt_unpaid")
        other = event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_other")
        answers = [await post(client, unpaid), await post(client, other)]
        assert [(r.status_code, r.json()["outcome"]) for r in answers] == [(200, "ignored")] * 2
        assert await state(client, booking) == ("pending_payment", "pending")
        assert sorted(await inbound(container)) == [
            ("evt_other", "customer.created"),
            ("evt_unpaid", "checkout.session.completed"),
        ]


async def test_a_paid_checkout_session_confirms_and_its_payment_intent_event_changes_nothing_more(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        await post(client, event("checkout.session.completed", session(booking), event_id="evt_cs"))
        await post(client, event("payment_intent.succeeded", intent(booking), event_id="evt_pi"))
        assert await state(client, booking) == ("confirmed", "paid")
        assert (await topics(container)).count("erp.booking_confirmed") == 1


@pytest.mark.parametrize("order", ["in order", "refund first"])
async def test_a_refund_and_its_success_end_the_same_in_either_order(
    database_url: str, stripe_api: FakeStripe, order: str
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        booking = (await book(client))["booking_id"]
        events = [
            event("payment_intent.succeeded", intent(booking), event_id="evt_pi"),
            event("charge.refunded", charge(booking), event_id="evt_ch"),
        ]
        for body in events if order == "in order" else events[::-1]:
            assert (await post(client, body)).status_code == 200
        assert await state(client, booking) == ("cancelled", "refunded")


async def test_a_failure_success_and_refund_posted_at_once_and_repeated_end_refunded_once(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        failed = intent(booking, status="requires_payment_method")
        bodies = [
            event("payment_intent.payment_failed", failed, event_id="evt_f"),
            event("payment_intent.succeeded", intent(booking), event_id="evt_pi"),
            event("charge.refunded", charge(booking), event_id="evt_ch"),
        ]
        responses = await asyncio.gather(*(post(client, body) for _ in range(8) for body in bodies))
        assert {r.status_code for r in responses} == {200}
        assert await state(client, booking) == ("cancelled", "refunded")
        assert sorted(e for e, _ in await inbound(container)) == ["evt_ch", "evt_f", "evt_pi"]
        assert (await topics(container)).count("erp.booking_confirmed") <= 1


async def test_a_partial_refund_leaves_the_booking_confirmed_and_partially_refunded(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        booking = (await book(client))["booking_id"]
        await post(client, event("payment_intent.succeeded", intent(booking), event_id="evt_pi"))
        await post(client, event("charge.refunded", charge(booking, refunded=1000), event_id="evt_ch"))
        assert await state(client, booking) == ("confirmed", "partially_refunded")


async def test_a_failed_payment_keeps_the_hold_and_the_booking_can_still_be_paid(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, _):
        booking = (await book(client))["booking_id"]
        failed = intent(booking, status="requires_payment_method")
        await post(client, event("payment_intent.payment_failed", failed, event_id="evt_f"))
        assert await state(client, booking) == ("pending_payment", "failed")
        await post(client, event("payment_intent.succeeded", intent(booking), event_id="evt_s"))
        assert await state(client, booking) == ("confirmed", "paid")


async def test_a_late_payment_into_a_taken_slot_cancels_the_booking_and_refunds_it_once(
    database_url: str, stripe_api: FakeStripe
) -> None:
    clock = FixedClock(NOW)
    async with stripe_app(database_url, stripe_api, clock=clock) as (client, container):
        late = (await book(client))["booking_id"]
        clock.advance(timedelta(minutes=31))
        other = await book(client, email="grace@example.com")  # the van again: the first hold ran out
        assert other["resource_id"] is not None
        body = event("payment_intent.succeeded", intent(late, "pi_late"), event_id="evt_late")
        response = await post(client, body)
        again = await post(client, body)
        assert (response.json(), again.json()) == ({"outcome": "refund_requested"}, {"outcome": "duplicate"})
        assert await state(client, late) == ("cancelled", "paid")
        assert await state(client, other["booking_id"]) == ("pending_payment", "pending")
        assert "erp.booking_confirmed" not in await topics(container)

        await container.deliver_outbox()()
        await container.deliver_outbox()()
        [refund] = stripe_api.created("refund")
        assert refund["form"]["payment_intent"] == "pi_late"
        assert refund["metadata"] == {"booking_id": late}
        request = next(r for r in stripe_api.requests if r.path == "/v1/refunds")
        assert request.headers["idempotency-key"] == f"refund:{late}:stripe"

        refunded = {
            "id": refund["id"],
            "object": "refund",
            "amount": 8500,
            "status": "succeeded",
            "payment_intent": "pi_late",
            "metadata": {"booking_id": late},
        }
        await post(client, event("refund.updated", refunded, event_id="evt_re"))
        assert await state(client, late) == ("cancelled", "refunded")


async def test_a_late_payment_while_the_slot_is_still_free_confirms_the_booking(
    database_url: str, stripe_api: FakeStripe
) -> None:
    clock = FixedClock(NOW)
    async with stripe_app(database_url, stripe_api, clock=clock) as (client, container):
        late = (await book(client))["booking_id"]
        clock.advance(timedelta(minutes=31))
        await container.expire_holds()()
        assert await state(client, late) == ("expired", "pending")
        response = await post(client, event("payment_intent.succeeded", intent(late), event_id="evt_late"))
        assert response.json() == {"outcome": "applied"}
        assert await state(client, late) == ("confirmed", "paid")
        assert (await topics(container)).count("erp.booking_confirmed") == 1


async def test_cancelling_a_paid_booking_refunds_it_and_the_refund_shows_when_stripe_confirms(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        created = await book(client)
        booking, token = created["booking_id"], created["booking_token"]
        await post(client, event("payment_intent.succeeded", intent(booking), event_id="evt_pi"))
        cancelled = await client.post(
            f"/v1/bookings/{booking}/cancel", headers={"Authorization": f"Bearer {token}"}
        )
        assert (cancelled.status_code, cancelled.json()["payment_status"]) == (200, "paid")
        await container.deliver_outbox()()
        assert [r["form"]["payment_intent"] for r in stripe_api.created("refund")] == ["pi_1"]
        await post(client, event("charge.refunded", charge(booking), event_id="evt_ch"))
        assert await state(client, booking) == ("cancelled", "refunded")
        assert (await topics(container)).count("email.refund_issued") == 1


async def test_a_signed_body_that_is_not_an_event_is_400(database_url: str, stripe_api: FakeStripe) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        response = await post(client, json.dumps({"nothing": True}).encode())
        assert (response.status_code, response.json()["code"]) == (400, "invalid_payload")
        assert await inbound(container) == []


async def test_after_a_failed_payment_the_customer_starts_a_new_checkout_while_the_hold_lasts(
    database_url: str, stripe_api: FakeStripe
) -> None:
    clock = FixedClock(NOW)
    async with stripe_app(database_url, stripe_api, clock=clock) as (client, _):
        created = await book(client)
        booking, auth = created["booking_id"], {"Authorization": f"Bearer {created['booking_token']}"}
        too_early = await client.post(f"/v1/bookings/{booking}/pay", headers=auth)
        assert too_early.status_code == 200, too_early.text
        failed = intent(booking, status="requires_payment_method")
        await post(client, event("payment_intent.payment_failed", failed, event_id="evt_f"))
        first = await client.post(f"/v1/bookings/{booking}/pay", headers=auth)
        repeated = await client.post(f"/v1/bookings/{booking}/pay", headers=auth)
        stranger = await client.post(f"/v1/bookings/{booking}/pay", headers={"Authorization": "Bearer nope"})
        for_the_customer = await client.post(f"/v1/bookings/{booking}/pay", headers=ADMIN)  # a new link
        read = (await client.get(f"/v1/bookings/{booking}", headers=auth)).json()
        clock.advance(timedelta(minutes=31))
        too_late = await client.post(f"/v1/bookings/{booking}/pay", headers=auth)
    assert too_early.json()["payment"]["url"] == created["payment"]["url"]  # the attempt goes on
    assert first.status_code == 200, first.text
    sessions = stripe_api.created("checkout.session")
    assert len(sessions) == 2  # the booking's own, and one for the new attempt
    assert first.json()["payment"]["url"] == sessions[1]["url"] == repeated.json()["payment"]["url"]
    assert read["payment"]["url"] == sessions[1]["url"]
    assert read["references"]["stripe_checkout_session"] == sessions[1]["id"]
    assert read["payment_status"] == "pending"
    assert stranger.status_code == 404
    assert for_the_customer.json()["payment"]["url"] == sessions[1]["url"]
    assert (too_late.status_code, too_late.json()["code"]) == (409, "payment_not_retryable")


@pytest.mark.postgres
async def test_a_payment_event_takes_one_read_and_one_write_on_postgresql(
    postgres_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(postgres_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        body = event("payment_intent.succeeded", intent(booking), event_id="evt_1")
        async with statements_sent(container.database().engine) as statements:
            response = await post(client, body)
        assert response.json() == {"outcome": "applied"}
        # Read the booking and whether the event is known; then update the booking with the event's
        # record and its audit and outbox rows.
        assert [s.split()[0] for s in statements] == ["SELECT", "WITH"]


PACKAGE = """
[[offerings]]
id = "coaching-package"
name = "Five coaching sessions"
kind = "session"
duration_minutes = 60
amount_cents = 40000
currency = "EUR"
timezone = "Europe/Paris"
opening_hours = { mon = ["09:00-18:00"] }
stripe_payment_link_id = "plink_package"
"""


def link_session(session_id: str = "cs_link_1", email: str = "Ada@Example.com") -> dict[str, Any]:
    return {
        "id": session_id,
        "object": "checkout.session",
        "client_reference_id": None,
        "metadata": {},
        "payment_status": "paid",
        "payment_intent": "pi_link",
        "payment_link": "plink_package",
        "amount_total": 40000,
        "currency": "eur",
        "customer_email": None,
        "customer_details": {"email": email, "name": "Ada Lovelace", "phone": None},
    }


async def test_a_paid_payment_link_creates_a_paid_booking_without_a_time_for_its_customer(
    database_url: str, stripe_api: FakeStripe, tmp_path: Any
) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text((CATALOG.read_text()) + PACKAGE)
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW), catalog=catalog) as (client, c):
        completed = event("checkout.session.completed", link_session(), event_id="evt_link")
        delayed = event("checkout.session.async_payment_succeeded", link_session(), event_id="evt_link2")
        first, second = await post(client, completed), await post(client, delayed)
        unknown = dict(link_session("cs_link_2"), payment_link="plink_other")
        other = await post(client, event("checkout.session.completed", unknown, event_id="evt_other"))
        listed = (await client.get("/admin/bookings", headers=ADMIN)).json()["items"]
        outbox = await topics(c)
    assert (first.json(), second.json(), other.json()) == (
        {"outcome": "applied"},
        {"outcome": "applied"},
        {"outcome": "ignored"},
    )
    [booking] = listed
    assert (booking["offering_id"], booking["status"], booking["payment_status"], booking["start"]) == (
        "coaching-package",
        "confirmed",
        "paid",
        None,
    )
    assert booking["customer"]["email"] == "ada@example.com"
    assert booking["references"]["stripe_payment_intent"] == "pi_link"
    assert outbox.count("erp.booking_confirmed") == 1


async def test_an_event_only_in_stripes_list_is_applied_by_reconciliation_once(
    database_url: str, stripe_api: FakeStripe
) -> None:
    async with stripe_app(database_url, stripe_api, clock=FixedClock(NOW)) as (client, container):
        booking = (await book(client))["booking_id"]
        missed = json.loads(event("payment_intent.succeeded", intent(booking), event_id="evt_missed"))
        stripe_api.events = [missed]
        reconcile = container.reconcile_payments()
        assert await reconcile() == 1
        assert await state(client, booking) == ("confirmed", "paid")
        assert await reconcile() == 0  # seen: the checkpoint, and the event's record
        assert (await topics(container)).count("erp.booking_confirmed") == 1
        query = next(r.form for r in stripe_api.requests if r.path == "/v1/events")
        assert query["types[0]"] == "payment_intent.succeeded"
