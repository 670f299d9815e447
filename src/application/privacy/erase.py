"""Erasure: a person's name, email, phone, intake answers, addresses, vehicle and notes replaced
everywhere the hub stored them, in one transaction; the non-personal facts stay."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from application.errors import NotFound
from application.outbox_routes import PERSONAL_TARGETS, forget_customer
from application.ports import Clock
from application.privacy.commands import Erased, ErasurePlan
from application.privacy.ports import PersonalDataFactory
from application.tokens import new_token, token_hash
from domain.booking import Booking
from domain.customer import Customer, normalise_email
from domain.errors import ErasureRefused
from domain.privacy import (
    ERASED,
    anonymise_booking,
    blocks_erasure,
    erased_email,
    is_erased,
    kept_customer_references,
    personal_values,
)

log = logging.getLogger("bookhub.privacy")


class EraseCustomer:
    """By email (`__call__`) or by id (`erase_id`, for retention). Refuses with ErasureRefused while a
    booking of the person is still to come or under way; raises NotFound for an unknown email. Every
    booking token and manage link of the person stops opening anything (a fresh token hash each), their
    pending and dead messages are settled `skipped`, and providers that can forget them are asked to
    through the outbox (the Stripe customer is deleted)."""

    def __init__(
        self,
        personal_data: PersonalDataFactory,
        clock: Clock,
        *,
        new_token_hash: Callable[[], bytes] = lambda: token_hash(new_token()),
    ) -> None:
        self._data, self._clock, self._new_token_hash = personal_data, clock, new_token_hash

    async def __call__(self, email: str) -> Erased:
        erased = await self._erase(email=normalise_email(email))
        if erased is None:
            raise NotFound("no customer has that email")
        return erased

    async def erase_id(self, customer_id: UUID) -> Erased | None:
        """None when there is no such customer (any more)."""
        return await self._erase(customer_id=customer_id)

    async def _erase(self, *, email: str | None = None, customer_id: UUID | None = None) -> Erased | None:
        now = self._clock.now()
        async with self._data() as data:
            customer = await data.customer(email=email, customer_id=customer_id)
            if customer is None:
                return None
            bookings = await data.bookings_of(customer.id)
            ahead = [b for b in bookings if blocks_erasure(b, now)]
            if ahead:
                raise ErasureRefused(f"{len(ahead)} booking(s) still to come or under way; cancel them first")
            plan = self._plan(customer, bookings, now)
            skipped = await data.erase(plan)
            await data.commit()
        log.info("customer %s erased: %s bookings, %s messages skipped", customer.id, len(bookings), skipped)
        return Erased(customer.id, len(bookings), skipped, tuple(m.topic for m in plan.messages))

    def _plan(self, customer: Customer, bookings: list[Booking], now: datetime) -> ErasurePlan:
        secrets = {customer.name, customer.email, customer.phone or ""}
        for booking in bookings:
            secrets |= personal_values(booking)
            anonymise_booking(booking, token_hash=self._new_token_hash())
        messages = (
            [] if is_erased(customer.email) else forget_customer(customer.id, customer.references, at=now)
        )
        anonymous = Customer(
            id=customer.id,
            email=erased_email(customer.id),
            name=ERASED,
            phone=None,
            locale=customer.locale,
            references=kept_customer_references(customer.references),
        )
        secrets -= {"", ERASED, anonymous.email}
        return ErasurePlan(anonymous, bookings, frozenset(secrets), PERSONAL_TARGETS, messages)
