"""The payments ledger in memory, with the SQL one's rule: one row per (provider, provider_ref, kind)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from application.ports import LedgerEntry
from domain.events import DomainEvent, MoneyMoved


class MemoryLedger:
    def __init__(self, entries: list[LedgerEntry]) -> None:
        self._entries = entries

    def write(self, event: DomainEvent) -> None:
        if not isinstance(event, MoneyMoved):
            return
        key = (event.provider, event.provider_ref, event.kind)
        if any((e.provider, e.provider_ref, e.kind) == key for e in self._entries):
            return
        self._entries.append(
            LedgerEntry(
                event.provider,
                event.provider_ref,
                event.kind,
                event.amount_cents,
                event.currency,
                event.booking_id,
                event.extension_id,
                event.payment_ref,
                event.occurred_at,
            )
        )

    async def entry(self, provider: str, provider_ref: str, kind: str) -> LedgerEntry | None:
        key = (provider, provider_ref, kind)
        return next((e for e in self._entries if (e.provider, e.provider_ref, e.kind) == key), None)

    async def of_bookings(self, booking_ids: Sequence[UUID]) -> list[LedgerEntry]:
        return [e for e in self._entries if e.booking_id in set(booking_ids)]

    async def moved_between(self, start: datetime, end: datetime) -> list[UUID]:
        moved = sorted(
            (e for e in self._entries if start <= e.occurred_at < end), key=lambda e: e.occurred_at
        )
        return list(dict.fromkeys(e.booking_id for e in moved))
