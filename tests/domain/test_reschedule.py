"""Moving a booking: which bookings may move, what a move records, and a cancellation's partial refund."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.booking import Booking
from domain.errors import IllegalTransition
from domain.events import BookingCancelled, BookingRescheduled, RefundRequested, RemindersPlanned
from domain.references import CAL_BOOKING_UID
from domain.slot import Slot
from domain.statuses import BookingStatus, PaymentStatus
from tests.domain.builders import NOW, a_booking, a_booking_in, at

START = at(2026, 6, 10, 9)
LATER = Slot(START + timedelta(hours=3), START + timedelta(hours=4))


def paid() -> Booking:
    booking = a_booking(slot=Slot(START, START + timedelta(hours=1)))
    booking.mark_paid(now=NOW)
    booking.events.clear()
    return booking


def test_a_move_records_the_new_start_the_cal_booking_and_plans_reminders_again() -> None:
    booking = a_booking(slot=Slot(START, START + timedelta(hours=1)))
    booking.mark_paid(now=NOW)
    booking.references[CAL_BOOKING_UID] = "uid-1"
    booking.events.clear()
    assert booking.reschedule(LATER, resource_id="van-2", now=NOW)
    assert (booking.slot, booking.resource_id) == (LATER, "van-2")
    assert booking.events == [
        RemindersPlanned(booking.id, NOW, LATER.start),
        BookingRescheduled(booking.id, NOW, LATER.start, cal_booking_uid="uid-1"),
    ]
    assert not booking.reschedule(LATER, resource_id="van-2", now=NOW)


def test_an_unpaid_booking_moves_while_its_hold_lasts_without_reminders() -> None:
    booking = a_booking(slot=Slot(START, START + timedelta(hours=1)))
    booking.events.clear()
    assert booking.reschedule(LATER, resource_id=None, now=NOW)
    assert [type(e) for e in booking.events] == [BookingRescheduled]
    with pytest.raises(IllegalTransition):
        booking.reschedule(
            Slot(START, START + timedelta(hours=1)), resource_id=None, now=NOW + timedelta(hours=1)
        )


@pytest.mark.parametrize(
    "status",
    [BookingStatus.CANCELLED, BookingStatus.COMPLETED, BookingStatus.EXPIRED, BookingStatus.IN_SERVICE],
)
def test_a_booking_that_is_over_or_under_way_cannot_move(status: BookingStatus) -> None:
    booking = a_booking_in(status, PaymentStatus.PAID)
    booking.slot = Slot(START, START + timedelta(hours=1))
    with pytest.raises(IllegalTransition):
        booking.reschedule(LATER, resource_id=None, now=NOW)
    assert booking.slot.start == START


def test_a_booking_without_a_time_cannot_move() -> None:
    booking = a_booking_in(BookingStatus.CONFIRMED, PaymentStatus.PAID)
    with pytest.raises(IllegalTransition):
        booking.reschedule(LATER, resource_id=None, now=NOW)


def test_a_late_cancellation_refunds_the_amount_asked_and_a_zero_refund_requests_none() -> None:
    half, nothing = paid(), paid()
    half.cancel(now=NOW, refund_cents=2250)
    nothing.cancel(now=NOW, refund_cents=0)
    assert refunds(half) == [2250]
    assert [e.refund_cents for e in half.events if isinstance(e, BookingCancelled)] == [2250]
    assert refunds(nothing) == []


def test_a_refund_asked_is_never_more_than_was_paid() -> None:
    booking = paid()
    booking.cancel(now=NOW, refund_cents=10**9)
    assert refunds(booking) == [4500]


def refunds(booking: Booking) -> list[int | None]:
    return [e.amount_cents for e in booking.events if isinstance(e, RefundRequested)]
