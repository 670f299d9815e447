"""Commands and results of this package's use cases: what callers and adapters hand in and get back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.booking import Booking
from domain.customer import Customer
from domain.dispatch import Address, Vehicle
from domain.outbox import OutboxMessage


@dataclass(frozen=True, slots=True)
class ExportedCustomer:
    customer_id: UUID
    name: str
    email: str
    phone: str | None
    locale: str
    references: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ExportedExtension:
    extension_id: UUID
    description: str
    amount_cents: int
    currency: str
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExportedBooking:
    booking_id: UUID
    offering_id: str
    status: str
    payment_status: str
    amount_cents: int
    currency: str
    start: datetime | None
    end: datetime | None
    created_at: datetime
    notes: str | None
    intake: Mapping[str, Any]
    pickup_address: Address | None
    delivery_address: Address | None
    vehicle: Vehicle | None
    references: Mapping[str, str]
    extensions: Sequence[ExportedExtension] = ()


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message to the person: its topic, channel, and when it was delivered (`state` delivered) or,
    when it was not (pending, skipped, dead), when it was written."""

    topic: str
    channel: str
    at: datetime
    state: str
    booking_id: UUID | None


@dataclass(frozen=True, slots=True)
class CustomerExport:
    """`{"customer", "bookings", "messages"}`: everything the hub holds about one person."""

    customer: ExportedCustomer
    bookings: Sequence[ExportedBooking]
    messages: Sequence[SentMessage]


@dataclass(frozen=True, slots=True)
class ErasurePlan:
    """What an erasure writes, in one transaction: the customer and their bookings as they become, the
    person's values to search for in whatever else is linked to them, the outbox targets whose messages
    to them are settled skipped, and the messages that ask providers to forget them."""

    customer: Customer
    bookings: Sequence[Booking]
    secrets: frozenset[str]
    skipped_targets: frozenset[str]
    messages: Sequence[OutboxMessage] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Erased:
    customer_id: UUID
    bookings: int
    messages_skipped: int
    providers_asked: tuple[str, ...]  # the outbox topics that ask a provider to forget the person
