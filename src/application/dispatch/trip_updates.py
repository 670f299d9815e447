"""What the driver app reports back, and the admin's "service done": applied once, in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from application.dispatch.commands import PROVIDER, TripOutcome, TripStatusReported
from application.errors import NotFound
from application.ports import Clock, UnitOfWorkFactory
from domain.booking import Booking
from domain.dispatch import TripStatus
from domain.errors import IllegalTransition
from domain.trips import mark_ready, record_trip

log = logging.getLogger("bookhub.dispatch")


class TripStatusReportedHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, report: TripStatusReported) -> TripOutcome:
        now = self._clock.now()
        kind = f"trip.{report.status.value if report.status else 'unknown'}"
        async with self._uow() as uow:
            if not await uow.inbound_events.record(PROVIDER, report.event_id, event_type=kind, now=now):
                return TripOutcome.DUPLICATE
            booking = None
            if report.booking_id is not None and report.status is not None:
                booking = await uow.bookings.get(report.booking_id, for_update=True)
            outcome = TripOutcome.IGNORED if report.status is None else TripOutcome.UNKNOWN_BOOKING
            if booking is not None and report.status is not None:
                outcome = _apply(booking, report.status, report.trip_id, now=now)
            await uow.commit()  # the event record stays even when nothing changed: answered, audited
        if outcome is TripOutcome.APPLIED and report.status is TripStatus.FAILED:
            log.error("driver app: trip of booking %s failed; staff must arrange it", report.booking_id)
        elif outcome is not TripOutcome.APPLIED:
            log.info("driver app: %s for booking %s: %s", kind, report.booking_id, outcome.value)
        return outcome


def _apply(booking: Booking, status: TripStatus, trip_id: str | None, *, now: datetime) -> TripOutcome:
    try:
        record_trip(booking, status, now=now, trip_id=trip_id)
    except IllegalTransition:
        return TripOutcome.REJECTED
    return TripOutcome.APPLIED


class MarkReady:
    """An admin says the service is done: a dispatched booking sends its delivery trip (once)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, booking_id: UUID) -> Booking:
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is None:
                raise NotFound("no such booking")
            mark_ready(booking, now=self._clock.now())
            await uow.commit()
        return booking
