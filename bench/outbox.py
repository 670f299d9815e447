"""Outbox drain on PostgreSQL: `bookhub worker` processes delivering ERP messages to a local sink.

1. Drain: N pending `erp.booking_confirmed` messages are written at once (COPY) while one, then two,
   workers are idle; deliveries per second = N / time until none is pending.
2. Lag: messages arrive at a steady 200/s for `--lag-seconds`; lag = delivered_at - created_at of each,
   p50 and p99, with two workers.

The sink is a tiny ASGI app under uvicorn on 127.0.0.1 (keep-alive, answers 200 to every POST). Workers
run with `BOOKHUB_WORKER_POLL_SECONDS=0.1`: an idle worker looks for due messages ten times a second
(the default, 1 s, bounds the lag of a quiet queue at about a second). Everything stays on this machine;
every loop is bounded in count and time.

    .venv/bin/python bench/outbox.py [--messages 10000] [--lag-seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
BOOKHUB = Path(sys.executable).parent / "bookhub"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
TARGETS = {"drain_two_workers": 1000.0, "lag_p99_ms": 1000.0}
WARM_UP = 500
SINK = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{}"})
"""
COLUMNS = (
    "topic",
    "idempotency_key",
    "booking_id",
    "payload",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rows(count: int) -> list[tuple[object, ...]]:
    now = datetime.now(UTC)
    out = []
    for _ in range(count):
        booking = uuid.uuid4()
        key = f"booking_confirmed:{booking}:v1"
        out.append(("erp.booking_confirmed", key, booking, "{}", "pending", 0, now, now))
    return out


async def pending(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM outbox_messages WHERE state = 'pending'"))


async def wait_drained(db: asyncpg.Connection, limit: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if await pending(db) == 0:
            return time.perf_counter() - started
        await asyncio.sleep(0.02)
    raise RuntimeError(f"the outbox did not drain within {limit:.0f} s")


async def warm_up(db: asyncpg.Connection) -> None:
    """Until the workers have started and delivered a first load (imports, pools, connections to the
    sink), which is not what the figures are about; then an empty table again."""
    await db.copy_records_to_table("outbox_messages", records=rows(WARM_UP), columns=COLUMNS)
    await wait_drained(db, limit=120)
    await asyncio.sleep(0.5)  # idle again, as a worker waiting for work is
    await db.execute("DELETE FROM outbox_messages")


def start_workers(count: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for i in range(count):
        log = (logs / f"worker-{i}.log").open("wb")
        workers.append(
            subprocess.Popen([str(BOOKHUB), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
        )
    return workers


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for p in processes:
        if p.poll() is None:
            p.terminate()
    for p in processes:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


async def drain(
    db: asyncpg.Connection, workers: int, messages: int, env: dict[str, str], logs: Path
) -> float:
    await db.execute("DELETE FROM outbox_messages")
    processes = start_workers(workers, env, logs)
    try:
        await warm_up(db)
        await db.copy_records_to_table("outbox_messages", records=rows(messages), columns=COLUMNS)
        seconds = await wait_drained(db, limit=120)
    finally:
        stop(processes)
    return messages / seconds


async def lag(
    db: asyncpg.Connection, seconds: float, env: dict[str, str], logs: Path
) -> tuple[float, float, int]:
    await db.execute("DELETE FROM outbox_messages")
    processes = start_workers(2, env, logs)
    try:
        await warm_up(db)
        tick, per_tick = 0.05, 10  # 200 messages a second
        started = time.perf_counter()
        for i in range(int(seconds / tick)):
            await db.copy_records_to_table("outbox_messages", records=rows(per_tick), columns=COLUMNS)
            await asyncio.sleep(max(0.0, started + (i + 1) * tick - time.perf_counter()))
        await wait_drained(db, limit=60)
    finally:
        stop(processes)
    delivered = await db.fetch(
        "SELECT extract(epoch FROM delivered_at - created_at) * 1000 AS ms,"
        " extract(epoch FROM created_at - min(created_at) OVER ()) AS at FROM outbox_messages"
    )
    lags = [r["ms"] for r in delivered]
    if os.environ.get("BENCH_SHOW_SLOWEST"):
        for r in sorted(delivered, key=lambda r: -r["ms"])[:15]:
            print(f"    lag {r['ms']:.0f} ms for a message written {r['at']:.2f} s into the run")
    cuts = statistics.quantiles(lags, n=100)
    return cuts[49], cuts[98], len(lags)


async def main(args: argparse.Namespace) -> int:
    name = f"bookhub_bench_outbox_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database="test", **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    sink = None
    try:
        with tempfile.TemporaryDirectory() as workdir:
            logs = Path(workdir)
            (logs / "sink.py").write_text(SINK)
            port = free_port()
            sink = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "sink:app", "--port", str(port), "--log-level", "warning"],
                cwd=workdir,
            )
            url = f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
            env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKHUB_")} | {
                "BOOKHUB_DATABASE_URL": url,
                "BOOKHUB_LOG_LEVEL": os.environ.get("BENCH_WORKER_LOG_LEVEL", "WARNING"),
                "BOOKHUB_WORKER_POLL_SECONDS": "0.1",
                **({"BOOKHUB_OUTBOX_CONCURRENCY": str(args.concurrency)} if args.concurrency else {}),
                "ERP_INGEST_URL": f"http://127.0.0.1:{port}/ingest",
                "BOOKING_INGEST_SECRET": "bench-secret-0123456789",
            }
            subprocess.run([str(BOOKHUB), "migrate"], env=env, check=True, capture_output=True)
            db = await asyncpg.connect(database=name, **PG)
            one = await drain(db, 1, args.messages, env, logs)
            two = await drain(db, 2, args.messages, env, logs)
            p50, p99, count = await lag(db, args.lag_seconds, env, logs)
            await db.close()
            if os.environ.get("BENCH_KEEP_LOGS"):
                for log in logs.glob("worker-*.log"):
                    Path(os.environ["BENCH_KEEP_LOGS"], log.name).write_bytes(log.read_bytes())
    finally:
        if sink is not None:
            stop([sink])
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    met = two >= TARGETS["drain_two_workers"] and p99 <= TARGETS["lag_p99_ms"]
    print(f"outbox drain, {args.messages} ERP messages to a keep-alive sink on 127.0.0.1 (PostgreSQL)")
    print(f"  one worker   {one:8.0f} deliveries/s")
    print(f"  two workers  {two:8.0f} deliveries/s   target >= {TARGETS['drain_two_workers']:.0f}/s")
    print(
        f"  lag at 200/s, two workers, {count} messages: p50 {p50:.0f} ms, p99 {p99:.0f} ms"
        "   target p99 <= 1000 ms"
    )
    print("  targets met" if met else "  targets NOT all met")
    return 0 if met or not args.strict else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="outbox.py")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--lag-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, help="BOOKHUB_OUTBOX_CONCURRENCY for the workers")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
