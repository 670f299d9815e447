"""Schedule a package's sessions one by one, and cancel one: each session is a booking of its own.

Scheduling is checked first without a lock (the package paid, a credit left, the validity, a free
resource or seat), so a refusal costs no Cal.com call; the Cal.com booking, where the offering maps an
event type, is made outside any transaction; then, under the package's row lock, the credit is taken and
the session written in one transaction, where the database has the last word on the slot and the count.
A refusal after Cal.com said yes cancels the Cal.com booking again through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID, uuid4

from application.catalog import offering_of
from application.errors import NotFound
from application.packages.commands import ScheduleSession, SessionView
from application.ports import (
    CalendarBookingRequest,
    CatalogSource,
    Clock,
    ProviderBooking,
    SchedulingGateway,
    UnitOfWork,
    UnitOfWorkFactory,
)
from application.scheduling.appointments import resource_for
from application.scheduling.schedule import slot_at, zone_for
from application.tokens import holds_booking
from domain.booking import Booking
from domain.catalog import Offering
from domain.errors import DomainError
from domain.package import cancel_session, schedule_session
from domain.references import CAL_BOOKING_UID
from domain.slot import Slot


async def package_for(
    uow: UnitOfWork, booking_id: UUID, *, token: str | None, admin: bool, for_update: bool = False
) -> Booking:
    """The booking for its token holder or an admin; 404 for anyone else, as for no booking."""
    booking = await uow.bookings.get(booking_id, for_update=for_update)
    if booking is None or not holds_booking(token, booking.id, booking.token_hash, admin=admin):
        raise NotFound("no such booking")
    return booking


class ScheduleSessionHandler:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CatalogSource,
        clock: Clock,
        calendar: SchedulingGateway,
        *,
        new_id: Callable[[], UUID] = uuid4,
    ) -> None:
        self._uow, self._catalog, self._clock, self._calendar = uow, catalog, clock, calendar
        self._new_id = new_id

    async def __call__(self, cmd: ScheduleSession) -> SessionView:
        now, session_id = self._clock.now(), self._new_id()
        async with self._uow(read_only=True) as uow:
            package = await package_for(uow, cmd.booking_id, token=cmd.token, admin=cmd.admin)
            customer = await uow.customers.get(package.customer_id)
            offering = offering_of(self._catalog, package.offering_id)
            slot = slot_at(offering, cmd.start, now)
            zone = zone_for(cmd.timezone, offering)
            # The same rules as the write below, on what is read now (nothing of it is written).
            draft = schedule_session(
                package, session_id=session_id, slot=slot, buffer=offering.buffer, now=now
            )
            await resource_for(uow, draft, offering, self._catalog.catalog.resources_for(offering), slot, now)
        made: ProviderBooking | None = None
        if offering.cal_event_type_id is not None and customer is not None:
            made = await self._calendar.create_booking(
                CalendarBookingRequest(
                    booking_id=session_id,
                    event_type_id=offering.cal_event_type_id,
                    start=slot.start,
                    attendee_name=customer.name,
                    attendee_email=customer.email,
                    time_zone=zone,
                    locale=customer.locale,
                )
            )
        try:
            return await self._store(cmd.booking_id, session_id, offering, slot, made, now)
        except DomainError:
            if made is not None:
                await self._release(cmd.booking_id, made, now)
            raise

    async def _store(
        self,
        package_id: UUID,
        session_id: UUID,
        offering: Offering,
        slot: Slot,
        made: ProviderBooking | None,
        now: datetime,
    ) -> SessionView:
        async with self._uow() as uow:
            package = await uow.bookings.get(package_id, for_update=True)
            if package is None:
                raise NotFound("no such booking")
            session = schedule_session(
                package, session_id=session_id, slot=slot, buffer=offering.buffer, now=now
            )
            if made is not None:
                session.references[CAL_BOOKING_UID] = made.reference
                if made.meeting_url:
                    session.references["meeting_url"] = made.meeting_url
            await uow.bookings.add(
                session, now=now, offering=offering, resources=self._catalog.catalog.resources_for(offering)
            )
            if made is not None:
                await uow.bookings.link_reference(CAL_BOOKING_UID, made.reference, session.id)
            await uow.commit()
        return SessionView(package, session)

    async def _release(self, package_id: UUID, made: ProviderBooking, now: datetime) -> None:
        async with self._uow() as uow:
            package = await uow.bookings.get(package_id, for_update=True)
            if package is not None:
                package.release_cal_booking(made.reference, now=now)
                await uow.commit()


class CancelSession:
    """The customer (or an admin) cancels one session; in time, its credit goes back to the package."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def __call__(
        self, booking_id: UUID, session_id: UUID, *, token: str | None, admin: bool
    ) -> SessionView:
        async with self._uow() as uow:
            package = await package_for(uow, booking_id, token=token, admin=admin, for_update=True)
            session = await uow.bookings.get(session_id, for_update=True)
            if session is None or session.package_id != package.id:
                raise NotFound("no such session")
            now = self._clock.now()
            policy = self._catalog.catalog.cancellation_of(package.offering_id)
            cancel_session(package, session, now=now, policy=policy)
            await uow.commit()
        return SessionView(package, session)
