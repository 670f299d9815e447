"""An in-memory outbox queue with the SQL queue's rules: leases, attempts counted at claim, stale results
ignored. It takes the messages a FakeUnitOfWork commits into its MemoryState."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.memory.store import MemoryState
from application.outbox_routes import integration_of
from application.ports import (
    ClaimedMessage,
    OutboxCounts,
    OutboxQueue,
    QueuedMessage,
    Settlement,
    SinkStatus,
)
from domain.outbox import OutboxMessage, OutboxState


@dataclass(slots=True)
class Row:
    id: int
    message: OutboxMessage
    created_at: datetime
    next_attempt_at: datetime
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    claimed_until: datetime | None = None
    last_error: str | None = None
    settled_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def claimed(self) -> ClaimedMessage:
        m = self.message
        return ClaimedMessage(self.id, m.topic, m.idempotency_key, m.booking_id, self.payload, self.attempts)


class InMemoryOutboxQueue:
    def __init__(self, state: MemoryState | None = None) -> None:
        self.state = state if state is not None else MemoryState()
        self.rows: dict[int, Row] = {}
        self._sinks: dict[str, SinkStatus] = {}
        self._taken = 0  # how many of state.outbox are rows already

    def add(self, message: OutboxMessage, *, now: datetime) -> Row:
        row = Row(
            len(self.rows) + 1, message, now, message.available_at or now, payload=dict(message.payload)
        )
        self.rows[row.id] = row
        return row

    def take_committed(self, now: datetime) -> list[Row]:
        """Every row, the messages committed since taken as rows written `now`."""
        self._take_committed(now)
        return list(self.rows.values())

    def _take_committed(self, now: datetime) -> None:
        for message in self.state.outbox[self._taken :]:
            self.add(message, now=now)
        self._taken = len(self.state.outbox)

    async def claim(self, *, now: datetime, lease: timedelta, limit: int) -> list[ClaimedMessage]:
        self._take_committed(now)
        due = sorted(
            (
                r
                for r in self.rows.values()
                if r.state is OutboxState.PENDING
                and r.next_attempt_at <= now
                and (r.claimed_until is None or r.claimed_until < now)
            ),
            key=lambda r: (r.next_attempt_at, r.id),
        )[:limit]
        for row in due:
            row.claimed_until, row.attempts = now + lease, row.attempts + 1
        return [r.claimed() for r in due]

    async def settle(self, settlements: Sequence[Settlement], *, now: datetime) -> None:
        for s in settlements:
            row = self.rows[s.message.id]
            if row.state is not OutboxState.PENDING:
                continue  # delivered meanwhile by a worker that claimed it after this one's lease ran out
            if s.state is not OutboxState.DELIVERED and row.attempts != s.message.attempts:
                continue  # claimed again since: that worker's result counts
            row.state, row.claimed_until = s.state, None
            if s.state in (OutboxState.DELIVERED, OutboxState.SKIPPED):
                row.settled_at = now
            else:
                row.last_error = s.error
                if s.next_attempt_at is not None:
                    row.next_attempt_at = s.next_attempt_at
            self._record_sink(s, now)

    def _record_sink(self, s: Settlement, now: datetime) -> None:
        name = integration_of(s.message.topic)
        was = self._sinks.get(name, SinkStatus(name, None, 0))
        if s.state is OutboxState.DELIVERED:
            self._sinks[name] = SinkStatus(name, now, 0)
        elif s.state is not OutboxState.SKIPPED:
            self._sinks[name] = SinkStatus(name, was.last_success_at, was.failures_in_a_row + 1)

    async def troubled(self, *, limit: int) -> list[QueuedMessage]:
        rows = [
            r
            for r in self.rows.values()
            if r.state is OutboxState.DEAD or (r.state is OutboxState.PENDING and r.last_error is not None)
        ]
        rows.sort(key=lambda r: (r.next_attempt_at, r.id), reverse=True)
        return [
            QueuedMessage(
                r.id,
                r.message.topic,
                r.message.booking_id,
                r.state,
                r.attempts,
                r.next_attempt_at,
                r.last_error,
            )
            for r in rows[:limit]
        ]

    async def retry(self, message_id: int, *, now: datetime) -> OutboxState | None:
        row = self.rows.get(message_id)
        if row is None:
            return None
        if row.state is OutboxState.DEAD:
            row.state, row.attempts, row.claimed_until = OutboxState.PENDING, 0, None
            row.next_attempt_at, row.last_error = now, None
            return OutboxState.DEAD
        return row.state

    async def prune(self, *, settled_before: datetime, limit: int) -> int:
        old = [
            r.id for r in self.rows.values() if r.settled_at is not None and r.settled_at < settled_before
        ][:limit]
        for i in old:
            del self.rows[i]
        return len(old)

    async def counts(self, *, now: datetime | None = None) -> OutboxCounts:
        waiting = [r for r in self.rows.values() if r.state is OutboxState.PENDING]
        later = [r for r in waiting if now is not None and r.attempts == 0 and r.next_attempt_at > now]
        pending = [r for r in waiting if r not in later]
        dead = sum(1 for r in self.rows.values() if r.state is OutboxState.DEAD)
        oldest = min((r.created_at for r in pending), default=None)
        return OutboxCounts(pending=len(pending), dead=dead, oldest_pending_at=oldest, scheduled=len(later))

    async def sinks(self) -> list[SinkStatus]:
        return list(self._sinks.values())


_: OutboxQueue = InMemoryOutboxQueue()
