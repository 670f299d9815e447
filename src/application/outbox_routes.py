"""From a domain fact to the side effects it causes: a pure mapping, used by every unit of work."""

from __future__ import annotations

from domain.events import (
    BookingCancelled,
    BookingConfirmed,
    DomainEvent,
    PaymentFailed,
    RefundIssued,
    RefundRequested,
)
from domain.outbox import OutboxMessage


def outbox_messages_for(event: DomainEvent) -> list[OutboxMessage]:
    booking = event.booking_id
    match event:
        case BookingConfirmed(paid=True):
            return [
                OutboxMessage("erp.booking_confirmed", f"booking_confirmed:{booking}:v1", booking),
                OutboxMessage("email.booking_confirmed", f"email.booking_confirmed:{booking}", booking),
            ]
        case BookingConfirmed():
            return [OutboxMessage("email.booking_confirmed", f"email.booking_confirmed:{booking}", booking)]
        case BookingCancelled():
            return [OutboxMessage("email.booking_cancelled", f"email.booking_cancelled:{booking}", booking)]
        case PaymentFailed(occurred_at=at):
            key = f"email.payment_failed:{booking}:{at.isoformat()}"
            return [OutboxMessage("email.payment_failed", key, booking)]
        case RefundRequested(provider=provider, payment_ref=ref, duplicate=duplicate):
            # One refund per booking and provider (and per extra payment): the key dedupes retries.
            payload = {"payment_ref": ref} if ref else {}
            key = f"refund:{booking}:{provider}" + (f":{ref}" if duplicate else "")
            return [OutboxMessage(f"{provider}.refund", key, booking, payload)]
        case RefundIssued(full=full):
            key = f"email.refund_issued:{booking}:{'full' if full else 'partial'}"
            return [OutboxMessage("email.refund_issued", key, booking)]
        case _:
            return []
