"""Driver app status updates on in-memory adapters: once per event, recorded even when refused."""

from __future__ import annotations

from adapters.memory.clock import FixedClock
from adapters.memory.store import FakeUnitOfWorkFactory
from application.dispatch.commands import TripOutcome, TripStatusReported
from application.dispatch.trip_updates import MarkReady, TripStatusReportedHandler
from domain.dispatch import TripStatus
from domain.statuses import BookingStatus
from tests.domain.builders import NOW
from tests.domain.test_dispatch import a_paid_booking


def _setup(*, cancelled: bool = False) -> tuple[FakeUnitOfWorkFactory, TripStatusReportedHandler, MarkReady]:
    uow = FakeUnitOfWorkFactory()
    booking = a_paid_booking()
    if cancelled:
        booking.cancel(now=NOW)
    booking.events.clear()
    uow.state.bookings[booking.id] = booking
    clock = FixedClock(NOW)
    return uow, TripStatusReportedHandler(uow, clock), MarkReady(uow, clock)


async def test_a_repeated_event_is_applied_once() -> None:
    uow, handle, _ = _setup()
    [booking_id] = uow.state.bookings
    report = TripStatusReported("ev-1", booking_id, TripStatus.PICKUP_COMPLETED, "T-1")
    assert await handle(report) is TripOutcome.APPLIED
    assert await handle(report) is TripOutcome.DUPLICATE
    assert uow.state.bookings[booking_id].status is BookingStatus.IN_SERVICE
    assert [m.topic for m in uow.state.outbox] == ["email.vehicle_picked_up", "sms.vehicle_picked_up"]
    assert [(a.actor, a.to_status) for a in uow.state.audit] == [
        ("driver_app", "pickup_completed"),
        ("system", "in_service"),
    ]


async def test_a_pickup_for_a_cancelled_booking_is_recorded_refused_and_changes_nothing() -> None:
    uow, handle, _ = _setup(cancelled=True)
    [booking_id] = uow.state.bookings
    outcome = await handle(TripStatusReported("ev-2", booking_id, TripStatus.PICKUP_COMPLETED))
    assert outcome is TripOutcome.REJECTED
    assert ("driver_app", "ev-2") in uow.state.inbound
    assert uow.state.bookings[booking_id].status is BookingStatus.CANCELLED
    assert (uow.state.outbox, uow.state.audit) == ([], [])


async def test_marking_ready_twice_writes_one_delivery_trip() -> None:
    uow, _, ready = _setup()
    [booking_id] = uow.state.bookings
    await ready(booking_id)
    await ready(booking_id)
    assert [m.topic for m in uow.state.outbox] == ["driver_app.b2c_delivery"]
