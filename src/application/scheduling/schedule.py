"""Pay first, then schedule: a paid booking without a time gets one, at Cal.com where it is mapped.

The Cal.com booking is the one provider call a customer waits for on a request path. It is made after
the hub's own availability said yes and outside any transaction; its uid and meeting link are then
stored in one short transaction. When Cal.com fails nothing is written; when the hub's write loses a
race after Cal.com said yes, the Cal.com booking is cancelled again through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from application.catalog import offering_of
from application.errors import InvalidRequest, NotFound
from application.ports import (
    CalendarBookingRequest,
    CatalogSource,
    Clock,
    ProviderBooking,
    SchedulingGateway,
    UnitOfWorkFactory,
)
from application.scheduling.appointments import resource_for
from application.scheduling.commands import ScheduleBooking
from application.tokens import opens
from domain.availability import slot_for
from domain.booking import Booking
from domain.catalog import Offering
from domain.errors import DomainError, IllegalTransition, OutsideOpeningHours
from domain.references import CAL_BOOKING_UID
from domain.slot import Slot


class ScheduleBookingHandler:
    def __init__(
        self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock, calendar: SchedulingGateway
    ) -> None:
        self._uow, self._catalog, self._clock, self._calendar = uow, catalog, clock, calendar

    async def __call__(self, cmd: ScheduleBooking) -> Booking:
        now = self._clock.now()
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.get(cmd.booking_id)
            if booking is None or not (
                cmd.admin or (cmd.token is not None and opens(cmd.token, booking.id, booking.token_hash))
            ):
                raise NotFound("no such booking")
            customer = await uow.customers.get(booking.customer_id)
            offering = offering_of(self._catalog, booking.offering_id)
            if booking.credits is not None:  # a package: each session is scheduled on its own
                raise IllegalTransition("booking", booking.status, "scheduled; schedule its sessions instead")
            booking.check_schedulable()
            slot = slot_at(offering, cmd.start, now)
            zone = zone_for(cmd.timezone, offering)
            await resource_for(
                uow, booking, offering, self._catalog.catalog.resources_for(offering), slot, now
            )
        made: ProviderBooking | None = None
        if offering.cal_event_type_id is not None and customer is not None:
            made = await self._calendar.create_booking(
                CalendarBookingRequest(
                    booking_id=booking.id,
                    event_type_id=offering.cal_event_type_id,
                    start=slot.start,
                    attendee_name=customer.name,
                    attendee_email=customer.email,
                    time_zone=zone,
                    locale=customer.locale,
                )
            )
        try:
            return await self._store(cmd.booking_id, offering, slot, made, now)
        except DomainError:
            if made is not None:
                await self._release(cmd.booking_id, made, now)
            raise

    async def _store(
        self, booking_id: UUID, offering: Offering, slot: Slot, made: ProviderBooking | None, now: datetime
    ) -> Booking:
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is None:
                raise NotFound("no such booking")
            resource_id = await resource_for(
                uow, booking, offering, self._catalog.catalog.resources_for(offering), slot, now
            )
            booking.schedule(slot, resource_id=resource_id, now=now)
            if offering.resource_type is None:
                await uow.bookings.set_capacity(booking.id, offering.capacity)
            if made is not None:
                booking.references[CAL_BOOKING_UID] = made.reference
                if made.meeting_url:
                    booking.references["meeting_url"] = made.meeting_url
                await uow.bookings.link_reference(CAL_BOOKING_UID, made.reference, booking.id)
            await uow.commit()
        return booking

    async def _release(self, booking_id: UUID, made: ProviderBooking, now: datetime) -> None:
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is not None:
                booking.release_cal_booking(made.reference, now=now)
                await uow.commit()


def slot_at(offering: Offering, start: datetime, now: datetime) -> Slot:
    """The offering's slot starting at `start`: in the future and inside its opening hours, else 422."""
    if start.tzinfo is None:
        raise InvalidRequest("times carry an offset", {"start": "must include a UTC offset"})
    if start < now:
        raise InvalidRequest("the start is in the past", {"start": "must be in the future"})
    try:
        return slot_for(offering, start)
    except OutsideOpeningHours as exc:
        raise InvalidRequest(exc.detail, {"start": "outside the offering's opening hours"}) from exc


def zone_for(name: str | None, offering: Offering) -> str:
    """The attendee's IANA time zone for Cal.com: the one given, else the offering's; 422 if unknown."""
    if name is None:
        return offering.timezone.key
    try:
        if not 0 < len(name) <= 64 or "\0" in name:
            raise ValueError(name)
        return ZoneInfo(name).key
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InvalidRequest("unknown time zone", {"timezone": "an IANA name, e.g. Europe/Paris"}) from exc
