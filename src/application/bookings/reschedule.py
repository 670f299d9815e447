"""Move a booking to another start in one transaction: the new slot is taken by the same write that
frees the old one, so the booking never holds neither, and the database's own checks (the exclusion
constraint, the seat count) refuse a move onto a slot that was just taken. The customer is told and a
Cal.com booking follows through the outbox."""

from __future__ import annotations

from datetime import datetime

from application.bookings.commands import RescheduleBooking
from application.catalog import offering_of
from application.errors import InvalidRequest, NotFound
from application.packages.cancellation import session_may_start
from application.ports import CatalogSource, Clock, UnitOfWorkFactory
from application.scheduling.appointments import resource_for
from application.tokens import holds_booking
from domain.availability import slot_for
from domain.booking import Booking
from domain.catalog import Offering
from domain.errors import OutsideOpeningHours, OutsideValidity
from domain.slot import Slot


class RescheduleBookingHandler:
    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def __call__(self, cmd: RescheduleBooking) -> Booking:
        """The booking at its new time; 404 for a token not its own, `illegal_transition` when it cannot
        move (cancelled, completed, under way, unpaid past its hold, without a time), `invalid_request`
        for a start in the past or outside opening hours, `slot_unavailable` when the time is taken,
        `outside_validity` for a package's session moved past the package's validity."""
        now = self._clock.now()
        if cmd.start.tzinfo is None:
            raise InvalidRequest("times carry an offset", {"start": "must include a UTC offset"})
        async with self._uow() as uow:
            booking = await uow.bookings.get(cmd.booking_id, for_update=True)
            if booking is None or not holds_booking(
                cmd.token, booking.id, booking.token_hash, admin=cmd.admin
            ):
                raise NotFound("no such booking")
            booking.check_movable(now)
            offering = offering_of(self._catalog, booking.offering_id)
            slot = _slot(offering, cmd.start, now)
            if booking.package_id is not None and not await session_may_start(uow, booking, slot.start):
                raise OutsideValidity("a package's session starts before the package's validity ends")
            resources = self._catalog.catalog.resources_for(offering)
            resource_id = await resource_for(uow, booking, offering, resources, slot, now)
            if booking.reschedule(slot, resource_id=resource_id, now=now):
                await uow.commit()
        return booking


def _slot(offering: Offering, start: datetime, now: datetime) -> Slot:
    if start <= now:
        raise InvalidRequest("the start is in the past", {"start": "must be in the future"})
    try:
        return slot_for(offering, start)
    except OutsideOpeningHours as exc:
        raise InvalidRequest(exc.detail, {"start": "outside the offering's opening hours"}) from exc
