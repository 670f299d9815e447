"""Commands and results of this package's use cases: what callers and adapters hand in and get back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from application.bookings.ports import AuditRecord, DeliveryRecord, InboundRecord
from application.payments.commands import PaymentSession
from application.ports import LedgerEntry
from domain.booking import Booking
from domain.customer import Customer
from domain.dispatch import Address, Vehicle
from domain.extension import Extension


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    name: str
    email: str
    phone: str | None = None
    locale: str = "en"


@dataclass(frozen=True, slots=True)
class CreateBooking:
    offering_id: str
    customer: CustomerDetails
    start: datetime | None = None
    notes: str | None = None
    intake: Mapping[str, Any] = field(default_factory=dict)
    payment_provider: str | None = None
    idempotency_key: str | None = None
    pickup_address: Address | None = None  # kept only for offerings that send a driver
    delivery_address: Address | None = None
    vehicle: Vehicle | None = None


@dataclass(frozen=True, slots=True)
class BookingCreated:
    booking_id: UUID
    booking_token: str
    status: str
    payment_status: str
    amount_cents: int
    currency: str
    start: datetime | None
    end: datetime | None
    resource_id: str | None
    requires_payment: bool
    payment: PaymentSession | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class BookingView:
    booking: Booking
    customer: Customer | None
    sessions: Sequence[Booking] = ()  # a package's sessions, earliest first
    extensions: tuple[Extension, ...] = ()


@dataclass(frozen=True, slots=True)
class RescheduleBooking:
    """Move a booking to another start (its customer with the token, or an admin)."""

    booking_id: UUID
    start: datetime
    token: str | None = None
    admin: bool = False


@dataclass(frozen=True, slots=True)
class CancellationQuote:
    """What cancelling now gives back by the offering's policy, before the customer confirms:
    `refund_cents` of the `paid_cents`, all of it (`free`) until `free_until`."""

    booking_id: UUID
    refund_cents: int
    paid_cents: int
    currency: str
    free: bool
    free_until: datetime | None
    late_refund_percent: int


@dataclass(frozen=True, slots=True)
class Cancellation:
    """A cancelled booking and the refund this cancellation asked its provider for (0 when none, or
    when the booking was cancelled already)."""

    booking: Booking
    refund_cents: int


@dataclass(frozen=True, slots=True)
class DayStarts:
    """The free start times of one local day of an offering, as aware times in its time zone."""

    offering_id: str
    day: date
    timezone: str
    starts: list[datetime]


@dataclass(frozen=True, slots=True)
class FreeResource:
    """A resource of the booking's type free for its time; `current`: the one it holds now."""

    resource_id: str
    name: str
    type: str
    current: bool = False


TimelineItem = AuditRecord | DeliveryRecord | InboundRecord | LedgerEntry


@dataclass(frozen=True, slots=True)
class BookingTimeline:
    """A booking's history, oldest first: audit entries, outbox deliveries, provider events, and the
    payments ledger's charges and refunds (`payments`, also among the `items`)."""

    booking_id: UUID
    items: list[TimelineItem]
    payments: list[LedgerEntry]
