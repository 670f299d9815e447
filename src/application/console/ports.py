"""What the console's overview queries read, and the record of integration activity the worker and the
webhook routes keep (hourly counts, pruned with the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from application.console.commands import BookingFilter, BookingRow, HourCount, ScheduledBooking, WebhookEvent


class ConsoleReadModel(Protocol):
    async def bookings_starting(
        self, start: datetime, end: datetime, *, statuses: Sequence[str], now: datetime
    ) -> list[ScheduledBooking]:
        """Bookings in `statuses` starting in [start, end), by start; a pending_payment one only while its
        hold lasts. `offering_name` is left empty for the caller to fill from the catalog."""
        ...

    async def search_bookings(self, where: BookingFilter, *, offset: int, limit: int) -> list[BookingRow]:
        """Matching bookings, latest start first (those without a start first), then by id."""
        ...

    async def delivery_hours(self, since: datetime) -> dict[str, list[HourCount]]:
        """By integration, the hours from `since` that saw a delivery attempt."""
        ...

    async def webhook_counts(self, providers: Sequence[str], since: datetime) -> dict[str, tuple[int, int]]:
        """By provider among `providers`, (events accepted, posts refused) since `since`."""
        ...

    async def webhook_events(self, provider: str | None, *, offset: int, limit: int) -> list[WebhookEvent]:
        """Received events, newest first."""
        ...


class ActivityLog(Protocol):
    async def prune(self, *, before: datetime) -> int:
        """Forgets the hourly counts of deliveries and refusals older than `before`; returns how many."""
        ...


class WebhookRefusals(Protocol):
    async def refused(self, provider: str, code: str, *, now: datetime) -> None:
        """Counts one refused webhook post (bad signature or payload) in its hour."""
        ...


class DeadLetters(Protocol):
    async def retry_dead(self, integration: str, *, now: datetime) -> int:
        """Puts every dead message that `integration` delivers back to pending; returns how many."""
        ...
