"""A booking born at Stripe: a Payment Link of an offering was paid, so the booking is created paid.

The link names the offering (its `stripe_payment_link_id`), the payer's email the customer. The
booking's id is derived from the provider's checkout, so the two events of one checkout (completed,
then the delayed method's success) make one booking."""

from __future__ import annotations

import uuid
from datetime import timedelta

from application.payments.commands import PaymentLinkPaid, PaymentOutcome
from application.ports import CatalogSource, Clock, NewCustomer, UnitOfWork, UnitOfWorkFactory
from application.tokens import new_token, token_hash
from domain.booking import Booking
from domain.catalog import Offering
from domain.customer import is_valid_email, normalise_email
from domain.package import credits_for

_NAMESPACE = uuid.UUID("8e0f6f55-3c1a-4d3e-9f5e-2b7a9d1c4e60")


class PaymentLinkPaidHandler:
    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def __call__(self, event: PaymentLinkPaid) -> PaymentOutcome:
        now = self._clock.now()
        offering = self._offering(event.payment_link)
        booking_id = uuid.uuid5(_NAMESPACE, f"{event.provider}:{event.checkout_id}")
        async with self._uow() as uow:
            recorded = await uow.inbound_events.record(
                event.provider, event.event_id, event_type=event.event_type, now=now
            )
            if not recorded:
                return PaymentOutcome.DUPLICATE
            outcome = PaymentOutcome.APPLIED
            if offering is None or event.email is None or not is_valid_email(event.email):
                outcome = PaymentOutcome.IGNORED
            elif (event.amount_cents, event.currency.upper()) != (
                offering.price.amount_cents,
                offering.price.currency,
            ):
                outcome = PaymentOutcome.AMOUNT_MISMATCH
            elif await uow.bookings.get(booking_id) is None:
                await self._create(uow, booking_id, offering, event)
            await uow.commit()
        return outcome

    def _offering(self, payment_link: str) -> Offering | None:
        offerings = self._catalog.catalog.offerings.values()
        return next((o for o in offerings if o.stripe_payment_link_id == payment_link), None)

    async def _create(
        self, uow: UnitOfWork, booking_id: uuid.UUID, offering: Offering, event: PaymentLinkPaid
    ) -> None:
        assert event.email is not None  # noqa: S101 - checked by the caller
        now = self._clock.now()
        email = normalise_email(event.email)
        name = (event.name or "").strip()
        customer = await uow.customers.find_or_create(
            NewCustomer(
                id=uuid.uuid4(),
                email=email,
                name=name if 2 <= len(name) <= 100 else email.partition("@")[0][:100],
                phone=event.phone[:32] if event.phone else None,
                locale="en",
            )
        )
        booking = Booking.new(
            id=booking_id,
            offering_id=offering.id,
            customer_id=customer.id,
            price=offering.price,
            slot=None,  # scheduled later
            buffer=offering.buffer,
            resource_id=None,
            now=now,
            hold=timedelta(0),
        )
        booking.token_hash = token_hash(new_token())  # the customer was never given one; none can match
        booking.credits = credits_for(offering)  # a package: valid from this payment
        booking.record_payment(event.provider, event.payment_ref)
        booking.references["stripe_checkout_session"] = event.checkout_id
        booking.mark_paid(now=now)
        await uow.bookings.add(booking, now=now)
