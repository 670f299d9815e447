"""`bookhub outbox list|retry` and `bookhub worker` as real processes on an embedded SQLite file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from adapters.persistence import tables as t
from tests.e2e.test_process import BOOKHUB, _env
from tests.support.databases import migrated
from tests.support.sink import http_sink

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _enqueue(url: str, *, state: str, attempts: int = 0, last_error: str | None = None) -> uuid.UUID:
    booking = uuid.uuid4()

    async def insert() -> None:
        async with migrated(url) as database, database.writing() as c:
            await c.execute(
                t.outbox_messages.insert(),
                {
                    "topic": "erp.booking_confirmed",
                    "idempotency_key": f"booking_confirmed:{booking}:v1",
                    "booking_id": booking,
                    "payload": {},
                    "state": state,
                    "attempts": attempts,
                    "last_error": last_error,
                    "next_attempt_at": T0,
                    "created_at": T0,
                },
            )

    asyncio.run(insert())
    return booking


def _bookhub(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BOOKHUB, *args], env=_env(tmp_path, **env), capture_output=True, text=True, timeout=60
    )


def test_an_admin_lists_the_sync_queue_and_retries_a_dead_message_from_the_shell(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}"
    booking = _enqueue(url, state="dead", attempts=8, last_error="erp answered HTTP 503")

    listed = _bookhub(tmp_path, "outbox", "list")
    assert listed.returncode == 0, listed.stderr
    [item] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (item["topic"], item["booking_id"], item["state"], item["attempts"]) == (
        "erp.booking_confirmed",
        str(booking),
        "dead",
        8,
    )
    assert item["last_error"] == "erp answered HTTP 503"

    retried = _bookhub(tmp_path, "outbox", "retry", str(item["id"]))
    assert (retried.returncode, retried.stdout.strip()) == (
        0,
        f"outbox message {item['id']} is pending again",
    )
    again = _bookhub(tmp_path, "outbox", "retry", str(item["id"]))
    assert again.returncode == 1
    assert "not dead" in again.stderr
    missing = _bookhub(tmp_path, "outbox", "retry", "999")
    assert (missing.returncode, "no outbox message 999" in missing.stderr) == (1, True)
    assert _bookhub(tmp_path, "outbox", "list").stdout == ""


def test_the_worker_delivers_to_the_erp_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}"
    booking = _enqueue(url, state="pending")
    with http_sink() as sink:
        env = _env(tmp_path, ERP_INGEST_URL=sink.url, BOOKING_INGEST_SECRET="e2e-ingest-secret")
        log = (tmp_path / "worker.log").open("w")
        process = subprocess.Popen([BOOKHUB, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not sink.received and time.monotonic() < deadline:
                time.sleep(0.05)
            os.kill(process.pid, signal.SIGTERM)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
            log.close()
    output = (tmp_path / "worker.log").read_text()
    assert [r.json()["booking_id"] for r in sink.received] == [str(booking)]
    assert "integrations connected: erp" in output
    assert f"erp ingest booking {booking}: HTTP 200" in output
    assert "worker stopped" in output
    assert "e2e-ingest-secret" not in output
