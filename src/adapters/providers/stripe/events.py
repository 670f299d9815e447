"""A Stripe event decoded into the few fields we read and normalised into our payment commands, whether
it came by webhook or from the events list. Nothing Stripe-shaped goes further."""

from __future__ import annotations

from uuid import UUID

import msgspec

from application.payments.commands import (
    EventIgnored,
    ExtensionPaid,
    PaymentEvent,
    PaymentFailureReported,
    PaymentLinkPaid,
    PaymentSucceeded,
    RefundRecorded,
)

PROVIDER = "stripe"


class _CustomerDetails(msgspec.Struct):
    email: str | None = None
    name: str | None = None
    phone: str | None = None


class _Object(msgspec.Struct, kw_only=True):
    id: str
    payment_link: str | None = None
    customer_email: str | None = None
    customer_details: _CustomerDetails | None = None
    metadata: dict[str, str] | None = None
    client_reference_id: str | None = None
    payment_status: str | None = None
    payment_intent: str | None = None
    payment_method: str | None = None
    amount: int | None = None
    amount_total: int | None = None
    amount_received: int | None = None
    amount_refunded: int | None = None
    currency: str | None = None
    status: str | None = None

    def booking_id(self) -> UUID | None:
        raw = self.client_reference_id or (self.metadata or {}).get("booking_id")
        try:
            return UUID(raw) if raw else None
        except ValueError:
            return None


class _Data(msgspec.Struct):
    object: _Object


class StripeEvent(msgspec.Struct):
    id: str
    type: str
    data: _Data
    created: int = 0


decode_event = msgspec.json.Decoder(StripeEvent).decode


_PAID_CHECKOUT = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


def normalise(event: StripeEvent) -> PaymentEvent | PaymentLinkPaid:
    obj, kind = event.data.object, event.type
    booking = obj.booking_id()
    if booking is not None and "extension_id" in (obj.metadata or {}):
        # An extension's payment (its off-session charge, or the customer's checkout): its amount is
        # not the booking's, so it never touches the booking's payment. A success pays the extension;
        # anything else is recorded and ignored (a refused charge is recorded as the charge answers).
        return _extension(event, booking)
    if booking is None and obj.payment_link and kind in _PAID_CHECKOUT and obj.payment_status == "paid":
        return _link_paid(event)
    if booking is None and obj.payment_intent and kind in _REFUND_TYPES:
        return _refunded(event, None)  # made in the dashboard: the ledger knows the payment's booking
    if booking is None:
        return EventIgnored(PROVIDER, event.id, kind)
    match kind:
        case "payment_intent.succeeded":
            amount = obj.amount_received or obj.amount
            return _succeeded(event, booking, amount, payment_ref=obj.id)
        case "checkout.session.completed" | "checkout.session.async_payment_succeeded" if (
            obj.payment_status == "paid"
        ):
            return _succeeded(event, booking, obj.amount_total, payment_ref=obj.payment_intent)
        case "payment_intent.payment_failed" | "checkout.session.async_payment_failed":
            return PaymentFailureReported(PROVIDER, event.id, booking, event_type=kind)
        case "charge.refunded" | "refund.updated" | "refund.created":
            return _refunded(event, booking)
    return EventIgnored(PROVIDER, event.id, kind)


_REFUND_TYPES = ("charge.refunded", "refund.updated", "refund.created")


def _refunded(event: StripeEvent, booking: UUID | None) -> PaymentEvent:
    """`charge.refunded` says what the charge's refunds add up to; `refund.*` one refund, by its id."""
    obj, kind = event.data.object, event.type
    if kind == "charge.refunded" and obj.amount_refunded:
        return RefundRecorded(
            PROVIDER, event.id, booking, obj.amount_refunded, obj.payment_intent, event_type=kind
        )
    if kind != "charge.refunded" and obj.status == "succeeded" and obj.amount:
        ref = obj.payment_intent
        return RefundRecorded(
            PROVIDER, event.id, booking, obj.amount, ref, event_type=kind, refund_ref=obj.id
        )
    return EventIgnored(PROVIDER, event.id, kind)


def _extension(event: StripeEvent, booking: UUID) -> PaymentEvent:
    obj, kind = event.data.object, event.type
    try:
        extension = UUID((obj.metadata or {})["extension_id"])
    except ValueError:
        return EventIgnored(PROVIDER, event.id, kind)
    if kind == "payment_intent.succeeded":
        amount, ref = obj.amount_received or obj.amount, obj.id
    elif kind in _PAID_CHECKOUT and obj.payment_status == "paid":
        amount, ref = obj.amount_total, obj.payment_intent
    else:
        return EventIgnored(PROVIDER, event.id, kind)
    if amount is None or obj.currency is None:
        return EventIgnored(PROVIDER, event.id, kind)
    return ExtensionPaid(PROVIDER, event.id, booking, extension, amount, obj.currency, ref, event_type=kind)


def _succeeded(
    event: StripeEvent, booking: UUID, amount: int | None, *, payment_ref: str | None
) -> PaymentEvent:
    currency = event.data.object.currency
    if amount is None or currency is None:
        return EventIgnored(PROVIDER, event.id, event.type)
    method = event.data.object.payment_method if event.type == "payment_intent.succeeded" else None
    return PaymentSucceeded(
        PROVIDER,
        event.id,
        booking,
        amount,
        currency,
        payment_ref,
        event_type=event.type,
        payment_method=method,
    )


def _link_paid(event: StripeEvent) -> PaymentEvent | PaymentLinkPaid:
    obj = event.data.object
    if obj.payment_link is None or obj.amount_total is None or obj.currency is None:
        return EventIgnored(PROVIDER, event.id, event.type)
    details = obj.customer_details or _CustomerDetails()
    return PaymentLinkPaid(
        PROVIDER,
        event.id,
        obj.payment_link,
        obj.id,
        obj.amount_total,
        obj.currency,
        email=details.email or obj.customer_email,
        name=details.name,
        phone=details.phone,
        payment_ref=obj.payment_intent,
        event_type=event.type,
    )
