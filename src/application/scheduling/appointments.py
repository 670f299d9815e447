"""A scheduling provider (Acuity, Cal.com) reports an appointment: created, moved or cancelled here.

The adapters verify and normalise the provider's notification into `AppointmentReported`; this use
case applies it once (the inbound event is recorded in the same transaction) and keeps the hub's own
availability invariants: a report that would double-book is recorded and answered, not applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Final
from uuid import UUID, uuid4

from application.packages.cancellation import cancel_a_session, session_may_start
from application.payments.extensions import refund_paid_extensions
from application.ports import CatalogSource, Clock, NewCustomer, UnitOfWork, UnitOfWorkFactory
from application.scheduling.commands import (
    AppointmentOutcome,
    AppointmentReported,
    Attendee,
    ProviderAppointment,
)
from domain.availability import Occupancy, free_resources, seats_remaining
from domain.booking import Booking
from domain.catalog import Offering, Resource
from domain.customer import is_valid_email, normalise_email
from domain.errors import IllegalTransition, SlotUnavailable
from domain.slot import Slot
from domain.statuses import PaymentStatus

# The booking reference that holds each provider's id for the appointment.
REFERENCE_KEYS: Final[Mapping[str, str]] = {
    "acuity": "acuity_appointment_id",
    "calcom": "cal_booking_uid",
}


class _ReferenceTaken(Exception):
    """Another notification created the booking of this appointment meanwhile."""


class AppointmentReportedHandler:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CatalogSource,
        clock: Clock,
        *,
        new_id: Callable[[], UUID] = uuid4,
    ) -> None:
        self._uow, self._catalog, self._clock, self._new_id = uow, catalog, clock, new_id

    async def __call__(self, event: AppointmentReported) -> AppointmentOutcome:
        # A lost race (another notification of the same appointment booked it, or took the slot) is
        # applied once more, to what the winner made; a slot still refused then is a conflict.
        for _ in range(2):
            try:
                return await self._apply(event)
            except (_ReferenceTaken, SlotUnavailable):
                continue
        # The hub's availability refuses it: the report is recorded (answered, audited), nothing changes.
        async with self._uow() as uow:
            if not await self._record(uow, event):
                return AppointmentOutcome.DUPLICATE
            await uow.commit()
        return AppointmentOutcome.CONFLICT

    async def _record(self, uow: UnitOfWork, event: AppointmentReported) -> bool:
        provider = event.appointment.provider
        now = self._clock.now()
        return await uow.inbound_events.record(provider, event.event_id, event_type=event.event_type, now=now)

    async def _apply(self, event: AppointmentReported) -> AppointmentOutcome:
        a = event.appointment
        key = REFERENCE_KEYS[a.provider]
        async with self._uow() as uow:
            if not await self._record(uow, event):
                return AppointmentOutcome.DUPLICATE
            booking = await uow.bookings.find_by_reference(key, a.reference)
            if booking is None and a.previous_reference is not None:
                booking = await uow.bookings.find_by_reference(key, a.previous_reference)
            if booking is None:
                outcome = await self._create(uow, a, key)
            else:
                outcome = await self._update(uow, booking, a, key)
            await uow.commit()
        return outcome

    async def _create(self, uow: UnitOfWork, a: ProviderAppointment, key: str) -> AppointmentOutcome:
        if a.cancelled or a.slot is None:
            return AppointmentOutcome.UNKNOWN_APPOINTMENT
        offering = self._offering(a)
        if offering is None:
            return AppointmentOutcome.UNMAPPED
        if offering.sessions is not None:  # a package's sessions are booked through the hub, on a package
            return AppointmentOutcome.REJECTED
        if a.attendee is None or not is_valid_email(a.attendee.email):
            return AppointmentOutcome.REJECTED
        now = self._clock.now()
        customer = await uow.customers.update_or_create(
            _new_customer(self._new_id(), a.attendee), update_locale=a.attendee.locale is not None
        )
        booking = Booking.scheduled_elsewhere(
            id=self._new_id(),
            offering_id=offering.id,
            customer_id=customer.id,
            price=offering.price,
            slot=a.slot,
            buffer=offering.buffer,
            now=now,
            paid=a.paid,
            intake=a.intake,
        )
        booking.references.update(_references(a, key))
        resources = self._catalog.catalog.resources_for(offering)
        await uow.bookings.add(booking, now=now, offering=offering, resources=resources)
        if not await uow.bookings.link_reference(key, a.reference, booking.id):
            raise _ReferenceTaken(a.reference)
        return AppointmentOutcome.CREATED

    async def _update(
        self, uow: UnitOfWork, booking: Booking, a: ProviderAppointment, key: str
    ) -> AppointmentOutcome:
        now = self._clock.now()
        if a.cancelled and booking.package_id is not None:
            return await self._cancel_session(uow, booking, a.provider, now)
        if a.cancelled:
            outcome = _attempt(
                lambda: booking.cancel(now=now, by_provider=a.provider), AppointmentOutcome.CANCELLED
            )
            if outcome is AppointmentOutcome.CANCELLED:
                await refund_paid_extensions(uow, booking, now=now)
            return outcome
        outcome = AppointmentOutcome.UNCHANGED
        if a.previous_reference is not None and booking.references.get(key) != a.reference:
            booking.references.update(_references(a, key))
            await uow.bookings.link_reference(key, a.reference, booking.id)
            outcome = AppointmentOutcome.UPDATED
        if a.attendee is not None and is_valid_email(a.attendee.email):
            await uow.customers.update_or_create(
                _new_customer(self._new_id(), a.attendee), update_locale=a.attendee.locale is not None
            )
        merged = {**booking.intake, **a.intake}
        if merged != dict(booking.intake):
            booking.intake = merged
            outcome = AppointmentOutcome.UPDATED
        if a.paid and booking.payment_status is not PaymentStatus.PAID:
            before = booking.payment_status
            booking.mark_paid_elsewhere(now=now)
            if booking.payment_status is not before:
                outcome = AppointmentOutcome.UPDATED
        if a.slot is not None and a.slot != booking.slot:
            offering = self._catalog.catalog.offerings.get(booking.offering_id)
            if offering is None:
                return AppointmentOutcome.UNMAPPED
            if booking.package_id is not None and not await session_may_start(uow, booking, a.slot.start):
                return AppointmentOutcome.REJECTED
            try:
                await self._move(uow, booking, offering, a.slot, now)
            except IllegalTransition:
                return AppointmentOutcome.REJECTED
            outcome = AppointmentOutcome.MOVED
        return outcome

    async def _cancel_session(
        self, uow: UnitOfWork, session: Booking, provider: str, now: datetime
    ) -> AppointmentOutcome:
        """A package's session cancelled at the provider: under the package's rule, as if in the hub."""
        try:
            await cancel_a_session(uow, self._catalog, session, now=now, by_provider=provider)
        except IllegalTransition:
            return AppointmentOutcome.REJECTED
        return AppointmentOutcome.CANCELLED

    async def _move(
        self, uow: UnitOfWork, booking: Booking, offering: Offering, slot: Slot, now: datetime
    ) -> None:
        resources = self._catalog.catalog.resources_for(offering)
        resource_id = await resource_for(uow, booking, offering, resources, slot, now)
        booking.move(slot, resource_id=resource_id, now=now)

    def _offering(self, a: ProviderAppointment) -> Offering | None:
        if a.type_id is None:
            return None
        for offering in self._catalog.catalog.offerings.values():
            mapped = (
                offering.acuity_appointment_type_id if a.provider == "acuity" else offering.cal_event_type_id
            )
            if mapped == a.type_id:
                return offering
        return None


async def resource_for(
    uow: UnitOfWork,
    booking: Booking,
    offering: Offering,
    resources: Sequence[Resource],
    slot: Slot,
    now: datetime,
) -> str | None:
    """Where the booking can go at `slot` by the hub's availability, not counting the booking itself:
    the resource (its own if still free), or None for an offering without one; SlotUnavailable when
    nothing is free. The database arbitrates the write that follows."""
    window = Slot(slot.start, slot.end + offering.buffer)
    occupied = await uow.bookings.occupancy(
        offering=offering, resource_ids=[r.id for r in resources], window=window, now=now
    )
    occupied = _without(occupied, booking)
    if offering.resource_type is not None:
        candidates = free_resources(offering, slot, resources, occupied)
        if not candidates:
            raise SlotUnavailable("no resource is free at that time")
        return booking.resource_id if booking.resource_id in candidates else candidates[0]
    if seats_remaining(offering, slot, occupied) < 1:
        raise SlotUnavailable("no seat is free at that time")
    return None


def _attempt(change: Callable[[], None], outcome: AppointmentOutcome) -> AppointmentOutcome:
    try:
        change()
    except IllegalTransition:
        return AppointmentOutcome.REJECTED
    return outcome


def _without(occupied: list[Occupancy], booking: Booking) -> list[Occupancy]:
    """The occupancy minus the booking's own current block (it is moving away from there)."""
    result = list(occupied)
    if booking.slot is not None and booking.block is not None:
        own = Occupancy(booking.slot, booking.block, booking.resource_id)
        if own in result:
            result.remove(own)
    return result


def _new_customer(customer_id: UUID, attendee: Attendee) -> NewCustomer:
    return NewCustomer(
        id=customer_id,
        email=normalise_email(attendee.email),
        name=(attendee.name.strip() or normalise_email(attendee.email))[:100],
        phone=attendee.phone[:32] if attendee.phone else None,
        locale=(attendee.locale or "en")[:16],
    )


def _references(a: ProviderAppointment, key: str) -> dict[str, str]:
    refs = {key: a.reference}
    if a.meeting_url:
        refs["meeting_url"] = a.meeting_url
    return refs
