"""Bookings made at a scheduling provider: born scheduled, paid there or later, moved by it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.booking import Booking
from domain.catalog import Money
from domain.errors import IllegalTransition
from domain.events import BookingConfirmed
from domain.slot import Slot
from domain.statuses import BookingStatus, PaymentStatus

T0 = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
SLOT = Slot(T0, T0 + timedelta(hours=1))


def a_booking(*, paid: bool = False, amount: int = 8500) -> Booking:
    return Booking.scheduled_elsewhere(
        id=uuid4(),
        offering_id="acuity-transfer",
        customer_id=uuid4(),
        price=Money(amount, "EUR"),
        slot=SLOT,
        buffer=timedelta(minutes=15),
        now=T0,
        paid=paid,
    )


def test_a_booking_made_at_a_provider_is_scheduled_and_unpaid_until_it_says_paid() -> None:
    booking = a_booking()
    assert (booking.status, booking.payment_status, booking.hold_expires_at) == (
        BookingStatus.SCHEDULED,
        PaymentStatus.UNPAID,
        None,
    )
    booking.mark_paid_elsewhere(now=T0)
    booking.mark_paid_elsewhere(now=T0)
    assert booking.payment_status is PaymentStatus.PAID
    assert [e for e in booking.events if isinstance(e, BookingConfirmed)] == [
        BookingConfirmed(booking.id, T0, paid=True)
    ]


def test_a_free_booking_made_at_a_provider_needs_no_payment() -> None:
    booking = a_booking(paid=True, amount=0)
    assert booking.payment_status is PaymentStatus.NOT_REQUIRED


def test_a_move_changes_the_slot_once_and_a_cancelled_booking_does_not_move() -> None:
    booking = a_booking()
    later = Slot(T0 + timedelta(hours=3), T0 + timedelta(hours=4))
    assert booking.move(later, resource_id="van-1", now=T0) is True
    assert booking.move(later, resource_id="van-1", now=T0) is False
    assert booking.block == Slot(later.start, later.end + timedelta(minutes=15))
    booking.cancel(now=T0)
    with pytest.raises(IllegalTransition):
        booking.move(SLOT, resource_id="van-1", now=T0)
