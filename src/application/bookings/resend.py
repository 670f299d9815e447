"""Sending a booking's confirmation again (the customer lost it, or gave a wrong address that staff
corrected): email and SMS through the outbox, with fresh idempotency keys, audited as an action."""

from __future__ import annotations

from uuid import UUID

from application.errors import NotFound
from application.ports import Clock, UnitOfWorkFactory
from domain.booking import Booking
from domain.booking_actions import resend_confirmation


class ResendConfirmation:
    """Only a confirmed (or scheduled) booking: 409 `illegal_transition` otherwise; 404 `not_found`."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, booking_id: UUID) -> Booking:
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is None:
                raise NotFound("no such booking")
            resend_confirmation(booking, now=self._clock.now())
            await uow.commit()
        return booking
