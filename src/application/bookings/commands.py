"""Commands and results of this package's use cases: what callers and adapters hand in and get back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from application.payments.commands import PaymentSession
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
