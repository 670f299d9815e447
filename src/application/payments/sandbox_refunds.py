"""`sandbox.refund` messages: the sandbox stands in for a payment provider, so it gives the money back at
once and reports it as a provider would, through the same handler: the booking turns `refunded` (or
`partially_refunded`), the payments ledger holds the refund, and accounting credits it."""

from __future__ import annotations

from uuid import UUID

from application.errors import ProviderRejected
from application.payments.commands import RefundRecorded
from application.payments.ledger import refunded_cents
from application.payments.payment_events import PaymentEventHandler
from application.ports import ClaimedMessage, Sender, UnitOfWorkFactory
from domain.events import CHARGE
from domain.outbox import OutboxState

PROVIDER = "sandbox"


class SandboxRefunds:
    def __init__(self, uow: UnitOfWorkFactory, payment_events: PaymentEventHandler) -> None:
        self._uow, self._events = uow, payment_events

    async def send(self, message: ClaimedMessage) -> OutboxState:
        if message.booking_id is None:
            raise ProviderRejected(f"{message.topic} names no booking")
        payment_ref = message.payload.get("payment_ref")
        amount = message.payload.get("amount_cents")
        cents = int(amount) if amount is not None else await self._left(message.booking_id, payment_ref)
        if cents > 0:
            key = message.idempotency_key
            await self._events(
                RefundRecorded(
                    PROVIDER,
                    f"sandbox:{key}",
                    message.booking_id,
                    cents,
                    str(payment_ref) if payment_ref else None,
                    event_type="sandbox.refund",
                    refund_ref=f"sandbox_{key}",
                )
            )
        return OutboxState.DELIVERED

    async def _left(self, booking_id: UUID, payment_ref: object) -> int:
        """What is left of the payment to give back: its charge less what was refunded of it already."""
        ref = str(payment_ref) if payment_ref else None
        async with self._uow(read_only=True) as uow:
            entries = await uow.payments.of_bookings([booking_id])
            booking = await uow.bookings.get(booking_id)
        charges = [e for e in entries if e.kind == CHARGE and e.provider == PROVIDER]
        charged = [e.amount_cents for e in charges if ref is None or e.provider_ref == ref]
        paid = charged[0] if charged else (booking.price.amount_cents if booking is not None else 0)
        return paid - refunded_cents(entries, payment_ref=ref)


_: type[Sender] = SandboxRefunds
