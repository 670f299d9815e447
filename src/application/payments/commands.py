"""Commands and results of this package's use cases: what callers and adapters hand in and get back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.extension import Extension


@dataclass(frozen=True, slots=True)
class PaymentSucceeded:
    """`payment_link`: the payment link (its reference kept on the booking) this payment paid; it names
    the booking first, before `booking_id` (None when the payment names no booking itself)."""

    provider: str
    event_id: str
    booking_id: UUID | None
    amount_cents: int
    currency: str
    payment_ref: str | None = None  # the provider's payment id (a Stripe PaymentIntent), for refunds
    event_type: str = "payment.succeeded"
    payment_method: str | None = None  # the card the payment saved for off-session charges
    payment_link: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentFailureReported:
    provider: str
    event_id: str
    booking_id: UUID
    event_type: str = "payment.failed"


@dataclass(frozen=True, slots=True)
class RefundRecorded:
    """The provider refunded money of the payment `payment_ref`. Without `refund_ref`, `refunded_cents`
    is what it refunded of that payment in all so far (a Stripe Charge's `amount_refunded`); with it,
    the event reports that one refund (the ledger's row) and `refunded_cents` is its amount.
    `booking_id` None: a refund made at the provider (in its dashboard) that names no booking; the
    ledger's charge of `payment_ref` finds it."""

    provider: str
    event_id: str
    booking_id: UUID | None
    refunded_cents: int
    payment_ref: str | None = None
    event_type: str = "refund"
    refund_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ExtensionPaid:
    """The provider took a payment for one of the booking's extensions (its off-session charge, or the
    customer's on-session payment). It never touches the booking's own payment."""

    provider: str
    event_id: str
    booking_id: UUID
    extension_id: UUID
    amount_cents: int
    currency: str
    payment_ref: str | None = None
    event_type: str = "extension.paid"


@dataclass(frozen=True, slots=True)
class EventIgnored:
    """An event we do not act on: recorded (answered, audited), nothing else."""

    provider: str
    event_id: str
    event_type: str


PaymentEvent = PaymentSucceeded | PaymentFailureReported | RefundRecorded | ExtensionPaid | EventIgnored


class PaymentOutcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    UNKNOWN_BOOKING = "unknown_booking"
    UNKNOWN_EXTENSION = "unknown_extension"
    AMOUNT_MISMATCH = "amount_mismatch"
    REFUND_REQUESTED = "refund_requested"  # money the booking cannot use goes back
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class PaymentLinkPaid:
    provider: str
    event_id: str
    payment_link: str
    checkout_id: str
    amount_cents: int
    currency: str
    email: str | None
    name: str | None
    phone: str | None
    payment_ref: str | None
    event_type: str = "payment_link.paid"


@dataclass(frozen=True, slots=True)
class ProposeExtension:
    booking_id: UUID
    description: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class ExtensionPayment:
    extension: Extension
    payment: PaymentSession | None  # where the customer pays; None when there is nothing to pay


@dataclass(frozen=True, slots=True)
class PaymentRestarted:
    booking_id: UUID
    payment: PaymentSession
    expires_at: datetime | None


def payment_link_key(provider: str) -> str:
    """The booking reference (and booking_references key) of a payment link made for the booking."""
    return f"{provider}_payment_link"


@dataclass(frozen=True, slots=True)
class PaymentSession:
    provider: str
    url: str | None = None
    client_secret: str | None = None
    reference: str | None = None
    reference_key: str | None = None  # where the booking keeps `reference`; `<provider>_payment` if None
    customer_ref: str | None = None  # the provider's customer the session saves the card for
    # The provider's events name only `reference` (an Airwallex payment link): the booking is found by it.
    linked: bool = False
