"""The outbox as a queue in SQL: claims with a lease (SKIP LOCKED on PostgreSQL), results in batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.activity import record_attempts
from adapters.persistence.database import Database
from adapters.persistence.dialect import upsert
from application.outbox_routes import integration_of
from application.ports import (
    ClaimedMessage,
    OutboxCounts,
    QueuedMessage,
    Settlement,
    SinkStatus,
)
from domain.outbox import OutboxState

o = t.outbox_messages.c
PENDING, DEAD = OutboxState.PENDING.value, OutboxState.DEAD.value
SETTLED = (OutboxState.DELIVERED.value, OutboxState.SKIPPED.value)


class SqlAlchemyOutboxReader:
    """The outbox's counts as a unit of work reads them, on its connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def counts(self) -> OutboxCounts:
        rows = await self._c.execute(
            sa.select(o.state, sa.func.count()).where(o.state.in_((PENDING, DEAD))).group_by(o.state)
        )
        by_state = {state: count for state, count in rows}
        return OutboxCounts(pending=by_state.get(PENDING, 0), dead=by_state.get(DEAD, 0))

    async def undelivered(
        self, booking_ids: Sequence[UUID], *, targets: Sequence[str]
    ) -> dict[UUID, set[str]]:
        found: dict[UUID, set[str]] = {}
        if not booking_ids:
            return found
        query = sa.select(o.booking_id, o.topic, o.state).where(
            o.booking_id.in_(list(booking_ids)), o.state.in_((PENDING, DEAD))
        )
        for row in await self._c.execute(query):
            if row.topic.partition(".")[0] in targets:
                found.setdefault(row.booking_id, set()).add(row.state)
        return found


class SqlOutboxQueue:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(self, *, now: datetime, lease: timedelta, limit: int) -> list[ClaimedMessage]:
        due = (
            sa.select(o.id)
            .where(
                o.state == PENDING,
                o.next_attempt_at <= now,
                sa.or_(o.claimed_until.is_(None), o.claimed_until < now),
            )
            .order_by(o.next_attempt_at)
            .limit(limit)
        )
        if self._db.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)  # other workers skip what this one is claiming
        statement = (
            t.outbox_messages.update()
            .where(o.id.in_(due.scalar_subquery()))
            .values(claimed_until=now + lease, attempts=o.attempts + 1)
            .returning(o.id, o.topic, o.idempotency_key, o.booking_id, o.payload, o.attempts)
        )
        async with self._db.writing() as c:
            rows = (await c.execute(statement)).all()
        return sorted(
            (
                ClaimedMessage(r.id, r.topic, r.idempotency_key, r.booking_id, r.payload, r.attempts)
                for r in rows
            ),
            key=lambda m: m.id,
        )

    async def settle(self, settlements: Sequence[Settlement], *, now: datetime) -> None:
        if not settlements:
            return
        async with self._db.writing() as c:
            for state in (OutboxState.DELIVERED, OutboxState.SKIPPED):
                ids = sorted(s.message.id for s in settlements if s.state is state)
                if ids:
                    await c.execute(
                        t.outbox_messages.update()
                        .where(o.id.in_(ids), o.state == PENDING)
                        .values(state=state.value, delivered_at=now, claimed_until=None)
                    )
            failed = [s for s in settlements if s.state in (OutboxState.PENDING, OutboxState.DEAD)]
            if failed:
                await c.execute(_FAILED, [_failure(s) for s in sorted(failed, key=lambda s: s.message.id)])
            await _record_sinks(c, settlements, now)
            await record_attempts(c, settlements, now)

    async def troubled(self, *, limit: int) -> list[QueuedMessage]:
        query = (
            sa.select(o.id, o.topic, o.booking_id, o.state, o.attempts, o.next_attempt_at, o.last_error)
            .where(sa.or_(o.state == DEAD, sa.and_(o.state == PENDING, o.last_error.is_not(None))))
            .order_by(o.next_attempt_at.desc(), o.id.desc())
            .limit(limit)
        )
        async with self._db.engine.connect() as c:
            rows = (await c.execute(query)).all()
        return [
            QueuedMessage(
                r.id, r.topic, r.booking_id, OutboxState(r.state), r.attempts, r.next_attempt_at, r.last_error
            )
            for r in rows
        ]

    async def retry(self, message_id: int, *, now: datetime) -> OutboxState | None:
        async with self._db.writing() as c:
            put_back = await c.execute(
                t.outbox_messages.update()
                .where(o.id == message_id, o.state == DEAD)
                .values(state=PENDING, attempts=0, next_attempt_at=now, claimed_until=None, last_error=None)
                .returning(o.id)
            )
            if put_back.first() is not None:
                return OutboxState.DEAD
            state = (await c.execute(sa.select(o.state).where(o.id == message_id))).scalar()
        return None if state is None else OutboxState(state)

    async def prune(self, *, settled_before: datetime, limit: int) -> int:
        old = (
            sa.select(o.id).where(o.state.in_(SETTLED), o.delivered_at < settled_before).limit(limit)
        ).scalar_subquery()
        async with self._db.writing() as c:
            result = await c.execute(t.outbox_messages.delete().where(o.id.in_(old)))
        return int(result.rowcount)

    async def counts(self, *, now: datetime | None = None) -> OutboxCounts:
        """Pending messages never tried and due after `now` (reminders) are `scheduled`, not a backlog."""
        later = sa.false() if now is None else sa.and_(o.attempts == 0, o.next_attempt_at > now)
        state = sa.case((sa.and_(o.state == PENDING, later), "scheduled"), else_=o.state)
        query = (
            sa.select(state, sa.func.count(), sa.func.min(o.created_at))
            .where(o.state.in_((PENDING, DEAD)))
            .group_by(state)
        )
        async with self._db.engine.connect() as c:
            rows = {name: (count, oldest) for name, count, oldest in await c.execute(query)}
        pending, oldest = rows.get(PENDING, (0, None))
        return OutboxCounts(
            pending=pending,
            dead=rows.get(DEAD, (0, None))[0],
            oldest_pending_at=oldest,
            scheduled=rows.get("scheduled", (0, None))[0],
        )

    async def sinks(self) -> list[SinkStatus]:
        s = t.outbox_sinks.c
        async with self._db.engine.connect() as c:
            rows = await c.execute(sa.select(s.integration, s.last_success_at, s.failures_in_a_row))
            return [SinkStatus(r.integration, r.last_success_at, r.failures_in_a_row) for r in rows]


# A result for a message that was claimed again since (attempts moved on) or settled meanwhile is dropped.
_FAILED = (
    t.outbox_messages.update()
    .where(o.id == sa.bindparam("m_id"), o.state == PENDING, o.attempts == sa.bindparam("m_attempts"))
    .values(
        state=sa.bindparam("m_state"),
        next_attempt_at=sa.func.coalesce(sa.bindparam("m_next", type_=t.UtcDateTime), o.next_attempt_at),
        last_error=sa.bindparam("m_error"),
        claimed_until=None,
    )
)


def _failure(s: Settlement) -> dict[str, object]:
    return {
        "m_id": s.message.id,
        "m_attempts": s.message.attempts,
        "m_state": s.state.value,
        "m_next": s.next_attempt_at,
        "m_error": s.error,
    }


async def _record_sinks(c: AsyncConnection, settlements: Sequence[Settlement], now: datetime) -> None:
    """Per integration, in the order of the batch: a success resets the failures in a row."""
    tally: dict[str, tuple[bool, int]] = {}
    for s in settlements:
        succeeded, failures = tally.get(integration_of(s.message.topic), (False, 0))
        if s.state is OutboxState.DELIVERED:
            succeeded, failures = True, 0
        elif s.state is not OutboxState.SKIPPED:
            failures += 1
        tally[integration_of(s.message.topic)] = (succeeded, failures)
    s_ = t.outbox_sinks.c
    for name, (succeeded, failures) in sorted(tally.items()):
        if not succeeded and not failures:
            continue
        insert = upsert(c, t.outbox_sinks).values(
            integration=name,
            last_success_at=now if succeeded else None,
            last_failure_at=now if failures else None,
            failures_in_a_row=failures,
        )
        changes: dict[str, object] = {
            "failures_in_a_row": failures if succeeded else s_.failures_in_a_row + failures
        }
        if succeeded:
            changes["last_success_at"] = now
        if failures:
            changes["last_failure_at"] = now
        await c.execute(insert.on_conflict_do_update(index_elements=[s_.integration], set_=changes))
