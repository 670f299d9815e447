"""Webhook ingest on PostgreSQL: signed, unique `payment_intent.succeeded` events for existing bookings.

Beside it, in the same run and through the same load generator, a bare Litestar echo route served the
same way (two processes, each on its own SO_REUSEPORT socket, uvloop and httptools): the ratio of the
two is what holds on a shared machine. Target: ingest >= 0.25 x echo, p99 <= 100 ms.

What one run does: creates a database, migrates it, writes `--events` held bookings of a paid offering
(`COPY`, each with its own hour so none collides), starts `bookhub serve --workers 2 --no-worker` with
`STRIPE_WEBHOOK_SECRET`, warms up, then posts one signed event per booking from 32 keep-alive clients,
checks that every booking is confirmed once with one `erp.booking_confirmed` message, and measures
the echo route with the same clients. Everything goes to 127.0.0.1; loops are bounded.

    .venv/bin/python bench/webhooks.py [--events 4000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import stripe

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (
    ADMIN_DATABASE,
    BOOKING_COLUMNS,
    PG,
    Profiler,
    catalog_toml,
    cpu_seconds,
    postgres_backends,
    process_tree,
    summarise_profile,
)

BOOKHUB = Path(sys.executable).parent / "bookhub"
SECRET = "whsec_bench_" + secrets.token_hex(8)
TARGETS = {"ratio": 0.25, "p99_ms": 100.0}
FIRST = datetime(2027, 5, 1, tzinfo=UTC)
ECHO = """
import socket, sys
import uvicorn
from litestar import Litestar, Request, post

@post("/echo", status_code=200)
async def echo(request: Request) -> bytes:
    return await request.body()

app = Litestar([echo])

if __name__ == "__main__":
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", int(sys.argv[1])))
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(event: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event).encode()
    signature = stripe.WebhookSignature.generate_signature_header(body.decode(), SECRET)
    return body, {"stripe-signature": signature, "content-type": "application/json"}


def payment_succeeded(booking: uuid.UUID, n: int) -> dict[str, object]:
    intent = {
        "id": f"pi_bench_{n}",
        "object": "payment_intent",
        "amount": 8500,
        "amount_received": 8500,
        "currency": "eur",
        "status": "succeeded",
        "metadata": {"booking_id": str(booking)},
    }
    return {
        "id": f"evt_bench_{n}_{uuid.uuid4().hex[:8]}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {"object": intent},
    }


async def seed_held(database: str, count: int) -> list[uuid.UUID]:
    """`count` bookings of the paid transfer, held (pending_payment) for a day, one vehicle-hour each."""
    now = datetime.now(UTC)
    customer = uuid.uuid4()
    ids = [uuid.uuid4() for _ in range(count)]
    rows = []
    for i, booking in enumerate(ids):
        start = FIRST + timedelta(hours=i // 200)
        values = {
            "id": booking,
            "offering_id": "bench-transfer-paid",
            "customer_id": customer,
            "status": "pending_payment",
            "payment_status": "pending",
            "amount_cents": 8500,
            "currency": "EUR",
            "start_at": start,
            "end_at": start + timedelta(hours=1),
            "block_end": start + timedelta(hours=1),
            "resource_id": f"veh-{i % 200 + 1:03d}",
            "capacity": None,
            "hold_expires_at": now + timedelta(days=1),
            "notes": None,
            "intake": "{}",
            "refs": "{}",
            "token_hash": secrets.token_bytes(32),
            "version": 2,
            "created_at": now,
            "updated_at": now,
        }
        rows.append(tuple(values[c] for c in BOOKING_COLUMNS))
    db = await asyncpg.connect(database=database, **PG)
    try:
        await db.execute(
            "INSERT INTO customers (id, email, name, phone, locale, refs, created_at) "
            "VALUES ($1, 'bench-payer@example.com', 'Bench Payer', NULL, 'en', '{}', $2)",
            customer,
            now,
        )
        await db.copy_records_to_table("bookings", records=rows, columns=BOOKING_COLUMNS)
    finally:
        await db.close()
    return ids


async def closed_loop(
    url: str, bodies: list[tuple[bytes, dict[str, str]]], concurrency: int
) -> tuple[float, list[float], Counter[int]]:
    queue = iter(bodies)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    clients = [
        httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=1)) for _ in range(concurrency)
    ]

    async def run(client: httpx.AsyncClient) -> None:
        for body, headers in queue:
            started = time.perf_counter()
            response = await client.post(url, content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] += 1

    try:
        wall = time.perf_counter()
        await asyncio.gather(*(run(c) for c in clients))
        wall = time.perf_counter() - wall
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return len(latencies) / wall, latencies, statuses


async def wait_ready(url: str, limit: float = 90) -> None:
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=2) as http:
        while time.perf_counter() - started < limit:
            try:
                await http.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {limit:.0f} s")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


async def main(args: argparse.Namespace) -> int:
    name = f"bookhub_bench_webhooks_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database=ADMIN_DATABASE, **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as workdir:
            catalog = Path(workdir) / "catalog.toml"
            catalog.write_text(catalog_toml())
            (Path(workdir) / "echo.py").write_text(ECHO)
            port, echo_port = free_port(), free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("BOOKHUB_", "STRIPE_"))} | {
                "BOOKHUB_DATABASE_URL": f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}",
                "BOOKHUB_CATALOG": str(catalog),
                "BOOKHUB_LOG_LEVEL": "WARNING",
                "STRIPE_WEBHOOK_SECRET": SECRET,
            }
            subprocess.run([str(BOOKHUB), "migrate"], env=env, check=True, capture_output=True)
            warm = args.warmup
            bookings = await seed_held(name, args.events + warm)
            log = (Path(workdir) / "server.log").open("wb")
            serve = [
                str(BOOKHUB),
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--no-worker",
                "--no-migrate",
            ]
            processes.append(subprocess.Popen(serve, env=env, stdout=log, stderr=subprocess.STDOUT))
            for _ in range(2):
                processes.append(subprocess.Popen([sys.executable, "echo.py", str(echo_port)], cwd=workdir))
            await wait_ready(f"http://127.0.0.1:{port}/health")
            await wait_ready(f"http://127.0.0.1:{echo_port}/echo")
            await asyncio.sleep(1)
            events = [signed(payment_succeeded(b, n)) for n, b in enumerate(bookings)]
            webhook_url = f"http://127.0.0.1:{port}/webhooks/stripe"
            await closed_loop(webhook_url, events[:warm], args.concurrency)
            server, backends = process_tree(processes[0].pid), postgres_backends(name)
            before = cpu_seconds(server), cpu_seconds(backends), time.process_time()
            profile = args.profile and Profiler.spawn(processes[0].pid, args.profile / "webhooks.txt")
            rate, latencies, statuses = await closed_loop(webhook_url, events[warm:], args.concurrency)
            if profile:
                profile.send_signal(signal.SIGINT)
                profile.wait(timeout=30)
            after = cpu_seconds(server), cpu_seconds(backends), time.process_time()
            server_ms, pg_ms, generator_ms = (
                (b - a) * 1000 / args.events for a, b in zip(before, after, strict=True)
            )
            echo_bodies = [(body, {"content-type": "application/json"}) for body, _ in events[warm:]]
            await closed_loop(f"http://127.0.0.1:{echo_port}/echo", echo_bodies[:warm], args.concurrency)
            echo_rate, echo_latencies, _ = await closed_loop(
                f"http://127.0.0.1:{echo_port}/echo", echo_bodies, args.concurrency
            )
            db = await asyncpg.connect(database=name, **PG)
            try:
                confirmed = await db.fetchval("SELECT count(*) FROM bookings WHERE status = 'confirmed'")
                messages = await db.fetchval(
                    "SELECT count(*) FROM outbox_messages WHERE topic = 'erp.booking_confirmed'"
                )
            finally:
                await db.close()
    finally:
        stop(processes)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    ratio = rate / echo_rate
    p50, p99 = pct(latencies, 50), pct(latencies, 99)
    correct = statuses == Counter({200: args.events}) and confirmed == messages == args.events + warm
    met = ratio >= TARGETS["ratio"] and p99 <= TARGETS["p99_ms"]
    e50, e99 = pct(echo_latencies, 50), pct(echo_latencies, 99)
    expected = args.events + warm
    print(f"webhook ingest, {args.events} signed payment_intent.succeeded, c={args.concurrency}, PostgreSQL")
    print(f"  bookhub /webhooks/stripe  {rate:7.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
    print(
        f"    CPU per event: server {server_ms:.2f} ms, PostgreSQL {pg_ms:.2f} ms,"
        f" load generator {generator_ms:.2f} ms"
    )
    print(f"  bare Litestar echo        {echo_rate:7.0f} req/s   p50 {e50:6.1f} ms   p99 {e99:6.1f} ms")
    print(f"  ratio {ratio:.2f} (target >= 0.25), p99 target <= 100 ms: {'met' if met else 'NOT met'}")
    print(
        f"  statuses {dict(statuses)}; confirmed {confirmed}, erp messages {messages} (expected {expected})"
    )
    if args.profile:
        print(summarise_profile(args.profile / "webhooks.txt", top=20))
    if not correct:
        print("  CORRECTNESS CHECK FAILED")
        return 1
    return 0 if met or not args.strict else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="webhooks.py")
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--profile", type=Path, help="py-spy the server during the ingest into this directory"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
