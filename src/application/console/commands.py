"""Inputs and results of the staff console's overview queries: what the pages ask and are given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

# The day schedule's group of bookings that hold no resource (unassigned, or an offering without one).
NO_RESOURCE = ""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ScheduledBooking:
    booking_id: UUID
    start: datetime | None
    end: datetime | None
    offering_id: str
    offering_name: str
    status: str
    payment_status: str
    customer_name: str
    resource_id: str | None


@dataclass(frozen=True, slots=True)
class ResourceDay:
    """One resource's bookings of the day, by start; `resource_id` NO_RESOURCE for those without one."""

    resource_id: str
    resource_name: str
    bookings: Sequence[ScheduledBooking]


@dataclass(frozen=True, slots=True)
class DaySchedule:
    day: date
    zone: ZoneInfo
    resources: Sequence[ResourceDay]  # every catalog resource (empty ones too), then NO_RESOURCE if any

    @property
    def count(self) -> int:
        return sum(len(r.bookings) for r in self.resources)


@dataclass(frozen=True, slots=True)
class BookingSearch:
    text: str = ""
    status: str | None = None
    offering_id: str | None = None
    date_from: date | None = None  # local days of the business's zone, both inclusive
    date_to: date | None = None
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True, slots=True)
class BookingFilter:
    """A search as the read model takes it: the text already parsed, the days as instants."""

    id_prefix: str | None = None  # lowercase hex, without dashes, at most 32 digits
    email_prefix: str | None = None
    name_part: str | None = None
    status: str | None = None
    offering_id: str | None = None
    start_from: datetime | None = None
    start_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class BookingRow:
    booking_id: UUID
    offering_id: str
    status: str
    payment_status: str
    start: datetime | None
    customer_name: str
    customer_email: str
    amount_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True, slots=True)
class HourCount:
    """Deliveries and failures of one hour (its start, aware UTC)."""

    hour: datetime
    delivered: int
    failed: int


@dataclass(frozen=True, slots=True)
class IntegrationStatus:
    name: str
    mode: str  # connected, mock or disabled
    last_sync: datetime | None
    failures_in_a_row: int
    delivered_24h: int
    failed_24h: int


@dataclass(frozen=True, slots=True)
class WebhookRate:
    provider: str
    accepted: int
    refused: int

    @property
    def error_rate(self) -> float | None:
        """Refused over all received in the window; None when nothing came."""
        total = self.accepted + self.refused
        return None if total == 0 else self.refused / total


@dataclass(frozen=True, slots=True)
class IntegrationsReport:
    since: datetime
    until: datetime
    integrations: Sequence[IntegrationStatus]
    hours: Sequence[HourCount]  # 24 hours, oldest first, every integration together
    webhooks: Sequence[WebhookRate]


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    provider: str
    event_type: str
    outcome: str  # `accepted`: recorded once and handed to its use case
    received_at: datetime
