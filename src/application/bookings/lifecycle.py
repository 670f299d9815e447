"""Changes to existing bookings: cancel, expire holds."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.errors import NotFound
from application.payments.commands import payment_link_key
from application.payments.extensions import refund_paid_extensions
from application.ports import Clock, UnitOfWorkFactory
from application.tokens import token_matches
from domain.booking import PAYMENT_GATEWAY_REF, Booking
from domain.events import PaymentLinkAbandoned
from domain.statuses import MONEY_RECEIVED


class CancelBooking:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, booking_id: UUID, *, token: str | None, admin: bool) -> Booking:
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is None or not (
                admin or (token is not None and token_matches(token, booking.token_hash))
            ):
                raise NotFound("no such booking")
            now = self._clock.now()
            booking.cancel(now=now)
            abandon_payment_link(booking, now=now)
            await refund_paid_extensions(uow, booking, now=now)
            await uow.commit()
        return booking


class ExpireHolds:
    """Moves bookings whose hold ran out to `expired`, a batch per transaction; returns how many."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, batch: int = 200) -> None:
        self._uow, self._clock, self._batch = uow, clock, batch

    async def __call__(self) -> int:
        expired = 0
        while True:
            now = self._clock.now()
            async with self._uow() as uow:
                due = await uow.bookings.due_holds(now=now, limit=self._batch)
                for booking in due:
                    booking.expire(now=now)
                    abandon_payment_link(booking, now=now)
                await uow.commit()
            expired += len(due)
            if len(due) < self._batch:
                return expired


def abandon_payment_link(booking: Booking, *, now: datetime) -> None:
    """A booking that ended unpaid with a payment link open: the link is deactivated (through the outbox),
    so nobody pays for a slot the booking no longer holds."""
    if booking.payment_status in MONEY_RECEIVED:
        return
    provider = booking.references.get(PAYMENT_GATEWAY_REF)  # `airwallex`: the gateway that makes links
    link = booking.references.get(payment_link_key(provider)) if provider else None
    if provider and link:
        booking.events.append(PaymentLinkAbandoned(booking.id, now, provider, link))
