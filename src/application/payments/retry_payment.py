"""A customer whose payment failed starts a new one, while the hold lasts."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from application.bookings.create_booking import customer_ref, link_payment, payment_references
from application.errors import NotFound
from application.payments.commands import PaymentRestarted, payment_link_key
from application.payments.ports import PaymentGateway
from application.ports import CatalogSource, Clock, UnitOfWorkFactory
from application.tokens import Credential, holds_booking
from domain.booking import Booking
from domain.errors import DomainError
from domain.events import PaymentLinkAbandoned
from domain.references import PAYMENT_GATEWAY_REF


class PaymentNotRetryable(DomainError):
    code = "payment_not_retryable"


class RetryPayment:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CatalogSource,
        payments: Mapping[str, PaymentGateway],
        clock: Clock,
        *,
        default_provider: str,
    ) -> None:
        self._uow, self._catalog, self._payments, self._clock = uow, catalog, payments, clock
        self._default = default_provider

    async def __call__(
        self, booking_id: UUID, *, token: Credential | None, admin: bool = False
    ) -> PaymentRestarted:
        """For the booking's token holder, or an admin (e.g. to hand the customer a new payment link)."""
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.get(booking_id)
        if booking is None or not holds_booking(token, booking.id, booking.token_hash, admin=admin):
            raise NotFound("no such booking")
        if not booking.can_pay(self._clock.now()):
            raise PaymentNotRetryable("this booking is not waiting for a payment, or its hold ran out")
        offering = self._catalog.catalog.offerings.get(booking.offering_id)
        gateway = self._payments.get(booking.references.get(PAYMENT_GATEWAY_REF, self._default))
        gateway = gateway or self._payments.get(self._default)
        if offering is None or gateway is None:
            raise PaymentNotRetryable("this booking can no longer be paid here")
        # One session per attempt, keyed by its number: a repeated request gets the same session back
        # from the provider, and only a failure starts a new attempt.
        attempt = booking.retry_payment()
        key = f"checkout:{booking.id}:{gateway.name}" + (f":{attempt}" if attempt else "")
        known = await customer_ref(self._uow, gateway, booking.customer_id)
        session = await gateway.create_session(booking, offering, idempotency_key=key, customer_ref=known)
        new_ref = session.customer_ref if session.customer_ref != known else None
        async with self._uow() as uow:
            fresh = await uow.bookings.get(booking.id, for_update=True)
            if fresh is not None and fresh.can_pay(self._clock.now()) and fresh.retry_payment() == attempt:
                replaced = _open_link(fresh)
                fresh.references.update(payment_references(session))
                await link_payment(uow, session, booking.id)
                if replaced is not None and replaced != _open_link(fresh):
                    provider, link = replaced
                    fresh.events.append(PaymentLinkAbandoned(fresh.id, self._clock.now(), provider, link))
            if new_ref is not None and gateway.customer_key is not None:
                await uow.customers.set_reference(booking.customer_id, gateway.customer_key, new_ref)
            await uow.commit()
        return PaymentRestarted(booking.id, session, booking.hold_expires_at)


def _open_link(booking: Booking) -> tuple[str, str] | None:
    """The payment link the booking's customer was last given (provider, link id), if any: a new attempt
    that replaces it deactivates it, so the booking cannot be paid twice."""
    provider = booking.references.get(PAYMENT_GATEWAY_REF)
    link = booking.references.get(payment_link_key(provider)) if provider else None
    return (provider, link) if provider and link else None
