"""Changes to existing bookings: cancel, expire holds."""

from __future__ import annotations

from uuid import UUID

from application.errors import NotFound
from application.payments.extensions import refund_paid_extensions
from application.ports import Clock, UnitOfWorkFactory
from application.tokens import Credential, opens
from domain.booking import Booking


class CancelBooking:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, booking_id: UUID, *, token: Credential | None, admin: bool) -> Booking:
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is None or not (
                admin or (token is not None and opens(token, booking.id, booking.token_hash))
            ):
                raise NotFound("no such booking")
            now = self._clock.now()
            booking.cancel(now=now)
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
                await uow.commit()
            expired += len(due)
            if len(due) < self._batch:
                return expired
