"""One contract for the outbox queue, run on the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory.outbox import InMemoryOutboxQueue
from adapters.persistence import tables as t
from adapters.persistence.database import Database
from adapters.persistence.outbox_queue import SqlOutboxQueue
from application.ports import OutboxQueue, Settlement
from domain.outbox import OutboxMessage, OutboxState
from tests.support.databases import migrated, throwaway_postgres

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


@dataclass
class Subject:
    queue: OutboxQueue
    add: Callable[[OutboxMessage, datetime], Awaitable[None]]
    database: Database | None = None


async def _sql_subject(url: str) -> AsyncIterator[Subject]:
    async with migrated(url) as database:

        async def add(message: OutboxMessage, at: datetime) -> None:
            async with database.writing() as c:
                await c.execute(
                    t.outbox_messages.insert(),
                    {
                        "topic": message.topic,
                        "idempotency_key": message.idempotency_key,
                        "booking_id": message.booking_id,
                        "payload": message.payload,
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": message.available_at or at,
                        "created_at": at,
                    },
                )

        yield Subject(SqlOutboxQueue(database), add, database)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def subject(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Subject]:
    if request.param == "memory":
        queue = InMemoryOutboxQueue()

        async def add(message: OutboxMessage, at: datetime) -> None:
            queue.add(message, now=at)

        yield Subject(queue, add)
    elif request.param == "sqlite":
        async for s in _sql_subject(f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}"):
            yield s
    else:
        async with throwaway_postgres() as url:
            async for s in _sql_subject(url):
                yield s


def erp(n: int = 0, *, available_at: datetime | None = None) -> OutboxMessage:
    booking = uuid.UUID(int=n + 1)
    return OutboxMessage(
        "erp.booking_confirmed", f"booking_confirmed:{booking}:v1", booking, available_at=available_at
    )


async def test_a_claim_takes_due_messages_oldest_first_and_counts_the_attempt(subject: Subject) -> None:
    await subject.add(erp(0, available_at=T0 + timedelta(seconds=5)), T0)
    await subject.add(erp(1, available_at=T0 - timedelta(seconds=5)), T0)
    await subject.add(erp(2, available_at=T0 + timedelta(hours=1)), T0)
    await subject.add(erp(3), T0)

    claimed = await subject.queue.claim(now=T0 + timedelta(seconds=10), lease=LEASE, limit=2)

    assert sorted(m.booking_id.int - 1 for m in claimed if m.booking_id) == [1, 3]
    assert {m.attempts for m in claimed} == {1}
    assert {m.idempotency_key for m in claimed} >= {erp(1).idempotency_key}
    assert claimed[0].topic == "erp.booking_confirmed"


async def test_a_claimed_message_is_held_for_the_lease_then_taken_again(subject: Subject) -> None:
    await subject.add(erp(), T0)
    [first] = await subject.queue.claim(now=T0, lease=LEASE, limit=10)
    assert await subject.queue.claim(now=T0 + timedelta(seconds=59), lease=LEASE, limit=10) == []
    [second] = await subject.queue.claim(now=T0 + timedelta(seconds=61), lease=LEASE, limit=10)
    assert (first.id, first.attempts, second.id, second.attempts) == (first.id, 1, first.id, 2)


async def test_results_are_recorded_in_one_batch(subject: Subject) -> None:
    for n in range(3):
        await subject.add(erp(n), T0)
    a, b, c = await subject.queue.claim(now=T0, lease=LEASE, limit=10)
    later = T0 + timedelta(seconds=1)
    await subject.queue.settle(
        [
            Settlement(a, OutboxState.DELIVERED),
            Settlement(b, OutboxState.PENDING, later + timedelta(seconds=2), "erp answered 503"),
            Settlement(c, OutboxState.DEAD, None, "erp answered 400"),
        ],
        now=later,
    )

    listed = {m.id: m for m in await subject.queue.troubled(limit=10)}
    assert set(listed) == {b.id, c.id}
    assert (listed[b.id].state, listed[b.id].attempts, listed[b.id].last_error) == (
        OutboxState.PENDING,
        1,
        "erp answered 503",
    )
    assert listed[b.id].next_attempt_at == later + timedelta(seconds=2)
    assert (listed[c.id].state, listed[c.id].last_error) == (OutboxState.DEAD, "erp answered 400")
    counts = await subject.queue.counts()
    assert (counts.pending, counts.dead, counts.oldest_pending_at) == (1, 1, T0)
    [erp_sink] = await subject.queue.sinks()
    assert (erp_sink.integration, erp_sink.last_success_at, erp_sink.failures_in_a_row) == ("erp", later, 2)

    [again] = await subject.queue.claim(now=later + timedelta(seconds=2), lease=LEASE, limit=10)
    assert (again.id, again.attempts) == (b.id, 2)


async def test_a_late_result_from_a_worker_whose_lease_ran_out_changes_nothing(subject: Subject) -> None:
    await subject.add(erp(), T0)
    [first] = await subject.queue.claim(now=T0, lease=LEASE, limit=10)
    [second] = await subject.queue.claim(now=T0 + timedelta(seconds=61), lease=LEASE, limit=10)
    at = T0 + timedelta(seconds=62)

    await subject.queue.settle([Settlement(first, OutboxState.PENDING, at, "erp timed out")], now=at)
    assert await subject.queue.troubled(limit=10) == []
    await subject.queue.settle([Settlement(second, OutboxState.DELIVERED)], now=at)
    await subject.queue.settle([Settlement(first, OutboxState.DEAD, None, "erp timed out")], now=at)

    assert (await subject.queue.counts()).pending == 0
    assert await subject.queue.troubled(limit=10) == []
    assert await subject.queue.claim(now=T0 + timedelta(hours=1), lease=LEASE, limit=10) == []


async def test_an_admin_puts_a_dead_message_back_with_its_attempts_reset(subject: Subject) -> None:
    await subject.add(erp(0), T0)
    await subject.add(erp(1), T0)
    dead, pending = await subject.queue.claim(now=T0, lease=LEASE, limit=10)
    await subject.queue.settle([Settlement(dead, OutboxState.DEAD, None, "erp answered 400")], now=T0)

    assert await subject.queue.retry(dead.id, now=T0 + timedelta(seconds=30)) is OutboxState.DEAD
    assert await subject.queue.retry(dead.id, now=T0) is OutboxState.PENDING
    assert await subject.queue.retry(pending.id, now=T0) is OutboxState.PENDING
    assert await subject.queue.retry(10_000, now=T0) is None
    back = await subject.queue.claim(now=T0 + timedelta(seconds=30), lease=LEASE, limit=10)
    assert [(m.id, m.attempts) for m in back] == [(dead.id, 1)]


async def test_settled_messages_are_pruned_after_the_retention_and_others_kept(subject: Subject) -> None:
    for n in range(5):
        await subject.add(erp(n), T0)
    claimed = await subject.queue.claim(now=T0, lease=LEASE, limit=10)
    await subject.queue.settle(
        [Settlement(m, OutboxState.DELIVERED) for m in claimed[:2]]
        + [Settlement(claimed[2], OutboxState.SKIPPED)]
        + [Settlement(claimed[3], OutboxState.DEAD, None, "erp answered 400")],
        now=T0,
    )
    assert await subject.queue.prune(settled_before=T0, limit=10) == 0
    assert await subject.queue.prune(settled_before=T0 + timedelta(seconds=1), limit=2) == 2
    assert await subject.queue.prune(settled_before=T0 + timedelta(seconds=1), limit=2) == 1
    counts = await subject.queue.counts()
    assert (counts.pending, counts.dead) == (1, 1)


async def test_a_success_after_failures_resets_the_sinks_failures_in_a_row(subject: Subject) -> None:
    for n in range(4):
        await subject.add(erp(n), T0)
    a, b, c, d = await subject.queue.claim(now=T0, lease=LEASE, limit=10)
    later = T0 + timedelta(hours=1)
    failed = [Settlement(m, OutboxState.PENDING, later, "erp answered 503") for m in (a, b)]
    await subject.queue.settle(failed, now=T0)
    await subject.queue.settle([Settlement(c, OutboxState.DELIVERED)], now=later)
    await subject.queue.settle([Settlement(d, OutboxState.PENDING, later, "erp answered 503")], now=later)
    [sink] = await subject.queue.sinks()
    assert (sink.last_success_at, sink.failures_in_a_row) == (later, 1)


@pytest.mark.postgres
async def test_workers_claiming_at_once_on_postgresql_never_get_the_same_message() -> None:
    async with throwaway_postgres() as url:
        async for s in _sql_subject(url):
            for n in range(200):
                await s.add(erp(n), T0)
            queues = [SqlOutboxQueue(s.database) for _ in range(8)] if s.database else []

            async def drain(queue: SqlOutboxQueue) -> list[int]:
                got: list[int] = []
                while batch := await queue.claim(now=T0, lease=LEASE, limit=7):
                    got += [m.id for m in batch]
                return got

            claimed = [i for got in await asyncio.gather(*(drain(q) for q in queues)) for i in got]
            assert len(claimed) == len(set(claimed)) == 200
