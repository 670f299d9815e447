"""The port of personal data: one transaction over everything the hub stores about a person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, Self
from uuid import UUID

from application.privacy.commands import ErasurePlan, SentMessage
from domain.booking import Booking
from domain.customer import Customer
from domain.extension import Extension


class PersonalData(Protocol):
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc_info: object) -> None: ...

    async def customer(self, *, email: str | None = None, customer_id: UUID | None = None) -> Customer | None:
        """The customer with that (normalised) email or id, locked for update in a writing transaction."""

    async def bookings_of(self, customer_id: UUID) -> list[Booking]:
        """The customer's bookings, oldest first (then by start), locked in a writing transaction."""

    async def extensions_of(self, booking_ids: Sequence[UUID]) -> list[Extension]: ...

    async def messages_to(self, booking_ids: Sequence[UUID], channels: Sequence[str]) -> list[SentMessage]:
        """The outbox messages of those bookings on those channels (`email.*`, `sms.*`), oldest first."""

    async def lapsed(self, *, ended_before: datetime, limit: int) -> list[UUID]:
        """Customers not yet erased whose every booking is over (none active) and ended before the
        given time (a customer without bookings: created before it)."""

    async def erase(self, plan: ErasurePlan) -> int:
        """Write the plan: the customer and bookings as given (a booking at the version it was read),
        the secrets replaced wherever else the store keeps rows of the person or their bookings
        (outbox payloads, stored responses, extensions, ...), idempotency records made unreplayable,
        pending and dead messages of the skipped targets settled `skipped`, the new messages added.
        Returns how many messages it settled skipped."""

    async def commit(self) -> None: ...


class PersonalDataFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> PersonalData: ...
