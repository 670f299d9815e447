"""A payment provider tells us a payment succeeded or failed: applied once, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from application.ports import Clock, UnitOfWorkFactory
from domain.booking import PaymentStatus
from domain.errors import IllegalTransition


@dataclass(frozen=True, slots=True)
class PaymentSucceeded:
    provider: str
    event_id: str
    booking_id: UUID
    amount_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class PaymentFailed:
    provider: str
    event_id: str
    booking_id: UUID


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    UNKNOWN_BOOKING = "unknown_booking"
    HOLD_EXPIRED = "hold_expired"
    AMOUNT_MISMATCH = "amount_mismatch"
    REJECTED = "rejected"


class PaymentEventHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, event: PaymentSucceeded | PaymentFailed) -> Outcome:
        kind = "payment.succeeded" if isinstance(event, PaymentSucceeded) else "payment.failed"
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.inbound_events.record(event.provider, event.event_id, event_type=kind, now=now):
                return Outcome.DUPLICATE
            booking = await uow.bookings.get(event.booking_id, for_update=True)
            outcome = Outcome.UNKNOWN_BOOKING
            if booking is not None and isinstance(event, PaymentFailed):
                outcome = _apply(lambda: booking.mark_payment_failed(now=now))
            elif booking is not None and isinstance(event, PaymentSucceeded):
                if (event.amount_cents, event.currency.upper()) != (
                    booking.price.amount_cents,
                    booking.price.currency,
                ):
                    outcome = Outcome.AMOUNT_MISMATCH
                elif not booking.holds_slot(now) and booking.payment_status is not PaymentStatus.PAID:
                    # Late payments (confirm if free, refund otherwise) come with the payment providers.
                    outcome = Outcome.HOLD_EXPIRED
                else:
                    outcome = _apply(lambda: booking.mark_paid(now=now))
            await uow.commit()  # the event record stays even when nothing changed: answered, audited
        return outcome


def _apply(change: Callable[[], None]) -> Outcome:
    try:
        change()
    except IllegalTransition:
        return Outcome.REJECTED
    return Outcome.APPLIED
