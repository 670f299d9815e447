"""Acceptance: two `bookhub worker` processes on PostgreSQL, a slow ERP and Odoo, one worker SIGKILLed
mid-run and a new one started. Every confirmed booking reaches the ERP and has exactly one invoice in
Odoo; the test prints how many ERP deliveries repeated."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.persistence import tables as t
from adapters.persistence.migrate import migrate
from application.bookings.commands import CreateBooking, CustomerDetails
from application.payments.commands import PaymentOutcome, PaymentSucceeded
from entrypoints.container import build_container
from entrypoints.settings import Settings
from tests.e2e.test_process import BOOKHUB, _env
from tests.support.app import CATALOG
from tests.support.databases import throwaway_postgres
from tests.support.odoo import DB as ODOO_DB
from tests.support.odoo import LOGIN as ODOO_LOGIN
from tests.support.odoo import PASSWORD as ODOO_PASSWORD
from tests.support.odoo import fake_odoo
from tests.support.sink import http_sink

BOOKINGS = 200
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def _confirm_bookings(url: str) -> set[str]:
    container = build_container(Settings(database_url=url, catalog_path=CATALOG))
    await migrate(container.database().engine)
    first = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    keys = set()
    try:
        for i in range(BOOKINGS):
            created = await container.create_booking()(
                CreateBooking(
                    "van-transfer",
                    CustomerDetails(name="Ada Lovelace", email=f"ada{i}@example.com"),
                    start=first + timedelta(minutes=90 * i),
                )
            )
            paid = PaymentSucceeded("sandbox", f"evt_{i}", created.booking_id, 8500, "EUR")
            assert await container.payment_events()(paid) is PaymentOutcome.APPLIED
            keys.add(f"booking_confirmed:{created.booking_id}:v1")
    finally:
        await container.database().dispose()
    return keys


async def _states(url: str, target: str) -> Counter[str]:
    container = build_container(Settings(database_url=url, catalog_path=CATALOG))
    o = t.outbox_messages.c
    try:
        async with container.database().engine.connect() as c:
            rows = await c.execute(
                sa.select(o.state, sa.func.count()).where(o.topic.startswith(f"{target}.")).group_by(o.state)
            )
            return Counter({state: count for state, count in rows})
    finally:
        await container.database().dispose()


async def test_two_workers_one_killed_deliver_every_booking_to_the_erp_and_odoo_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with throwaway_postgres() as url:
        expected = await _confirm_bookings(url)
        with http_sink(delay=0.05) as sink, fake_odoo() as odoo:
            env = _env(
                tmp_path,
                BOOKHUB_DATABASE_URL=url,
                ERP_INGEST_URL=sink.url,
                BOOKING_INGEST_SECRET="acceptance-secret",
                ODOO_URL=odoo.url,
                ODOO_DB=ODOO_DB,
                ODOO_USERNAME=ODOO_LOGIN,
                ODOO_PASSWORD=ODOO_PASSWORD,
                BOOKHUB_CLAIM_LEASE_SECONDS="3",
                BOOKHUB_OUTBOX_BATCH="10",
                BOOKHUB_OUTBOX_CONCURRENCY="5",
                BOOKHUB_WORKER_POLL_SECONDS="0.2",
            )
            logs = [(tmp_path / f"worker-{n}.log").open("w") for n in range(3)]

            def start(n: int) -> subprocess.Popen[bytes]:
                return subprocess.Popen(
                    [BOOKHUB, "worker"], env=env, stdout=logs[n], stderr=subprocess.STDOUT
                )

            workers = [start(0), start(1)]
            try:
                deadline = time.monotonic() + 60
                for _ in range(3000):  # a quarter delivered: kill one worker mid-run
                    if len(sink.received) >= BOOKINGS // 4:
                        break
                    await asyncio.sleep(0.02)
                os.kill(workers[0].pid, signal.SIGKILL)
                workers[0].wait(timeout=10)
                workers.append(start(2))
                while time.monotonic() < deadline:
                    delivered = {r.json()["idempotency_key"] for r in sink.received}
                    erp, odoo_left = await _states(url, "erp"), await _states(url, "odoo")
                    settled = erp.get("pending", 0) == odoo_left.get("pending", 0) == 0
                    if delivered >= expected and settled:
                        break
                    await asyncio.sleep(0.2)
                for process in workers[1:]:
                    process.send_signal(signal.SIGTERM)
                    assert process.wait(timeout=20) == 0
            finally:
                for process in workers:
                    if process.poll() is None:
                        process.kill()
                for log in logs:
                    log.close()
            keys = Counter(r.json()["idempotency_key"] for r in sink.received)
            invoices = Counter(
                m["ref"] for m in odoo.records("account.move") if m["move_type"] == "out_invoice"
            )

        states = await _states(url, "erp")
        odoo_states = await _states(url, "odoo")
    repeated = sum(n - 1 for n in keys.values())
    with capsys.disabled():
        print(
            f"\nERP deliveries: {len(keys)} bookings, {sum(keys.values())} requests, "
            f"{repeated} repeated (same idempotency key) after one worker was SIGKILLed"
        )
    assert set(keys) == expected
    assert states == Counter({"delivered": BOOKINGS})
    assert odoo_states.get("pending", 0) == odoo_states.get("dead", 0) == 0
    assert {f"booking_confirmed:{ref}:v1" for ref in invoices} == expected
    assert set(invoices.values()) == {1}  # exactly one invoice per booking, retries and kill included
    assert {r.headers["x-ingest-secret"] for r in sink.received} == {"acceptance-secret"}
