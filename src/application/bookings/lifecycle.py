"""Changes to existing bookings: cancel, expire holds."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.errors import NotFound
from application.packages.cancellation import cancel_a_package, cancel_a_session
from application.payments.commands import payment_link_key
from application.payments.extensions import refund_paid_extensions
from application.ports import CatalogSource, Clock, UnitOfWorkFactory
from application.tokens import Credential, opens
from domain.booking import PAYMENT_GATEWAY_REF, Booking
from domain.events import PaymentLinkAbandoned
from domain.statuses import MONEY_RECEIVED


class CancelBooking:
    """A booking, a package (with its upcoming sessions, the credits left refunded pro rata), or one
    session (under its package's rule)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, catalog: CatalogSource) -> None:
        self._uow, self._clock, self._catalog = uow, clock, catalog

    async def __call__(self, booking_id: UUID, *, token: Credential | None, admin: bool) -> Booking:
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is None or not (
                admin or (token is not None and opens(token, booking.id, booking.token_hash))
            ):
                raise NotFound("no such booking")
            now = self._clock.now()
            if booking.credits is not None:
                await cancel_a_package(uow, self._catalog, booking, now=now)
            elif booking.package_id is not None:
                await cancel_a_session(uow, self._catalog, booking, now=now)
            else:
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
