"""Extensions: the business proposes extra work on a paid booking; the customer approves it with the
booking token and the hub charges the saved card off-session, or pays it on-session at the provider's
page (after a refused charge, or instead of approving), or declines it and nothing is charged.

The charge is the one provider call of the approval and happens outside any transaction: the approval
is committed first, then the card is charged, then the outcome is recorded in a second transaction.
Each attempt has its own idempotency key, so a repeated or concurrent approval charges once. The same
goes for opening an on-session payment; the provider's event says when it was paid.

One extension is paid once: the first payment that arrives pays it, and any other one (its off-session
charge and a checkout both went through) is refunded on its own."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar
from uuid import UUID, uuid4

from application.errors import InvalidRequest, NotFound, ProviderUnavailable
from application.payments.commands import ExtensionPayment, ProposeExtension
from application.payments.ledger import record_charge
from application.payments.ports import ChargeResult, ExtensionCheckout, OffSessionCharges, SavedCard
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.tokens import Credential, opens
from domain.booking import Booking
from domain.catalog import Money
from domain.errors import DomainError
from domain.events import ExtensionPaymentReceived, ExtensionProposed
from domain.extension import (
    MAX_AMOUNT_CENTS,
    MIN_AMOUNT_CENTS,
    Extension,
    ExtensionStatus,
    InvalidExtension,
    Received,
)
from domain.references import payment_method_key
from domain.statuses import TERMINAL_STATUSES, BookingStatus, PaymentStatus

Payer = TypeVar("Payer", OffSessionCharges, ExtensionCheckout)


class ExtensionNotAllowed(DomainError):
    code = "extension_not_allowed"


# A booking that ended without its service: its proposed extensions are never charged. One completed
# may still be (the customer approves what the service found after it ended).
_NO_MORE_CHARGES = frozenset({BookingStatus.CANCELLED, BookingStatus.EXPIRED})


class ProposeExtensionHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, cmd: ProposeExtension) -> Extension:
        if not MIN_AMOUNT_CENTS <= cmd.amount_cents <= MAX_AMOUNT_CENTS:
            raise InvalidRequest(
                "amount out of range", {"amount_cents": f"{MIN_AMOUNT_CENTS} to {MAX_AMOUNT_CENTS}"}
            )
        now = self._clock.now()
        async with self._uow() as uow:
            booking = await uow.bookings.get(cmd.booking_id, for_update=True)
            if booking is None:
                raise NotFound("no such booking")
            if booking.payment_status is not PaymentStatus.PAID or booking.status in TERMINAL_STATUSES:
                raise ExtensionNotAllowed("extensions are for a paid booking that is not over")
            price = Money(cmd.amount_cents, booking.price.currency)
            try:
                extension = Extension.propose(
                    id=uuid4(), booking_id=booking.id, description=cmd.description, price=price, now=now
                )
            except InvalidExtension as exc:
                raise InvalidRequest(exc.detail, {"description": exc.detail}) from exc
            await uow.extensions.add(extension)
            booking.events.append(ExtensionProposed(booking.id, now, extension.id))
            await uow.commit()
        return extension


class ApproveExtension:
    """`charges` by provider: the extension is charged by the provider that took the booking's payment."""

    def __init__(
        self, uow: UnitOfWorkFactory, charges: Mapping[str, OffSessionCharges], clock: Clock
    ) -> None:
        self._uow, self._by_provider, self._clock = uow, charges, clock

    async def __call__(self, booking_id: UUID, extension_id: UUID, *, token: Credential) -> Extension:
        async with self._uow() as uow:
            booking, extension = await _customers_extension(uow, booking_id, extension_id, token)
            if extension.status is ExtensionStatus.PAID:
                return extension  # approved and charged already: nothing more to charge
            _check_charges_allowed(booking)
            charges = _of_provider(self._by_provider, booking)
            if extension.approve(now=self._clock.now()):
                await uow.extensions.save(extension)
            customer = await uow.customers.get(booking.customer_id)
            await uow.commit()
        key = charges.customer_key
        card = SavedCard(
            customer.references.get(key) if customer is not None and key else None,
            booking.references.get(payment_method_key(charges.provider)),
        )
        result = await charges.charge(extension, card, idempotency_key=extension.charge_key)
        async with self._uow() as uow:
            fresh = await uow.extensions.get(extension_id, booking_id=booking_id, for_update=True)
            if fresh is None:  # pragma: no cover - extensions are never deleted
                raise NotFound("no such extension")
            now = self._clock.now()
            if result.paid:
                # Paid meanwhile by the customer's checkout: this charge is a second payment, refunded.
                received = await receive_extension_payment(
                    uow, fresh, provider=charges.provider, payment_ref=result.payment_ref, now=now
                )
                changed = received is not Received.REPEAT
            else:
                # A refusal is recorded on the attempt it answers, unless the extension moved on since
                # (another approval's answer came first, a checkout paid it, or the customer declined).
                changed = (
                    fresh.attempts == extension.attempts
                    and fresh.status is ExtensionStatus.APPROVED
                    and fresh.mark_failed(
                        reason=result.reason or "declined", payment_ref=result.payment_ref, now=now
                    )
                )
            if changed:
                await uow.extensions.save(fresh)
                await uow.commit()
        return fresh


class PayExtension:
    """The customer pays a proposed extension, or one whose off-session charge was refused, on-session:
    an open payment at the booking's provider, one per attempt (its idempotency key). The extension
    stays as it is, keeping the session's reference, until the provider's event says it was paid."""

    def __init__(
        self, uow: UnitOfWorkFactory, checkouts: Mapping[str, ExtensionCheckout], clock: Clock
    ) -> None:
        self._uow, self._by_provider, self._clock = uow, checkouts, clock

    async def __call__(self, booking_id: UUID, extension_id: UUID, *, token: Credential) -> ExtensionPayment:
        async with self._uow() as uow:
            booking, extension = await _customers_extension(uow, booking_id, extension_id, token)
            if extension.status is ExtensionStatus.PAID:
                return ExtensionPayment(extension, None)  # nothing more to pay
            _check_charges_allowed(booking)
            extension.check_payable_on_session()  # IllegalTransition when declined or being charged
            checkout = _of_provider(self._by_provider, booking)
            customer = await uow.customers.get(booking.customer_id)
        key = checkout.customer_key
        known = customer.references.get(key) if customer is not None and key else None
        opened = await checkout.open(
            extension, booking, idempotency_key=extension.session_key, customer_ref=known
        )
        async with self._uow() as uow:
            fresh = await uow.extensions.get(extension_id, booking_id=booking_id, for_update=True)
            if fresh is None:  # pragma: no cover - extensions are never deleted
                raise NotFound("no such extension")
            now = self._clock.now()
            if isinstance(opened, ChargeResult):  # taken at once (sandbox)
                if not opened.paid:
                    raise ProviderUnavailable(f"the {checkout.provider} payment was not taken")
                provider, ref = checkout.provider, opened.payment_ref
                received = await receive_extension_payment(
                    uow, fresh, provider=provider, payment_ref=ref, now=now
                )
                if received is not Received.REPEAT:
                    await uow.commit()
                return ExtensionPayment(fresh, None)
            if fresh.record_session(opened.reference, attempt=extension.attempts, now=now):
                await uow.extensions.save(fresh)
                await uow.commit()
        return ExtensionPayment(fresh, opened)


async def receive_extension_payment(
    uow: UnitOfWork, extension: Extension, *, provider: str, payment_ref: str | None, now: datetime
) -> Received:
    """A payment of the extension (locked by the caller) arrived, in the caller's unit of work: the
    first pays it; a second one, or one for a booking that was cancelled or refunded since, goes back
    (a refund of that payment alone, keyed by its id)."""
    booking = await uow.bookings.get(extension.booking_id)
    status = extension.status
    received = extension.receive_payment(
        payment_ref=payment_ref, now=now, booking_over=booking is not None and _charges_ended(booking)
    )
    if extension.status is not status:
        await uow.extensions.save(extension)
    if booking is not None:
        if received is Received.PAID:
            booking.events.append(ExtensionPaymentReceived(booking.id, now, extension.id))
        price = extension.price
        record_charge(
            booking,
            provider=provider,
            payment_ref=payment_ref or f"{extension.charge_key}",
            amount_cents=price.amount_cents,
            currency=price.currency,
            now=now,
            extension_id=extension.id,
        )
    if received is Received.RETURNED and payment_ref and booking is not None:
        booking.refund_duplicate_payment(provider, payment_ref, now=now)
    return received


async def refund_paid_extensions(uow: UnitOfWork, booking: Booking, *, now: datetime) -> None:
    """A booking cancelled after extra work was paid: each paid extension's payment goes back too, a
    refund of that payment alone (keyed by its id, so a repeated cancel asks once)."""
    for extension in await uow.extensions.paid_of(booking.id):
        if extension.payment_ref:
            booking.refund_duplicate_payment(booking.payment_provider, extension.payment_ref, now=now)


def _of_provider(by_provider: Mapping[str, Payer], booking: Booking) -> Payer:
    """What the provider that took the booking's payment offers; none when it is no longer configured."""
    found = by_provider.get(booking.payment_provider)
    if found is None:
        raise ProviderUnavailable(
            f"{booking.payment_provider} took this booking's payment and is not configured"
        )
    return found


def _charges_ended(booking: Booking) -> bool:
    return booking.status in _NO_MORE_CHARGES or booking.payment_status is PaymentStatus.REFUNDED


def _check_charges_allowed(booking: Booking) -> None:
    if _charges_ended(booking):
        raise ExtensionNotAllowed("the booking was cancelled or refunded: nothing more is charged")


class DeclineExtension:
    """The customer declines a proposed extension, or one whose charge failed: nothing is charged, and
    approving it later is refused. One being charged (approved) or paid cannot be declined."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, booking_id: UUID, extension_id: UUID, *, token: Credential) -> Extension:
        async with self._uow() as uow:
            _booking, extension = await _customers_extension(uow, booking_id, extension_id, token)
            if extension.decline(now=self._clock.now()):  # IllegalTransition once approved or paid
                await uow.extensions.save(extension)
                await uow.commit()
        return extension


async def _customers_extension(
    uow: UnitOfWork, booking_id: UUID, extension_id: UUID, token: Credential
) -> tuple[Booking, Extension]:
    """The booking and its extension, locked, for the holder of the booking's token. A wrong token, an
    unknown booking and an unknown extension are one and the same 404."""
    booking = await uow.bookings.get(booking_id)
    if booking is not None and opens(token, booking.id, booking.token_hash):
        extension = await uow.extensions.get(extension_id, booking_id=booking_id, for_update=True)
        if extension is not None:
            return booking, extension
    raise NotFound("no such booking or extension")
