"""A dispatched booking's driver trips: the service done sends the vehicle back; the driver app's
statuses move the booking."""

from __future__ import annotations

from datetime import datetime

from domain.booking import Booking
from domain.dispatch import BOOKING_AFTER_TRIP, READY_FROM, NotDispatched, TripStatus
from domain.errors import IllegalTransition
from domain.events import DeliveryRequested, TripFailed, TripUpdated, VehiclePickedUp, VehicleReturned
from domain.references import TRIP_ID, TRIP_STATUS
from domain.statuses import BOOKING_TRANSITIONS, BookingStatus

_B = BookingStatus


def mark_ready(booking: Booking, *, now: datetime) -> None:
    """The service is done: a dispatched booking that is under way sends its vehicle back."""
    if booking.dispatch is None:
        raise NotDispatched(f"booking {booking.id} has no driver trips")
    if booking.status not in READY_FROM:
        raise IllegalTransition("booking", booking.status, "ready")
    booking.events.append(DeliveryRequested(booking.id, now))


def record_trip(booking: Booking, status: TripStatus, *, now: datetime, trip_id: str | None = None) -> None:
    """A status from the driver app. Pickup done puts the booking in service, delivery done
    completes it (each checked before anything changes); every status is kept and audited."""
    target = BOOKING_AFTER_TRIP.get(status)
    if target is booking.status:
        target = None  # a repeated report: the booking is already there
    if target is not None and target not in BOOKING_TRANSITIONS[booking.status]:
        raise IllegalTransition("booking", booking.status, target)
    previous = booking.references.get(TRIP_STATUS, "none")
    booking.references[TRIP_STATUS] = status.value
    if trip_id:
        booking.references[TRIP_ID] = trip_id
    booking.events.append(TripUpdated(booking.id, now, previous, status.value))
    if target is not None:
        booking.move_to(target, now=now)
        told = VehiclePickedUp if target is _B.IN_SERVICE else VehicleReturned
        booking.events.append(told(booking.id, now))
    if status is TripStatus.FAILED:
        booking.events.append(TripFailed(booking.id, now))
