"""A payment provider tells us what became of a payment: applied once, in the transaction that records it.

Events arrive repeated and out of order, so every change is monotonic: money received is never
un-received, a refund is never undone, and a success seen after its refund changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from application.payments.commands import (
    EventIgnored,
    ExtensionPaid,
    PaymentEvent,
    PaymentFailureReported,
    PaymentOutcome,
    PaymentSucceeded,
    RefundRecorded,
    payment_link_key,
)
from application.payments.extensions import receive_extension_payment
from application.payments.ledger import record_charge, record_refund, refunded_cents
from application.ports import Clock, Contended, UnitOfWork, UnitOfWorkFactory
from domain.booking import Booking
from domain.errors import IllegalTransition
from domain.events import CHARGE
from domain.extension import Received
from domain.statuses import MONEY_RECEIVED, BookingStatus


class PaymentEventHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, event: PaymentEvent) -> PaymentOutcome:
        now = self._clock.now()
        if isinstance(event, ExtensionPaid):
            return await self._extension_paid(event, now)
        if isinstance(event, RefundRecorded) and event.booking_id is None:
            event = await self._find_booking(event)
        if isinstance(event, PaymentSucceeded) and event.payment_link:
            event = await self._find_link(event)
        if not isinstance(event, EventIgnored):
            # Most events change one booking nobody else is changing: read it without a lock and write
            # the change with the event's record in one statement. When that cannot be done safely, the
            # attempt wrote nothing and the event goes the locking way.
            try:
                return await self._handle(event, now, optimistic=True)
            except Contended:
                pass
        return await self._handle(event, now, optimistic=False)

    async def _find_booking(self, event: RefundRecorded) -> RefundRecorded | EventIgnored:
        """A refund made at the provider names only the payment it gives back: the ledger's charge of
        that payment names the booking. A payment the hub never recorded is not the hub's."""
        charge = None
        if event.payment_ref:
            async with self._uow(read_only=True) as uow:
                charge = await uow.payments.entry(event.provider, event.payment_ref, CHARGE)
        if charge is None:
            return EventIgnored(event.provider, event.event_id, event.event_type)
        return replace(event, booking_id=charge.booking_id)

    async def _find_link(self, event: PaymentSucceeded) -> PaymentSucceeded | EventIgnored:
        """A payment through a payment link names the link: the booking it was made for, if any."""
        assert event.payment_link is not None  # noqa: S101 - checked by the caller
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.find_by_reference(
                payment_link_key(event.provider), event.payment_link
            )
        if booking is not None:
            return replace(event, booking_id=booking.id)
        if event.booking_id is not None:
            return event
        return EventIgnored(event.provider, event.event_id, event.event_type)

    async def _extension_paid(self, event: ExtensionPaid, now: datetime) -> PaymentOutcome:
        """Recorded with its effect in one transaction, the extension locked: a duplicate applies once,
        and of two different payments for one extension the second is refunded."""
        async with self._uow() as uow:
            if not await uow.inbound_events.record(
                event.provider, event.event_id, event_type=event.event_type, now=now
            ):
                return PaymentOutcome.DUPLICATE
            extension = await uow.extensions.get(
                event.extension_id, booking_id=event.booking_id, for_update=True
            )
            if extension is None:
                outcome = PaymentOutcome.UNKNOWN_EXTENSION
            elif (event.amount_cents, event.currency.upper()) != (
                extension.price.amount_cents,
                extension.price.currency,
            ):
                outcome = PaymentOutcome.AMOUNT_MISMATCH
            else:
                received = await receive_extension_payment(
                    uow, extension, provider=event.provider, payment_ref=event.payment_ref, now=now
                )
                outcome = (
                    PaymentOutcome.REFUND_REQUESTED
                    if received is Received.RETURNED
                    else PaymentOutcome.APPLIED
                )
            await uow.commit()  # the event record stays even when nothing changed: answered, audited
        return outcome

    async def _handle(
        self,
        event: PaymentSucceeded | PaymentFailureReported | RefundRecorded | EventIgnored,
        now: datetime,
        *,
        optimistic: bool,
    ) -> PaymentOutcome:
        async with self._uow(optimistic=optimistic) as uow:
            booking: Booking | None = None
            if isinstance(event, EventIgnored):
                recorded = await uow.inbound_events.record(
                    event.provider, event.event_id, event_type=event.event_type, now=now
                )
            else:
                assert event.booking_id is not None  # noqa: S101 - found by `_find_booking`
                recorded, booking = await uow.get_for_event(
                    event.booking_id,
                    provider=event.provider,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    now=now,
                )
            if not recorded:
                return PaymentOutcome.DUPLICATE
            outcome = PaymentOutcome.IGNORED
            if not isinstance(event, EventIgnored):
                outcome = await self._apply(uow, booking, event, now)
            await uow.commit()  # the event record stays even when nothing changed: answered, audited
        return outcome

    async def _apply(
        self,
        uow: UnitOfWork,
        booking: Booking | None,
        event: PaymentSucceeded | PaymentFailureReported | RefundRecorded,
        now: datetime,
    ) -> PaymentOutcome:
        if booking is None:
            return PaymentOutcome.UNKNOWN_BOOKING
        if isinstance(event, PaymentFailureReported):
            return _attempt(lambda: booking.mark_payment_failed(now=now))
        if isinstance(event, PaymentSucceeded):
            outcome = await _succeeded(uow, booking, event, now)
            # On the booking the unit of work writes (a late payment refused reads it afresh).
            current = await uow.bookings.get(booking.id) or booking
            ref = event.payment_ref or event.event_id
            record_charge(
                current,
                provider=event.provider,
                payment_ref=ref,
                amount_cents=event.amount_cents,
                currency=event.currency,
                now=now,
            )
            return outcome
        return await _refunded(uow, booking, event, now)


async def _succeeded(
    uow: UnitOfWork, booking: Booking, event: PaymentSucceeded, now: datetime
) -> PaymentOutcome:
    if (event.amount_cents, event.currency.upper()) != (booking.price.amount_cents, booking.price.currency):
        return PaymentOutcome.AMOUNT_MISMATCH
    if event.payment_ref and booking.is_another_payment(event.provider, event.payment_ref):
        booking.refund_duplicate_payment(event.provider, event.payment_ref, now=now)
        return PaymentOutcome.REFUND_REQUESTED
    if event.payment_method:  # also from a repeat: a checkout's own event does not name the card
        booking.record_payment_method(event.provider, event.payment_method)
    if booking.payment_status in MONEY_RECEIVED:
        return PaymentOutcome.APPLIED  # a repeat under another event id, or a success seen after its refund
    booking.record_payment(event.provider, event.payment_ref)
    if booking.status is BookingStatus.CANCELLED:
        return _refuse(booking, event.payment_ref, now)
    if booking.holds_slot(now):
        return _attempt(lambda: booking.mark_paid(now=now))
    # A late payment: the hold ran out. It confirms the booking if the slot is still free, which the
    # database decides as the booking takes its slot again; otherwise the money goes back.
    outcome = _attempt(lambda: booking.mark_paid(now=now))
    if outcome is not PaymentOutcome.APPLIED or await uow.bookings.flush(booking, now=now):
        return outcome
    fresh = await uow.bookings.get(booking.id, for_update=True)
    if fresh is None:  # pragma: no cover - the row is locked by this transaction
        return PaymentOutcome.UNKNOWN_BOOKING
    fresh.record_payment(event.provider, event.payment_ref)
    return _refuse(fresh, event.payment_ref, now)


async def _refunded(
    uow: UnitOfWork, booking: Booking, event: RefundRecorded, now: datetime
) -> PaymentOutcome:
    entries = await uow.payments.of_bookings([booking.id])
    named = (event.provider, event.payment_ref)
    charge = next((e for e in entries if e.kind == CHARGE and (e.provider, e.provider_ref) == named), None)
    extension = charge.extension_id if charge is not None else None
    another = bool(event.payment_ref) and booking.is_another_payment(event.provider, event.payment_ref)
    if event.refund_ref:
        record_refund(
            booking,
            provider=event.provider,
            refund_ref=event.refund_ref,
            payment_ref=event.payment_ref,
            amount_cents=event.refunded_cents,
            currency=charge.currency if charge is not None else booking.price.currency,
            now=now,
            extension_id=extension,
            invoiced=await _invoiced(uow, booking, extension, event.payment_ref, another=another),
        )
    if extension is not None or another:
        return PaymentOutcome.IGNORED  # the refund of an extension's or a second payment
    total = event.refunded_cents
    if event.refund_ref:  # this one refund, and those the ledger holds already
        total += refunded_cents(entries, payment_ref=event.payment_ref, besides=event.refund_ref)
    full = total >= booking.price.amount_cents
    if not full and booking.payment_status not in MONEY_RECEIVED:
        # A partial refund seen before its payment's success: the payment happened, apply it first so
        # the booking ends as it would in order.
        price = booking.price
        paid = PaymentSucceeded(
            event.provider, event.event_id, booking.id, price.amount_cents, price.currency, event.payment_ref
        )
        await _succeeded(uow, booking, paid, now)
        booking = await uow.bookings.get(booking.id, for_update=True) or booking
    if event.payment_ref:
        booking.record_payment(event.provider, event.payment_ref)
    return _attempt(lambda: booking.record_refund(full=full, now=now))


async def _invoiced(
    uow: UnitOfWork, booking: Booking, extension_id: UUID | None, payment_ref: str | None, *, another: bool
) -> bool:
    """Whether the refunded payment is the one accounting invoiced: the booking's own payment, or the
    payment that paid the extension (not a second one, which was refunded without an invoice)."""
    if extension_id is None:
        return not another and booking.references.get(REFUSED_PAYMENT) != payment_ref
    extension = await uow.extensions.get(extension_id, booking_id=booking.id)
    return extension is not None and extension.payment_ref == payment_ref


# A payment the booking refused (it came too late): it goes back, and accounting never invoiced it.
REFUSED_PAYMENT = "refused_payment"


def _refuse(booking: Booking, payment_ref: str | None, now: datetime) -> PaymentOutcome:
    if payment_ref:
        booking.references[REFUSED_PAYMENT] = payment_ref
    outcome = _attempt(lambda: booking.refuse_late_payment(now=now))
    return PaymentOutcome.REFUND_REQUESTED if outcome is PaymentOutcome.APPLIED else outcome


def _attempt(change: Callable[[], None]) -> PaymentOutcome:
    try:
        change()
    except IllegalTransition:
        return PaymentOutcome.REJECTED
    return PaymentOutcome.APPLIED
