"""The worker loop: it drains the outbox and expires holds, and a stop lets the batch in flight finish."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

import pytest

from adapters.memory.outbox import InMemoryOutboxQueue
from adapters.memory.senders import FakeSender
from application.outbox.deliver import DeliverOutboxMessages
from application.outbox.prune import PruneSettledMessages
from domain.outbox import OutboxMessage, OutboxState, RetryPolicy
from entrypoints.worker import Worker
from tests.application.builders import build


def a_worker(erp: FakeSender, *, messages: int, batch: int = 10) -> tuple[Worker, InMemoryOutboxQueue]:
    app = build()
    queue = InMemoryOutboxQueue(app.state)
    for _ in range(messages):
        booking = uuid.uuid4()
        queue.add(
            OutboxMessage("erp.booking_confirmed", f"booking_confirmed:{booking}:v1", booking),
            now=app.clock.now(),
        )
    deliver = DeliverOutboxMessages(
        queue, {"erp": erp}, app.clock, policy=RetryPolicy(), lease=timedelta(seconds=60), batch=batch
    )
    prune = PruneSettledMessages(queue, app.clock, retention_days=7)
    return Worker(app.expire_holds, deliver, prune, poll_seconds=0.05), queue


async def test_the_worker_drains_full_batches_back_to_back_then_waits() -> None:
    erp = FakeSender()
    worker, queue = a_worker(erp, messages=35)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    for _ in range(100):
        await asyncio.sleep(0.01)
        if len(erp.sent) == 35:
            break
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert {r.state for r in queue.rows.values()} == {OutboxState.DELIVERED}


async def test_a_stop_lets_the_deliveries_in_flight_finish_and_be_recorded() -> None:
    erp = FakeSender()
    erp.delay = 0.3
    worker, queue = a_worker(erp, messages=5)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    for _ in range(100):
        if erp.in_flight == 5:
            break
        await asyncio.sleep(0.01)

    stop.set()
    await asyncio.wait_for(task, timeout=2)

    assert len(erp.sent) == 5
    assert {r.state for r in queue.rows.values()} == {OutboxState.DELIVERED}


async def test_a_failing_round_does_not_stop_the_worker() -> None:
    class BrokenQueue(InMemoryOutboxQueue):
        calls = 0

        async def claim(self, **kwargs: object) -> list:  # type: ignore[override]
            BrokenQueue.calls += 1
            raise ConnectionError("database gone")

    app = build()
    queue = BrokenQueue(app.state)
    deliver = DeliverOutboxMessages(queue, {}, app.clock, policy=RetryPolicy(), lease=timedelta(seconds=60))
    worker = Worker(app.expire_holds, deliver, PruneSettledMessages(queue, app.clock, retention_days=7), 0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert BrokenQueue.calls > 2


async def test_the_worker_runs_the_retention_when_it_starts_and_logs_only_how_many(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Retention:
        calls = 0

        async def __call__(self) -> int:
            Retention.calls += 1
            return 2

    worker, _ = a_worker(FakeSender(), messages=0)
    worker.retention = Retention()  # type: ignore[assignment]
    stop = asyncio.Event()
    caplog.set_level(logging.INFO, "bookhub.worker")
    task = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert Retention.calls == 1  # at start, then once an hour
    assert "retention: erased 2 customers whose last booking ended long ago" in caplog.messages
