"""Payment events from a provider: applied once, checked against the booking, always recorded."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from adapters.memory.store import AuditEntry
from application.bookings.commands import BookingCreated
from application.payments.commands import (
    EventIgnored,
    PaymentFailureReported,
    PaymentOutcome,
    PaymentSucceeded,
    RefundRecorded,
)
from domain.booking import Booking
from domain.outbox import OutboxMessage
from domain.statuses import BookingStatus, PaymentStatus
from tests.application.builders import HOLD, TUESDAY_TEN, Handlers, a_booking, build


def refund(created: BookingCreated, event_id: str, *, cents: int | None = None) -> RefundRecorded:
    amount = created.amount_cents if cents is None else cents
    return RefundRecorded("sandbox", event_id, created.booking_id, amount)


def paid(created: BookingCreated, event_id: str = "evt-1", **fields: Any) -> PaymentSucceeded:
    values: dict[str, Any] = {"amount_cents": created.amount_cents, "currency": created.currency, **fields}
    return PaymentSucceeded("sandbox", event_id, created.booking_id, **values)


Snapshot = tuple[dict[UUID, Booking], list[OutboxMessage], list[AuditEntry]]


def snapshot(app: Handlers) -> Snapshot:
    return copy.deepcopy((app.state.bookings, app.state.outbox, app.state.audit))


def same_bookings(app: Handlers, before: Snapshot) -> bool:
    bookings = before[0]
    return all(
        (b.status, b.payment_status, b.hold_expires_at, b.version)
        == (
            app.state.bookings[i].status,
            app.state.bookings[i].payment_status,
            app.state.bookings[i].hold_expires_at,
            app.state.bookings[i].version,
        )
        for i, b in bookings.items()
    )


async def test_a_successful_payment_confirms_the_booking_and_ends_its_hold() -> None:
    app = build()
    created = await app.create(a_booking())

    outcome = await app.payment_event(paid(created))

    assert outcome is PaymentOutcome.APPLIED
    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)
    assert booking.hold_expires_at is None
    assert app.state.audit[-1].to_status == "confirmed"


async def test_a_successful_payment_writes_the_erp_message_and_the_confirmation_email() -> None:
    app = build()
    created = await app.create(a_booking())

    await app.payment_event(paid(created))

    assert [(m.topic, m.idempotency_key) for m in app.state.outbox] == [
        ("odoo.booking_created", f"odoo.booking_created:{created.booking_id}"),
        ("erp.booking_confirmed", f"booking_confirmed:{created.booking_id}:v1"),
        ("odoo.booking_paid", f"odoo.booking_paid:{created.booking_id}"),
        ("email.booking_confirmed", f"email.booking_confirmed:{created.booking_id}"),
        ("sms.booking_confirmed", f"sms.booking_confirmed:{created.booking_id}"),
        ("reminders.plan", f"reminders.plan:{created.booking_id}:{created.start.isoformat()}"),
    ]
    assert {m.booking_id for m in app.state.outbox} == {created.booking_id}


async def test_the_same_payment_event_twice_is_a_duplicate_and_writes_nothing_more() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.payment_event(paid(created))
    before = snapshot(app)

    outcome = await app.payment_event(paid(created))

    assert outcome is PaymentOutcome.DUPLICATE
    assert app.state.outbox == before[1]
    assert app.state.audit == before[2]
    assert same_bookings(app, before)
    assert [m.topic for m in app.state.outbox].count("erp.booking_confirmed") == 1
    assert [m.topic for m in app.state.outbox].count("email.booking_confirmed") == 1


async def test_a_second_success_with_another_event_id_confirms_nothing_twice() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.payment_event(paid(created, "evt-1"))
    before = snapshot(app)

    outcome = await app.payment_event(paid(created, "evt-2"))

    assert outcome is PaymentOutcome.APPLIED
    assert app.state.outbox == before[1]
    assert app.state.audit == before[2]
    assert ("sandbox", "evt-2") in app.state.inbound


async def test_the_currency_of_a_payment_is_compared_without_case() -> None:
    app = build()
    created = await app.create(a_booking())

    outcome = await app.payment_event(paid(created, currency="eur"))

    assert outcome is PaymentOutcome.APPLIED


async def test_a_payment_of_the_wrong_amount_is_a_mismatch_and_changes_nothing() -> None:
    app = build()
    created = await app.create(a_booking())
    before = snapshot(app)

    outcome = await app.payment_event(paid(created, amount_cents=100))

    assert outcome is PaymentOutcome.AMOUNT_MISMATCH
    assert same_bookings(app, before)
    assert app.state.outbox == before[1]
    assert app.state.audit == before[2]
    assert ("sandbox", "evt-1") in app.state.inbound


async def test_a_payment_in_the_wrong_currency_is_a_mismatch_and_changes_nothing() -> None:
    app = build()
    created = await app.create(a_booking())
    before = snapshot(app)

    outcome = await app.payment_event(paid(created, currency="USD"))

    assert outcome is PaymentOutcome.AMOUNT_MISMATCH
    assert same_bookings(app, before)
    assert app.state.outbox == before[1]


async def test_a_payment_after_the_hold_ran_out_confirms_the_booking_while_the_slot_is_free() -> None:
    app = build()
    created = await app.create(a_booking())
    app.clock.advance(HOLD)

    outcome = await app.payment_event(paid(created))

    assert outcome is PaymentOutcome.APPLIED
    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)
    assert "erp.booking_confirmed" in [m.topic for m in app.state.outbox]


async def test_a_payment_for_a_hold_the_sweep_expired_confirms_it_again_while_the_slot_is_free() -> None:
    app = build()
    created = await app.create(a_booking())
    app.clock.advance(HOLD)
    assert await app.expire_holds() == 1

    outcome = await app.payment_event(paid(created))

    assert outcome is PaymentOutcome.APPLIED
    assert app.state.bookings[created.booking_id].status is BookingStatus.CONFIRMED
    assert [a.to_status for a in app.state.audit][-2:] == ["expired", "confirmed"]


async def test_a_payment_after_the_hold_expired_is_refunded_when_the_slot_is_taken() -> None:
    app = build()
    created = await app.create(a_booking())
    app.clock.advance(HOLD)
    assert await app.expire_holds() == 1
    other = await app.create(a_booking(email="grace@example.com"))
    assert other.resource_id == created.resource_id

    outcome = await app.payment_event(paid(created, payment_ref="pi_late"))

    assert outcome is PaymentOutcome.REFUND_REQUESTED
    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CANCELLED, PaymentStatus.PAID)
    refunds = [m for m in app.state.outbox if m.topic == "sandbox.refund"]
    assert [(m.idempotency_key, m.payload) for m in refunds] == [
        (
            f"refund:{created.booking_id}:sandbox",
            {"payment_ref": "pi_late", "amount_cents": 8500, "currency": "EUR"},
        )
    ]
    assert "erp.booking_confirmed" not in [m.topic for m in app.state.outbox]
    assert [a.to_status for a in app.state.audit if a.booking_id == created.booking_id][-1] == "cancelled"


async def test_a_payment_for_a_booking_cancelled_before_it_arrived_is_refunded() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.cancel(created.booking_id, token=created.booking_token, admin=False)

    outcome = await app.payment_event(paid(created))

    assert outcome is PaymentOutcome.REFUND_REQUESTED
    assert [m.topic for m in app.state.outbox].count("sandbox.refund") == 1


async def test_cancelling_a_paid_booking_requests_its_refund_and_the_refund_ends_it_refunded() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.payment_event(paid(created, payment_ref="pi_1"))

    await app.cancel(created.booking_id, token=created.booking_token, admin=False)
    outcome = await app.payment_event(refund(created, "evt-r"))

    assert outcome is PaymentOutcome.APPLIED
    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CANCELLED, PaymentStatus.REFUNDED)
    topics = [m.topic for m in app.state.outbox]
    assert (topics.count("sandbox.refund"), topics.count("email.refund_issued")) == (1, 1)


@pytest.mark.parametrize("order", ["in order", "refund first"])
async def test_a_full_refund_and_its_success_end_the_same_in_either_order(order: str) -> None:
    app = build()
    created = await app.create(a_booking())
    events = [paid(created, "evt-s"), refund(created, "evt-r")]

    for event in events if order == "in order" else events[::-1]:
        await app.payment_event(event)

    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert not booking.holds_slot(app.clock.now())
    assert "sandbox.refund" not in [m.topic for m in app.state.outbox]  # the provider refunded already


@pytest.mark.parametrize("order", ["in order", "refund first"])
async def test_a_partial_refund_and_its_success_end_the_same_in_either_order(order: str) -> None:
    app = build()
    created = await app.create(a_booking())
    events = [paid(created, "evt-s"), refund(created, "evt-r", cents=1000)]

    for event in events if order == "in order" else events[::-1]:
        await app.payment_event(event)

    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (
        BookingStatus.CONFIRMED,
        PaymentStatus.PARTIALLY_REFUNDED,
    )
    assert [m.topic for m in app.state.outbox].count("erp.booking_confirmed") == 1


async def test_a_failure_seen_after_the_success_changes_nothing() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.payment_event(paid(created, "evt-s"))

    outcome = await app.payment_event(PaymentFailureReported("sandbox", "evt-f", created.booking_id))

    assert outcome is PaymentOutcome.REJECTED
    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)
    assert ("sandbox", "evt-f") in app.state.inbound


async def test_an_event_we_do_not_act_on_is_recorded_and_changes_nothing() -> None:
    app = build()

    outcome = await app.payment_event(EventIgnored("stripe", "evt-x", "customer.created"))

    assert outcome is PaymentOutcome.IGNORED
    assert ("stripe", "evt-x") in app.state.inbound
    assert app.state.outbox == []


async def test_a_payment_a_moment_before_the_hold_runs_out_still_confirms() -> None:
    app = build()
    created = await app.create(a_booking())
    app.clock.advance(HOLD - timedelta(seconds=1))

    outcome = await app.payment_event(paid(created))

    assert outcome is PaymentOutcome.APPLIED
    assert app.state.bookings[created.booking_id].status is BookingStatus.CONFIRMED


async def test_a_failed_payment_marks_the_payment_failed_and_keeps_the_hold() -> None:
    app = build()
    created = await app.create(a_booking())

    outcome = await app.payment_event(PaymentFailureReported("sandbox", "evt-f", created.booking_id))

    assert outcome is PaymentOutcome.APPLIED
    booking = app.state.bookings[created.booking_id]
    assert booking.payment_status is PaymentStatus.FAILED
    assert booking.status is BookingStatus.PENDING_PAYMENT
    assert booking.hold_expires_at == created.expires_at
    assert booking.holds_slot(app.clock.now())
    assert [m.topic for m in app.state.outbox] == [
        "odoo.booking_created",
        "email.payment_failed",
        "sms.payment_failed",
    ]
    assert (
        await app.availability("van-transfer", TUESDAY_TEN, TUESDAY_TEN + timedelta(minutes=30))
    ).slots() == []


async def test_a_payment_that_succeeds_after_a_failed_attempt_confirms_the_booking() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.payment_event(PaymentFailureReported("sandbox", "evt-f", created.booking_id))

    outcome = await app.payment_event(paid(created, "evt-s"))

    assert outcome is PaymentOutcome.APPLIED
    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)


async def test_a_failure_after_the_payment_succeeded_is_rejected_and_changes_nothing() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.payment_event(paid(created))
    before = snapshot(app)

    outcome = await app.payment_event(
        PaymentFailureReported("sandbox", "evt-late-failure", created.booking_id)
    )

    assert outcome is PaymentOutcome.REJECTED
    assert same_bookings(app, before)
    assert app.state.outbox == before[1]


async def test_a_payment_for_an_unknown_booking_is_reported_and_the_event_still_recorded() -> None:
    app = build()
    missing = uuid4()

    outcome = await app.payment_event(PaymentSucceeded("sandbox", "evt-x", missing, 8500, "EUR"))

    assert outcome is PaymentOutcome.UNKNOWN_BOOKING
    assert ("sandbox", "evt-x") in app.state.inbound
    assert app.state.bookings == {}
    assert app.state.outbox == []
    again = await app.payment_event(PaymentSucceeded("sandbox", "evt-x", missing, 8500, "EUR"))
    assert again is PaymentOutcome.DUPLICATE


async def test_the_same_event_id_from_another_provider_is_not_a_duplicate() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.payment_event(PaymentFailureReported("sandbox", "evt-1", created.booking_id))

    outcome = await app.payment_event(
        PaymentSucceeded("stripe", "evt-1", created.booking_id, created.amount_cents, created.currency)
    )

    assert outcome is PaymentOutcome.APPLIED
    assert app.state.inbound == {("sandbox", "evt-1"), ("stripe", "evt-1")}


async def test_a_second_payment_for_a_paid_booking_is_refunded_and_the_first_kept() -> None:
    app = build()
    created = await app.create(a_booking())
    await app.payment_event(paid(created, "evt-1", payment_ref="pi_1"))

    again = await app.payment_event(paid(created, "evt-1b", payment_ref="pi_1"))
    second = await app.payment_event(paid(created, "evt-2", payment_ref="pi_2"))

    assert (again, second) == (PaymentOutcome.APPLIED, PaymentOutcome.REFUND_REQUESTED)
    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)
    refunds = [(m.idempotency_key, m.payload) for m in app.state.outbox if m.topic == "sandbox.refund"]
    assert refunds == [(f"refund:{created.booking_id}:sandbox:pi_2", {"payment_ref": "pi_2"})]

    refunded = RefundRecorded("sandbox", "evt-r2", created.booking_id, created.amount_cents, "pi_2")
    assert await app.payment_event(refunded) is PaymentOutcome.IGNORED
    booking = app.state.bookings[created.booking_id]
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)
