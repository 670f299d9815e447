"""From a domain fact to the side effects it causes: a pure mapping, used by every unit of work."""

from __future__ import annotations

from uuid import UUID

from domain.events import (
    BookingCancelled,
    BookingConfirmed,
    CalBookingAbandoned,
    DomainEvent,
    PaymentFailed,
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
        case BookingCancelled(cal_booking_uid=str(uid)):
            return [
                OutboxMessage("email.booking_cancelled", f"email.booking_cancelled:{booking}", booking),
                _cancel_at_cal(booking, uid),
            ]
        case BookingCancelled():
            return [OutboxMessage("email.booking_cancelled", f"email.booking_cancelled:{booking}", booking)]
        case CalBookingAbandoned(cal_booking_uid=uid):
            return [_cancel_at_cal(booking, uid)]
        case PaymentFailed(occurred_at=at):
            key = f"email.payment_failed:{booking}:{at.isoformat()}"
            return [OutboxMessage("email.payment_failed", key, booking)]
        case _:
            return []


def _cancel_at_cal(booking: UUID, uid: str) -> OutboxMessage:
    return OutboxMessage(
        "calcom.booking_cancelled", f"calcom.booking_cancelled:{booking}:{uid}", booking, {"uid": uid}
    )
