"""The booking aggregate's two state machines: the tables decide, the operations follow them."""

from __future__ import annotations

import itertools

import pytest

from domain.errors import IllegalTransition
from domain.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    PaymentFailed,
    RefundRequested,
    StatusChanged,
)
from domain.statuses import (
    BOOKING_TRANSITIONS,
    MONEY_RECEIVED,
    PAYMENT_TRANSITIONS,
    BookingStatus,
    PaymentStatus,
)
from tests.domain.builders import FREE, HOLD, NOW, a_booking, a_booking_in, minutes, snapshot

B, P = BookingStatus, PaymentStatus

BOOKING_PAIRS = [(s, t) for s, t in itertools.product(B, B) if s is not t]
PAYMENT_PAIRS = [(s, t) for s, t in itertools.product(P, P) if s is not t]


def test_the_tables_name_every_status_and_lead_only_to_known_ones() -> None:
    assert set(BOOKING_TRANSITIONS) == set(B)
    assert set(PAYMENT_TRANSITIONS) == set(P)
    assert all(targets <= set(B) for targets in BOOKING_TRANSITIONS.values())
    assert all(targets <= set(P) for targets in PAYMENT_TRANSITIONS.values())


@pytest.mark.parametrize(("source", "target"), BOOKING_PAIRS, ids=lambda s: str(s))
def test_a_booking_moves_exactly_along_the_booking_table(source: B, target: B) -> None:
    booking = a_booking_in(source)
    before = snapshot(booking)
    if target in BOOKING_TRANSITIONS[source]:
        booking.move_to(target, now=NOW)
        assert booking.status is target
        assert booking.version == 1
        assert booking.events == [StatusChanged(booking.id, NOW, source, target)]
    else:
        with pytest.raises(IllegalTransition) as refused:
            booking.move_to(target, now=NOW)
        assert refused.value.code == "illegal_transition"
        assert (refused.value.machine, refused.value.current, refused.value.target) == (
            "booking",
            source,
            target,
        )
        assert snapshot(booking) == before


@pytest.mark.parametrize(("source", "target"), PAYMENT_PAIRS, ids=lambda s: str(s))
def test_a_payment_moves_exactly_along_the_payment_table(source: P, target: P) -> None:
    # _pay_to is the payment machine's only gate; mark_paid and mark_payment_failed go through it.
    booking = a_booking_in(B.PENDING_PAYMENT, source)
    before = snapshot(booking)
    if target in PAYMENT_TRANSITIONS[source]:
        booking._pay_to(target)
        assert (booking.payment_status, booking.version) == (target, 1)
    else:
        with pytest.raises(IllegalTransition) as refused:
            booking._pay_to(target)
        assert refused.value.code == "illegal_transition"
        assert refused.value.machine == "payment"
        assert snapshot(booking) == before


@pytest.mark.parametrize("status", list(B))
def test_reapplying_the_current_status_is_a_no_op(status: B) -> None:
    booking = a_booking_in(status)
    booking.move_to(status, now=NOW)
    assert (booking.status, booking.version, booking.events) == (status, 0, [])


@pytest.mark.parametrize("payment", list(P))
def test_a_payment_failure_follows_the_payment_table(payment: P) -> None:
    booking = a_booking_in(B.PENDING_PAYMENT, payment, hold_expires_at=NOW + HOLD)
    before = snapshot(booking)
    if payment is P.FAILED or P.FAILED in PAYMENT_TRANSITIONS[payment]:
        booking.mark_payment_failed(now=NOW)
        assert (booking.status, booking.payment_status) == (B.PENDING_PAYMENT, P.FAILED)
    else:
        with pytest.raises(IllegalTransition):
            booking.mark_payment_failed(now=NOW)
        assert snapshot(booking) == before


@pytest.mark.parametrize("payment", list(P))
def test_a_payment_success_follows_the_payment_table(payment: P) -> None:
    booking = a_booking_in(B.PENDING_PAYMENT, payment, hold_expires_at=NOW + HOLD)
    before = snapshot(booking)
    if payment in MONEY_RECEIVED:  # the money came already (perhaps refunded since): a no-op
        booking.mark_paid(now=NOW)
        assert snapshot(booking) == before
    elif P.PAID in PAYMENT_TRANSITIONS[payment]:
        booking.mark_paid(now=NOW)
        assert booking.payment_status is P.PAID
    else:
        with pytest.raises(IllegalTransition):
            booking.mark_paid(now=NOW)
        assert snapshot(booking) == before


def test_a_free_booking_is_confirmed_at_once_and_needs_no_payment() -> None:
    booking = a_booking(price=FREE)
    assert (booking.status, booking.payment_status) == (B.CONFIRMED, P.NOT_REQUIRED)
    assert booking.hold_expires_at is None
    assert booking.holds_slot(NOW + minutes(24 * 60))
    assert booking.events == [
        StatusChanged(booking.id, NOW, B.PENDING, B.CONFIRMED),
        BookingConfirmed(booking.id, NOW, paid=False),
    ]


def test_a_free_booking_cannot_be_marked_paid() -> None:
    booking = a_booking(price=FREE)
    before = snapshot(booking)
    with pytest.raises(IllegalTransition):
        booking.mark_paid(now=NOW)
    assert snapshot(booking) == before


def test_a_paid_booking_holds_its_slot_while_payment_is_pending() -> None:
    booking = a_booking(hold=HOLD)
    assert (booking.status, booking.payment_status) == (B.PENDING_PAYMENT, P.PENDING)
    assert booking.hold_expires_at == NOW + HOLD
    assert booking.holds_slot(NOW)
    assert booking.events == [StatusChanged(booking.id, NOW, B.PENDING, B.PENDING_PAYMENT)]


def test_the_hold_lasts_until_but_not_including_its_expiry() -> None:
    booking = a_booking(hold=HOLD)
    assert booking.holds_slot(NOW + HOLD - minutes(1))
    assert not booking.holds_slot(NOW + HOLD)
    assert not booking.holds_slot(NOW + HOLD + minutes(1))


def test_marking_paid_twice_confirms_once() -> None:
    booking = a_booking()
    booking.mark_paid(now=NOW + minutes(5))
    version = booking.version
    booking.mark_paid(now=NOW + minutes(6))
    assert (booking.status, booking.payment_status) == (B.CONFIRMED, P.PAID)
    assert booking.hold_expires_at is None
    assert booking.version == version
    confirmations = [e for e in booking.events if isinstance(e, BookingConfirmed)]
    assert confirmations == [BookingConfirmed(booking.id, NOW + minutes(5), paid=True)]


def test_a_failed_payment_keeps_the_hold_and_a_retry_can_still_confirm() -> None:
    booking = a_booking()
    booking.mark_payment_failed(now=NOW + minutes(1))
    booking.mark_payment_failed(now=NOW + minutes(2))
    assert (booking.status, booking.payment_status) == (B.PENDING_PAYMENT, P.FAILED)
    assert booking.holds_slot(NOW + minutes(2))
    assert [e for e in booking.events if isinstance(e, PaymentFailed)] == [
        PaymentFailed(booking.id, NOW + minutes(1))
    ]
    booking.mark_paid(now=NOW + minutes(3))
    assert (booking.status, booking.payment_status) == (B.CONFIRMED, P.PAID)


def test_cancelling_twice_is_a_no_op() -> None:
    booking = a_booking()
    booking.cancel(now=NOW + minutes(1))
    after_first = snapshot(booking)
    booking.cancel(now=NOW + minutes(2))
    assert snapshot(booking) == after_first
    assert booking.status is B.CANCELLED
    assert booking.hold_expires_at is None
    assert not booking.holds_slot(NOW + minutes(2))
    assert [e for e in booking.events if isinstance(e, BookingCancelled)] == [
        BookingCancelled(booking.id, NOW + minutes(1), paid=False)
    ]


def test_cancelling_a_paid_booking_says_it_was_paid() -> None:
    booking = a_booking()
    booking.mark_paid(now=NOW)
    booking.cancel(now=NOW + minutes(1))
    assert booking.events[-2:] == [
        BookingCancelled(booking.id, NOW + minutes(1), paid=True, refund_cents=4500),
        RefundRequested(
            booking.id,
            NOW + minutes(1),
            provider="sandbox",
            payment_ref=None,
            amount_cents=4500,
            currency="EUR",
        ),
    ]


def test_cancelling_a_partly_refunded_booking_refunds_the_rest_through_its_provider() -> None:
    booking = a_booking()
    booking.record_payment("stripe", "pi_1")
    booking.mark_paid(now=NOW)
    booking.record_refund(full=False, now=NOW)
    booking.cancel(now=NOW + minutes(1))
    later = NOW + minutes(1)
    assert booking.events[-1] == RefundRequested(booking.id, later, provider="stripe", payment_ref="pi_1")


def test_a_full_refund_ends_a_confirmed_booking_and_a_later_partial_one_changes_nothing() -> None:
    booking = a_booking()
    booking.mark_paid(now=NOW)
    booking.record_refund(full=True, now=NOW)
    before = snapshot(booking)
    booking.record_refund(full=False, now=NOW)
    booking.mark_paid(now=NOW)
    assert (booking.status, booking.payment_status) == (B.CANCELLED, P.REFUNDED)
    assert snapshot(booking) == before


@pytest.mark.parametrize("status", [B.EXPIRED, B.COMPLETED])
def test_cancel_refuses_a_booking_that_is_over(status: B) -> None:
    # The table lets an expired booking be cancelled (late payment refunded), but cancel() does not.
    booking = a_booking_in(status)
    before = snapshot(booking)
    with pytest.raises(IllegalTransition):
        booking.cancel(now=NOW)
    assert snapshot(booking) == before


def test_expiring_before_the_hold_ran_out_is_refused() -> None:
    booking = a_booking(hold=HOLD)
    before = snapshot(booking)
    with pytest.raises(IllegalTransition) as refused:
        booking.expire(now=NOW + HOLD - minutes(1))
    assert refused.value.code == "illegal_transition"
    assert snapshot(booking) == before


def test_a_hold_expires_from_its_expiry_on_and_only_once() -> None:
    booking = a_booking(hold=HOLD)
    booking.expire(now=NOW + HOLD)
    after_first = snapshot(booking)
    booking.expire(now=NOW + HOLD + minutes(5))
    assert snapshot(booking) == after_first
    assert booking.status is B.EXPIRED
    assert not booking.holds_slot(NOW + HOLD)
    assert [e for e in booking.events if isinstance(e, BookingExpired)] == [
        BookingExpired(booking.id, NOW + HOLD)
    ]


@pytest.mark.parametrize("price_is_free", [True, False])
def test_a_booking_without_a_running_hold_cannot_expire(price_is_free: bool) -> None:
    booking = a_booking(price=FREE) if price_is_free else a_booking()
    if not price_is_free:
        booking.mark_paid(now=NOW)
    before = snapshot(booking)
    with pytest.raises(IllegalTransition):
        booking.expire(now=NOW + HOLD * 10)
    assert snapshot(booking) == before


def test_a_late_payment_confirms_an_expired_booking() -> None:
    booking = a_booking(hold=HOLD)
    booking.expire(now=NOW + HOLD)
    booking.mark_paid(now=NOW + HOLD + minutes(1))
    assert (booking.status, booking.payment_status) == (B.CONFIRMED, P.PAID)
    assert booking.hold_expires_at is None
    assert booking.holds_slot(NOW + HOLD * 10)


@pytest.mark.parametrize("status", list(B))
def test_only_active_bookings_hold_their_slot(status: B) -> None:
    booking = a_booking_in(status, hold_expires_at=NOW + HOLD)
    holding = {B.PENDING_PAYMENT, B.CONFIRMED, B.SCHEDULED, B.IN_SERVICE}
    assert booking.holds_slot(NOW) is (status in holding)


@pytest.mark.parametrize("status", [B.SCHEDULED, B.IN_SERVICE, B.COMPLETED, B.CANCELLED])
def test_a_refused_payment_confirmation_changes_nothing(status: B) -> None:
    booking = a_booking_in(status, P.PENDING)
    before = snapshot(booking)
    with pytest.raises(IllegalTransition):
        booking.mark_paid(now=NOW)
    assert snapshot(booking) == before
