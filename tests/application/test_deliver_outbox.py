"""Delivering the outbox on in-memory adapters: retries with backoff, dead letters, the sync queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.outbox import InMemoryOutboxQueue
from adapters.memory.senders import FakeSender
from application.errors import NotDead, NotFound, ProviderRejected, ProviderUnavailable
from application.outbox.commands import DeliveryOutcome
from application.outbox.deliver import DeliverOutboxMessages
from application.outbox.health import GetHealth
from application.outbox.prune import PruneSettledMessages
from application.outbox.sync_queue import ListSyncQueue, RetryOutboxMessage
from application.payments.commands import PaymentSucceeded
from application.ports import Settlement
from domain.outbox import OutboxMessage, OutboxState, RetryPolicy
from tests.application.builders import a_booking, build

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def erp_message(booking_id: object = None) -> OutboxMessage:
    booking = booking_id or uuid4()
    return OutboxMessage("erp.booking_confirmed", f"booking_confirmed:{booking}:v1", booking)  # type: ignore[arg-type]


def deliverer(
    queue: InMemoryOutboxQueue, clock: FixedClock, policy: RetryPolicy | None = None, **senders: FakeSender
) -> DeliverOutboxMessages:
    return DeliverOutboxMessages(
        queue, senders, clock, policy=policy or RetryPolicy(), lease=LEASE, random=lambda: 1.0
    )


async def test_a_paid_booking_reaches_the_erp_and_its_email_and_sms_once() -> None:
    app = build(now=T0)
    created = await app.create(a_booking())
    await app.payment_event(PaymentSucceeded("sandbox", "evt_1", created.booking_id, 8500, "EUR"))
    queue, erp, email, sms = InMemoryOutboxQueue(app.state), FakeSender(), FakeSender(), FakeSender()
    deliver = deliverer(
        queue, app.clock, erp=erp, email=email, sms=sms, odoo=FakeSender(), reminders=FakeSender()
    )

    first = await deliver()
    again = await deliver()

    assert sorted((d.topic, d.outcome) for d in first) == [
        ("email.booking_confirmed", DeliveryOutcome.DELIVERED),
        ("erp.booking_confirmed", DeliveryOutcome.DELIVERED),
        ("odoo.booking_created", DeliveryOutcome.DELIVERED),
        ("odoo.booking_paid", DeliveryOutcome.DELIVERED),
        ("reminders.plan", DeliveryOutcome.DELIVERED),
        ("sms.booking_confirmed", DeliveryOutcome.DELIVERED),
    ]
    assert again == []
    assert [m.idempotency_key for m in erp.sent] == [f"booking_confirmed:{created.booking_id}:v1"]
    assert [m.booking_id for m in email.sent] == [created.booking_id]


async def test_an_unavailable_sink_is_retried_with_backoff_then_delivered() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    queue.add(erp_message(), now=T0)
    erp = FakeSender(ProviderUnavailable("erp answered 503"), ProviderUnavailable("erp timed out"))
    deliver = deliverer(queue, clock, erp=erp)

    assert [d.outcome for d in await deliver()] == [DeliveryOutcome.RETRYING]
    assert await deliver() == []  # not due before base delay
    clock.advance(timedelta(seconds=2))
    assert [d.outcome for d in await deliver()] == [DeliveryOutcome.RETRYING]
    row = queue.rows[1]
    assert (row.attempts, row.last_error, row.next_attempt_at) == (
        2,
        "erp timed out",
        T0 + timedelta(seconds=6),
    )
    clock.advance(timedelta(seconds=4))
    assert [d.outcome for d in await deliver()] == [DeliveryOutcome.DELIVERED]
    assert queue.rows[1].state is OutboxState.DELIVERED


async def test_a_message_is_dead_after_its_topics_last_attempt_and_retried_by_an_admin() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    queue.add(erp_message(), now=T0)
    erp = FakeSender(*[ProviderUnavailable("erp answered 503")] * 3)
    deliver = deliverer(queue, clock, RetryPolicy(max_attempts=3), erp=erp)

    outcomes = []
    for _ in range(3):
        outcomes += [d.outcome for d in await deliver()]
        clock.advance(timedelta(hours=1))

    assert outcomes == [DeliveryOutcome.RETRYING, DeliveryOutcome.RETRYING, DeliveryOutcome.DEAD]
    [listed] = await ListSyncQueue(queue)()
    assert (listed.state, listed.attempts, listed.last_error) == (OutboxState.DEAD, 3, "erp answered 503")
    await RetryOutboxMessage(queue, clock)(listed.id)
    assert [d.outcome for d in await deliver()] == [DeliveryOutcome.DELIVERED]
    assert await ListSyncQueue(queue)() == []


async def test_only_a_dead_message_can_be_retried() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    row = queue.add(erp_message(), now=T0)
    retry = RetryOutboxMessage(queue, clock)
    with pytest.raises(NotDead):
        await retry(row.id)
    with pytest.raises(NotFound):
        await retry(999)


async def test_odoo_gets_three_attempts_by_default() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    queue.add(OutboxMessage("odoo.invoice_booking", "odoo.invoice_booking:1", uuid4()), now=T0)
    deliver = deliverer(queue, clock, odoo=FakeSender(*[ProviderUnavailable("odoo down")] * 9))
    outcomes = []
    for _ in range(3):
        outcomes += [d.outcome for d in await deliver()]
        clock.advance(timedelta(hours=1))
    assert outcomes == [DeliveryOutcome.RETRYING, DeliveryOutcome.RETRYING, DeliveryOutcome.DEAD]


async def test_a_rejected_call_is_dead_at_once_and_other_messages_of_the_batch_go_on() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    queue.add(erp_message(), now=T0)
    queue.add(erp_message(), now=T0)
    erp = FakeSender(ProviderRejected("erp answered 400"))
    outcomes = sorted(d.outcome for d in await deliverer(queue, clock, erp=erp)())
    assert outcomes == [DeliveryOutcome.DEAD, DeliveryOutcome.DELIVERED]


async def test_a_topic_without_a_sender_is_dead_and_an_adapter_bug_is_retried() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    queue.add(OutboxMessage("fax.booking_confirmed", "fax:1", uuid4()), now=T0)
    queue.add(erp_message(), now=T0)
    erp = FakeSender(KeyError("ada@example.com"))

    await deliverer(queue, clock, erp=erp)()

    assert (queue.rows[1].state, queue.rows[1].last_error) == (
        OutboxState.DEAD,
        "no sender for topic fax.booking_confirmed",
    )
    assert (queue.rows[2].state, queue.rows[2].last_error) == (OutboxState.PENDING, "unexpected KeyError")


async def test_deliveries_of_a_batch_run_concurrently_within_the_bound() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    for _ in range(30):
        queue.add(erp_message(), now=T0)
    erp = FakeSender()
    erp.delay = 0.01
    deliver = DeliverOutboxMessages(
        queue, {"erp": erp}, clock, policy=RetryPolicy(), lease=LEASE, batch=25, concurrency=10
    )
    assert len(await deliver()) == 25
    assert erp.most_in_flight == 10
    assert len(await deliver()) == 5


async def test_a_lapsed_claim_is_taken_again_and_the_late_result_of_the_first_worker_is_ignored() -> None:
    queue = InMemoryOutboxQueue()
    queue.add(erp_message(), now=T0)
    first = await queue.claim(now=T0, lease=LEASE, limit=10)
    assert await queue.claim(now=T0 + timedelta(seconds=30), lease=LEASE, limit=10) == []
    second = await queue.claim(now=T0 + timedelta(seconds=61), lease=LEASE, limit=10)
    assert [m.attempts for m in first + second] == [1, 2]

    later = T0 + timedelta(seconds=62)
    await queue.settle([Settlement(second[0], OutboxState.DELIVERED)], now=later)
    await queue.settle([Settlement(first[0], OutboxState.PENDING, later, "erp timed out")], now=later)
    assert queue.rows[1].state is OutboxState.DELIVERED


async def test_settled_messages_are_pruned_after_the_retention() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    for _ in range(3):
        queue.add(erp_message(), now=T0)
    await deliverer(queue, clock, erp=FakeSender())()
    prune = PruneSettledMessages(queue, clock, retention_days=7, batch=2)
    assert await prune() == 0
    clock.advance(timedelta(days=7, seconds=1))
    assert await prune() == 3
    assert queue.rows == {}


async def test_health_is_degraded_by_dead_messages_and_by_a_sink_that_keeps_failing() -> None:
    clock, queue = FixedClock(T0), InMemoryOutboxQueue()
    health = GetHealth(queue, clock, integrations={"erp": "connected", "resend": "mock"})
    for _ in range(3):
        queue.add(erp_message(), now=T0)
    assert (await health()).status == "ok"
    clock.advance(timedelta(seconds=90))
    report = await health()
    assert (report.pending, report.dead, report.oldest_pending_age_seconds) == (3, 0, 90.0)

    await deliverer(queue, clock, erp=FakeSender(*[ProviderUnavailable("erp answered 503")] * 3))()
    report = await health()
    assert (report.status, report.failing, report.last_sync) == (
        "degraded",
        ("erp",),
        {"erp": None, "resend": None},
    )

    clock.advance(timedelta(hours=1))
    await deliverer(queue, clock, erp=FakeSender())()
    report = await health()
    assert (report.status, report.last_sync["erp"], report.pending) == ("ok", clock.now(), 0)
