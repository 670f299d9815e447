"""From a domain fact to the side effects it causes: a pure mapping, used by every unit of work."""

from __future__ import annotations

from uuid import UUID

from domain.events import BookingCancelled, BookingConfirmed, DomainEvent, PaymentFailed
from domain.outbox import OutboxMessage

# Each customer message goes out on both channels; the sms sender skips customers without a phone.
CUSTOMER_CHANNELS = ("email", "sms")


def outbox_messages_for(event: DomainEvent) -> list[OutboxMessage]:
    booking = event.booking_id
    match event:
        case BookingConfirmed(paid=True):
            return [
                OutboxMessage("erp.booking_confirmed", f"booking_confirmed:{booking}:v1", booking),
                *_tell_customer("booking_confirmed", booking),
            ]
        case BookingConfirmed():
            return _tell_customer("booking_confirmed", booking)
        case BookingCancelled():
            return _tell_customer("booking_cancelled", booking)
        case PaymentFailed(occurred_at=at):
            return _tell_customer("payment_failed", booking, f":{at.isoformat()}")
        case _:
            return []


def _tell_customer(event: str, booking: UUID, key_suffix: str = "") -> list[OutboxMessage]:
    """`email.<event>` and `sms.<event>`, keyed `<channel>.<event>:<booking id><suffix>`."""
    return [
        OutboxMessage(f"{channel}.{event}", f"{channel}.{event}:{booking}{key_suffix}", booking)
        for channel in CUSTOMER_CHANNELS
    ]
