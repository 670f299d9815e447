"""Dispatched bookings: the pickup trip on confirmation, trip statuses, and the delivery once ready."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from application.outbox_routes import outbox_messages_for
from domain.booking import Booking
from domain.dispatch import Address, Dispatch, NotDispatched, TripStatus, Vehicle
from domain.errors import IllegalTransition
from domain.events import TripUpdated
from domain.references import TRIP_STATUS
from domain.slot import Slot
from domain.statuses import BookingStatus
from domain.trips import mark_ready, record_trip
from tests.domain.builders import HOLD, NOW, PAID

DISPATCH = Dispatch(Address("1 rue de Rivoli", "75001", "Paris"), Vehicle("Renault", "Clio"))
LATER = NOW + timedelta(minutes=5)


def a_paid_booking(dispatch: Dispatch | None = DISPATCH) -> Booking:
    booking = Booking.new(
        id=uuid4(),
        offering_id="car-service",
        customer_id=uuid4(),
        price=PAID,
        slot=Slot(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1)),
        buffer=timedelta(0),
        resource_id=None,
        now=NOW,
        hold=HOLD,
        dispatch=dispatch,
    )
    booking.mark_paid(now=NOW)
    return booking


def topics(booking: Booking) -> list[str]:
    return [m.topic for e in booking.events for m in outbox_messages_for(e)]


def test_a_paid_dispatched_booking_sends_its_pickup_trip_with_its_confirmation() -> None:
    assert "driver_app.b2c_pickup" in topics(a_paid_booking())
    assert "driver_app.b2c_pickup" not in topics(a_paid_booking(dispatch=None))


def test_a_completed_pickup_puts_the_booking_in_service_and_tells_the_customer() -> None:
    booking = a_paid_booking()
    booking.events.clear()
    record_trip(booking, TripStatus.PICKUP_COMPLETED, now=LATER, trip_id="trip-7")
    assert booking.status is BookingStatus.IN_SERVICE
    assert booking.references[TRIP_STATUS] == "pickup_completed"
    assert topics(booking) == ["email.vehicle_picked_up", "sms.vehicle_picked_up"]
    assert [e for e in booking.events if isinstance(e, TripUpdated)] == [
        TripUpdated(booking.id, LATER, "none", "pickup_completed")
    ]


def test_a_completed_delivery_completes_the_booking_and_tells_the_customer() -> None:
    booking = a_paid_booking()
    record_trip(booking, TripStatus.PICKUP_COMPLETED, now=LATER)
    booking.events.clear()
    record_trip(booking, TripStatus.DELIVERY_COMPLETED, now=LATER)
    assert booking.status is BookingStatus.COMPLETED
    assert topics(booking) == ["email.vehicle_returned", "sms.vehicle_returned"]


def test_statuses_before_the_pickup_are_kept_and_change_no_booking_status() -> None:
    booking = a_paid_booking()
    for status in (TripStatus.ASSIGNED, TripStatus.IN_PROGRESS, TripStatus.ARRIVED, TripStatus.FAILED):
        record_trip(booking, status, now=LATER)
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.references[TRIP_STATUS] == "failed"


def test_a_pickup_reported_for_a_cancelled_booking_is_refused_and_changes_nothing() -> None:
    booking = a_paid_booking()
    booking.cancel(now=LATER)
    booking.events.clear()
    with pytest.raises(IllegalTransition):
        record_trip(booking, TripStatus.PICKUP_COMPLETED, now=LATER)
    assert (booking.events, TRIP_STATUS in booking.references) == ([], False)


def test_a_ready_booking_sends_its_delivery_trip_once_however_often_it_is_marked() -> None:
    booking = a_paid_booking()
    booking.events.clear()
    mark_ready(booking, now=LATER)
    mark_ready(booking, now=LATER + timedelta(minutes=1))
    keys = {m.idempotency_key for e in booking.events for m in outbox_messages_for(e)}
    assert keys == {f"driver_app.b2c_delivery:{booking.id}"}


def test_only_a_dispatched_booking_under_way_can_be_ready() -> None:
    with pytest.raises(NotDispatched):
        mark_ready(a_paid_booking(dispatch=None), now=LATER)
    cancelled = a_paid_booking()
    cancelled.cancel(now=LATER)
    with pytest.raises(IllegalTransition):
        mark_ready(cancelled, now=LATER)
