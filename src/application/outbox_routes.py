"""From a domain fact to the side effects it causes: a pure mapping, used by every unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.events import (
    REFUND,
    BookingCancelled,
    BookingConfirmed,
    BookingRescheduled,
    CalBookingAbandoned,
    ConfirmationResent,
    CustomerBooked,
    DeliveryRequested,
    DomainEvent,
    ExtensionPaymentReceived,
    ExtensionProposed,
    MoneyMoved,
    PaymentFailed,
    PaymentLinkAbandoned,
    RefundIssued,
    RefundRequested,
    ReminderDue,
    RemindersPlanned,
    ResourceAssigned,
    VehiclePickedUp,
    VehicleReturned,
)
from domain.outbox import OutboxMessage, target_of

# Each customer message goes out on both channels; the sms sender skips customers without a phone.
CUSTOMER_CHANNELS = ("email", "sms")
EXTENSION_ID = "extension_id"  # the payload key of a message about one extension
# The payload key of a message about one start of the booking (a reminder, a move): at delivery, a
# booking that has moved from that start or ended has nothing to say with it.
START = "start"
AMOUNT_CENTS = "amount_cents"  # the payload key of a refund's (and every credit note's) exact amount
# The payload key of a pickup sent again after a manual assignment: the resource it was sent for.
RESOURCE_ID = "resource_id"
PLAN_REMINDERS = "reminders.plan"  # the hub's own topic: plan a start's reminders from the catalog
# The integration that delivers each topic's target (`<target>.<fact>`), as /health names it: a channel
# names the provider behind it; a provider's own target is its name.
INTEGRATION_OF_TARGET: Mapping[str, str] = {"email": "resend", "sms": "twilio"}
# Targets whose messages reach the person or carry their details: an erased person's are skipped.
# The others (refunds, accounting, the ERP, Cal.com cancellations) carry ids only and still go out.
PERSONAL_TARGETS = frozenset({*CUSTOMER_CHANNELS, "driver_app"})
# A customer's reference at a provider that can forget them, and the topic that asks it to.
FORGET_CUSTOMER: Mapping[str, str] = {"stripe_customer": "stripe.customer_erased"}
CUSTOMER_REF = "customer_ref"  # the payload key of a `*.customer_erased` message


def integration_of(topic: str) -> str:
    target = target_of(topic)
    return INTEGRATION_OF_TARGET.get(target, target)


def outbox_messages_for(event: DomainEvent) -> list[OutboxMessage]:
    booking = event.booking_id
    match event:
        case BookingConfirmed(paid=paid, dispatch=dispatch, occurred_at=at):
            paid_messages = [
                OutboxMessage("erp.booking_confirmed", f"booking_confirmed:{booking}:v1", booking),
                _accounting("booking_paid", booking, at),
            ]
            return [
                *(paid_messages if paid else []),
                *_tell_customer("booking_confirmed", booking),
                *([_trip("b2c_pickup", booking)] if dispatch else []),
            ]
        case BookingCancelled(cal_booking_uid=cal_uid):
            # Accounting credits what the provider reports refunded (MoneyMoved), not the cancellation.
            return [
                *_tell_customer("booking_cancelled", booking),
                *([_cancel_at_cal(booking, cal_uid)] if cal_uid else []),
            ]
        case CustomerBooked() | ExtensionPaymentReceived() | MoneyMoved():
            return _accounting_messages(event)
        case BookingRescheduled() | RemindersPlanned() | ReminderDue():
            return _about_time(event)
        case CalBookingAbandoned(cal_booking_uid=uid):
            return [_cancel_at_cal(booking, uid)]
        case PaymentFailed(occurred_at=at):
            return _tell_customer("payment_failed", booking, f":{at.isoformat()}")
        case RefundRequested():
            return [_refund(event)]
        case PaymentLinkAbandoned(provider=provider, link_id=link):
            key = f"deactivate_payment_link:{booking}:{link}"
            return [OutboxMessage(f"{provider}.deactivate_payment_link", key, booking, {"link_id": link})]
        case RefundIssued(full=full):
            return _tell_customer("refund_issued", booking, ":full" if full else ":partial")
        case DeliveryRequested(occurred_at=at):
            return [_trip("b2c_delivery", booking, {"ready_at": at.isoformat()})]
        case ExtensionProposed(extension_id=extension):
            # The id only: the sender re-reads the extension's description and price when it renders.
            payload = {EXTENSION_ID: str(extension)}
            return _tell_customer("extension_proposed", booking, f":{extension}", payload)
        case ResourceAssigned() | ConfirmationResent():
            return _staff_actions(event)
        case VehiclePickedUp():
            return _tell_customer("vehicle_picked_up", booking)
        case VehicleReturned():
            return _tell_customer("vehicle_returned", booking)
        case _:
            return []


def _staff_actions(event: ResourceAssigned | ConfirmationResent) -> list[OutboxMessage]:
    """Each with a fresh key: the confirmation again, and the pickup again naming a newly assigned
    resource when the driver app had it."""
    booking, at = event.booking_id, event.occurred_at.isoformat()
    if isinstance(event, ConfirmationResent):
        return _tell_customer("booking_confirmed", booking, f":resent:{at}")
    if not event.resend_trip:
        return []
    key = f"driver_app.b2c_pickup:{booking}:assigned:{event.resource_id}:{at}"
    return [OutboxMessage("driver_app.b2c_pickup", key, booking, {RESOURCE_ID: event.resource_id})]


def _refund(event: RefundRequested) -> OutboxMessage:
    """One refund per booking and provider (and per extra payment): the key dedupes retries."""
    booking, provider, ref = event.booking_id, event.provider, event.payment_ref
    payload: dict[str, Any] = {**({"payment_ref": ref} if ref else {}), **_amount(event.amount_cents)}
    if event.currency is not None:
        payload["currency"] = event.currency
    key = f"refund:{booking}:{provider}" + (f":{ref}" if event.duplicate else "")
    return OutboxMessage(f"{provider}.refund", key, booking, payload)


def _tell_customer(
    event: str,
    booking: UUID,
    key_suffix: str = "",
    payload: dict[str, str] | None = None,
    due_at: datetime | None = None,
) -> list[OutboxMessage]:
    """`email.<event>` and `sms.<event>`, keyed `<channel>.<event>:<booking id><suffix>`, sent at once or
    from `due_at`."""
    return [
        OutboxMessage(
            f"{channel}.{event}",
            f"{channel}.{event}:{booking}{key_suffix}",
            booking,
            dict(payload or {}),
            available_at=due_at,
        )
        for channel in CUSTOMER_CHANNELS
    ]


def _amount(cents: int | None) -> dict[str, int]:
    return {} if cents is None else {AMOUNT_CENTS: cents}


def extension_of(topic: str, idempotency_key: str, payload: Mapping[str, Any]) -> UUID | None:
    """The extension a customer message is about: its payload's id, or for an `extension_proposed`
    message written before payloads carried it, the id its key ends with. None for other messages."""
    if EXTENSION_ID in payload:
        return UUID(str(payload[EXTENSION_ID]))
    if topic.partition(".")[2] == "extension_proposed":
        try:
            return UUID(idempotency_key.rpartition(":")[2])
        except ValueError:
            return None
    return None


def _accounting(fact: str, booking: UUID, at: datetime) -> OutboxMessage:
    """The invoice is dated by the fact, so a late delivery dates it the same."""
    return OutboxMessage(f"odoo.{fact}", f"odoo.{fact}:{booking}", booking, {"at": at.isoformat()})


def _accounting_messages(event: DomainEvent) -> list[OutboxMessage]:
    """The customer when they book, a paid extension's supplementary invoice, each refund's credit note."""
    booking = event.booking_id
    match event:
        case CustomerBooked(occurred_at=at):
            return [_accounting("booking_created", booking, at)]
        case ExtensionPaymentReceived(extension_id=extension, occurred_at=at):
            payload = {EXTENSION_ID: str(extension), "at": at.isoformat()}
            key = f"odoo.extension_paid:{extension}"
            return [OutboxMessage("odoo.extension_paid", key, booking, payload)]
        case MoneyMoved(kind=kind, invoiced=True) if kind == REFUND:
            return [_credit_note(event)]
        case _:
            return []


def _credit_note(refund: MoneyMoved) -> OutboxMessage:
    """One credit note per refund the provider reported, of the refunded amount (`amount_cents`)."""
    payload: dict[str, Any] = {
        "provider": refund.provider,
        "refund_ref": refund.provider_ref,
        AMOUNT_CENTS: refund.amount_cents,
        "currency": refund.currency,
        "at": refund.occurred_at.isoformat(),
    }
    if refund.extension_id is not None:
        payload[EXTENSION_ID] = str(refund.extension_id)
    key = f"odoo.credit_note:{refund.provider}:{refund.provider_ref}"
    return OutboxMessage("odoo.credit_note", key, refund.booking_id, payload)


def _trip(kind: str, booking: UUID, payload: dict[str, str] | None = None) -> OutboxMessage:
    """One trip per leg and booking: marking a booking ready twice sends its delivery once."""
    return OutboxMessage(f"driver_app.{kind}", f"driver_app.{kind}:{booking}", booking, payload or {})


def _cancel_at_cal(booking: UUID, uid: str) -> OutboxMessage:
    return OutboxMessage(
        "calcom.booking_cancelled", f"calcom.booking_cancelled:{booking}:{uid}", booking, {"uid": uid}
    )


def _about_time(event: BookingRescheduled | RemindersPlanned | ReminderDue) -> list[OutboxMessage]:
    """A booking's start: a move told to the customer (and Cal.com), reminders planned, one reminder due.
    Each is keyed by the start it is about, so a later move leaves it stale."""
    booking, start = event.booking_id, event.start.isoformat()
    if isinstance(event, RemindersPlanned):
        plan = {START: start, "at": event.occurred_at.isoformat()}
        return [OutboxMessage(PLAN_REMINDERS, f"{PLAN_REMINDERS}:{booking}:{start}", booking, plan)]
    if isinstance(event, ReminderDue):
        suffix = f":{start}:{event.hours}h"
        return _tell_customer("reminder", booking, suffix, {START: start}, event.due_at)
    suffix = f":{start}:{event.occurred_at.isoformat()}"
    moved = _tell_customer("booking_rescheduled", booking, suffix, {START: start})
    if event.cal_booking_uid is None:
        return moved
    payload = {"uid": event.cal_booking_uid, START: start}
    key = f"calcom.booking_rescheduled:{booking}{suffix}"
    return [*moved, OutboxMessage("calcom.booking_rescheduled", key, booking, payload)]


def forget_customer(customer_id: UUID, references: Mapping[str, str], *, at: datetime) -> list[OutboxMessage]:
    """`stripe.customer_erased` for a customer Stripe knows: the sender deletes it there."""
    return [
        OutboxMessage(topic, f"{topic}:{customer_id}", None, {CUSTOMER_REF: references[key]}, available_at=at)
        for key, topic in FORGET_CUSTOMER.items()
        if references.get(key)
    ]
