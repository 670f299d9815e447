"""A booking's two state machines (booking status, payment status), as explicit tables."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class BookingStatus(StrEnum):
    PENDING = "pending"
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    SCHEDULED = "scheduled"
    IN_SERVICE = "in_service"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class PaymentStatus(StrEnum):
    NOT_REQUIRED = "not_required"
    UNPAID = "unpaid"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


_B = BookingStatus
_P = PaymentStatus

BOOKING_TRANSITIONS: Final[Mapping[BookingStatus, frozenset[BookingStatus]]] = {
    _B.PENDING: frozenset({_B.PENDING_PAYMENT, _B.CONFIRMED, _B.CANCELLED}),
    _B.PENDING_PAYMENT: frozenset({_B.CONFIRMED, _B.CANCELLED, _B.EXPIRED}),
    _B.CONFIRMED: frozenset({_B.SCHEDULED, _B.IN_SERVICE, _B.COMPLETED, _B.CANCELLED}),
    _B.SCHEDULED: frozenset({_B.IN_SERVICE, _B.COMPLETED, _B.CANCELLED}),
    _B.IN_SERVICE: frozenset({_B.COMPLETED, _B.CANCELLED}),
    # A payment that arrives after its hold expired may still confirm the booking (slot free) or
    # end in a cancellation with a refund (slot taken): the late-payment rule of the payments flow.
    _B.EXPIRED: frozenset({_B.CONFIRMED, _B.CANCELLED}),
    _B.COMPLETED: frozenset(),
    _B.CANCELLED: frozenset(),
}


# Provider events arrive in any order: a refund seen before its payment's success says the payment
# happened, so every state that waits for money may move straight to a refund.
_REFUNDS = frozenset({_P.PARTIALLY_REFUNDED, _P.REFUNDED})
PAYMENT_TRANSITIONS: Final[Mapping[PaymentStatus, frozenset[PaymentStatus]]] = {
    _P.NOT_REQUIRED: frozenset(),
    _P.UNPAID: frozenset({_P.PENDING, _P.PAID, _P.FAILED}) | _REFUNDS,
    _P.PENDING: frozenset({_P.PAID, _P.FAILED}) | _REFUNDS,
    _P.FAILED: frozenset({_P.PENDING, _P.PAID}) | _REFUNDS,
    _P.PAID: frozenset({_P.PARTIALLY_REFUNDED, _P.REFUNDED}),
    _P.PARTIALLY_REFUNDED: frozenset({_P.REFUNDED}),
    _P.REFUNDED: frozenset(),
}


# A resource or seat is held by a booking in one of these states (pending_payment only while its hold lasts).
HOLDING_STATUSES: Final = frozenset({_B.PENDING_PAYMENT, _B.CONFIRMED, _B.SCHEDULED, _B.IN_SERVICE})


TERMINAL_STATUSES: Final = frozenset(s for s, nxt in BOOKING_TRANSITIONS.items() if not nxt)


# The money arrived (and may have gone back since): a later success changes nothing.
MONEY_RECEIVED: Final = frozenset({_P.PAID, _P.PARTIALLY_REFUNDED, _P.REFUNDED})
