"""Webhook ingest on PostgreSQL beside a bare echo and beside pgbench of the same transaction, one run.

Three figures, each measured for the same `--seconds` with the same `--connections`, one after the other
on the same machine (the hub, then pgbench, then the echo), and the two ratios:

1. `/webhooks/stripe` of the real `bookhub serve --workers 2 --no-worker` driven by `wrk` with
   bench/wrk/events.lua: signed `payment_intent.succeeded` events, each with its own event id and for
   its own held booking (seeded with `COPY`), signed with the stripe SDK's own helper just before the
   run (the signature's tolerance is 300 s). Every answer's `outcome` is counted, and the database is
   checked afterwards: every applied event confirmed its booking once with its ERP message.
2. A bare Litestar echo route (`POST /echo` answers the body) under uvicorn with uvloop and httptools,
   two processes on `SO_REUSEPORT` sockets like `serve --workers 2`, sent the same bodies by wrk.
3. `pgbench` running bench/pgbench/payment_event.sql, the two statements one event costs the hub
   (the unlocked read, then the update at its version with the event record, the ledger's charge, the
   audit row and five outbox rows), with as many clients, on a copy of the seeded database.

The CPU of the server, PostgreSQL and the generator (wrk or pgbench, read when it exits) is printed per
request, so a generator that could be the limit shows. Everything goes to 127.0.0.1; every run is
bounded in time; the databases are dropped at the end.

    .venv/bin/python bench/webhooks.py [--seconds 15] [--connections 32] [--events 40000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import stripe

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen
from bench.run import (
    ADMIN_DATABASE,
    BOOKING_COLUMNS,
    PG,
    Profiler,
    catalog_toml,
    cpu_seconds,
    machine_ticks,
    postgres_backends,
    process_tree,
    summarise_profile,
)

BOOKHUB = Path(sys.executable).parent / "bookhub"
SECRET = "whsec_bench_" + secrets.token_hex(8)
PROCESSES = 2  # server processes, for the hub and for the echo alike
TARGETS = {"p99_ms": 50.0, "ratio": 0.4}  # issue 13: p99 <= 50 ms, ingest >= 0.4 of pgbench
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


def booking_id(n: int) -> uuid.UUID:
    """Seeded booking n (1-based): pgbench names it as `lpad(to_hex(n), 32, '0')::uuid`."""
    return uuid.UUID(int=n)


def payment_succeeded(booking: uuid.UUID, n: int, tag: str) -> dict[str, object]:
    intent = {
        "id": f"pi_bench_{tag}_{n}",
        "object": "payment_intent",
        "amount": 8500,
        "amount_received": 8500,
        "currency": "eur",
        "status": "succeeded",
        "metadata": {"booking_id": str(booking)},
    }
    return {
        "id": f"evt_bench_{tag}_{n}_{uuid.uuid4().hex[:8]}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {"object": intent},
    }


def write_events(path: Path, bookings: range, tag: str) -> None:
    """One line per event for bench/wrk/events.lua: its Stripe-Signature header, a tab, its body."""
    with path.open("w") as out:
        for n in bookings:
            body = json.dumps(payment_succeeded(booking_id(n), n, tag))
            out.write(f"{stripe.WebhookSignature.generate_signature_header(body, SECRET)}\t{body}\n")


async def seed_held(database: str, count: int) -> None:
    """`count` bookings of the paid transfer (ids 1..count), held for a day, one vehicle-hour each."""
    now = datetime.now(UTC)
    customer = uuid.uuid4()
    rows = []
    for i in range(count):
        start = FIRST + timedelta(hours=i // 200)
        values = {
            "id": booking_id(i + 1),
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
        # A hub that has been running holds the events it applied before: without them (and without
        # statistics, which autovacuum keeps on a database in use) the planner takes `inbound_events` for
        # empty, and the plans it keeps for a connection scan a table that grows under the run.
        past = [
            ("stripe", f"evt_past_{i}", "payment_intent.succeeded", now - timedelta(days=1), None)
            for i in range(count)
        ]
        columns = ["provider", "event_id", "event_type", "received_at", "booking_id"]
        await db.copy_records_to_table("inbound_events", records=past, columns=columns)
        await db.execute("ANALYZE")
    finally:
        await db.close()


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
    processes.clear()


@dataclass
class Phase:
    """One measured run and the CPU each side used during it, in ms per request."""

    measured: loadgen.Measured
    server_ms: float
    postgres_ms: float
    machine_busy: float

    @property
    def generator_ms(self) -> float:
        return self.measured.generator_cpu * 1000 / max(1, self.measured.requests)


class BackendCpu:
    """CPU of a database's PostgreSQL backends over a run, those that come and go with it included
    (pgbench's): each backend's counter is sampled every 0.25 s until the run ends, so a backend that
    exits before the end loses at most its last 0.25 s (about 2 % of a 15 s run)."""

    def __init__(self, database: str | None) -> None:
        self._database = database
        self._start = {p: cpu_seconds([p]) for p in self._backends()}
        self._last = dict(self._start)

    def _backends(self) -> list[int]:
        return postgres_backends(self._database) if self._database else []

    def sample(self) -> None:
        for pid in self._backends():
            self._last[pid] = max(self._last.get(pid, 0.0), cpu_seconds([pid]))

    async def follow(self, done: asyncio.Event) -> None:
        while not done.is_set():
            self.sample()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.25)
        self.sample()

    def used(self) -> float:
        return sum(cpu - self._start.get(pid, 0.0) for pid, cpu in self._last.items())


async def measured(run, server: list[int], database: str | None) -> Phase:  # type: ignore[no-untyped-def]
    """Run the blocking `run()` (wrk or pgbench) and read the CPU of `server` and PostgreSQL around it."""
    backends, done = BackendCpu(database), asyncio.Event()
    before = cpu_seconds(server), machine_ticks()
    follower = asyncio.create_task(backends.follow(done))
    try:
        result: loadgen.Measured = await asyncio.to_thread(run)
    finally:
        done.set()
        await follower
    after = cpu_seconds(server), machine_ticks()
    n = max(1, result.requests)
    busy = (after[1][0] - before[1][0]) / max(1, after[1][1] - before[1][1])
    return Phase(result, (after[0] - before[0]) * 1000 / n, backends.used() * 1000 / n, busy)


@dataclass
class Checked:
    confirmed: int
    recorded: int
    erp: int


async def check(database: str) -> Checked:
    db = await asyncpg.connect(database=database, **PG)
    try:
        return Checked(
            await db.fetchval("SELECT count(*) FROM bookings WHERE status = 'confirmed'"),
            await db.fetchval(
                "SELECT count(*) FROM inbound_events"
                " WHERE provider = 'stripe' AND event_id NOT LIKE 'evt_past_%'"
            ),
            await db.fetchval("SELECT count(*) FROM outbox_messages WHERE topic = 'erp.booking_confirmed'"),
        )
    finally:
        await db.close()


def server_env(name: str, catalog: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOOKHUB_", "STRIPE_"))}
    return env | {
        "BOOKHUB_DATABASE_URL": f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}",
        "BOOKHUB_CATALOG": str(catalog),
        "BOOKHUB_LOG_LEVEL": "WARNING",
        "STRIPE_WEBHOOK_SECRET": SECRET,
    }


async def ingest(
    args: argparse.Namespace, name: str, env: dict[str, str], workdir: Path
) -> tuple[Phase, Checked, Path | None]:
    """Start the hub, warm it up, measure `/webhooks/stripe` with wrk, check the database."""
    port = free_port()
    serve = [str(BOOKHUB), "serve", "--port", str(port), "--workers", str(PROCESSES)]
    serve += ["--no-worker", "--no-migrate"]
    processes: list[subprocess.Popen[bytes]] = []
    with (workdir / "server.log").open("wb") as log:
        processes.append(subprocess.Popen(serve, env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        await wait_ready(f"http://127.0.0.1:{port}/health")
        await asyncio.sleep(1)
        warm, events = workdir / "warm.tsv", workdir / "events.tsv"
        # Signed now, just before the run: Stripe's signature is good for 300 s.
        write_events(warm, range(1, args.warmup_events + 1), "warm")
        write_events(events, range(args.warmup_events + 1, args.warmup_events + args.events + 1), "run")
        url = f"http://127.0.0.1:{port}/webhooks/stripe"
        wrk_args = {"connections": args.connections, "threads": args.threads}
        await asyncio.to_thread(
            loadgen.wrk, url, "events.lua", str(warm), str(args.threads), seconds=2, **wrk_args
        )
        server = process_tree(processes[0].pid)
        profile = args.profile and Profiler.spawn(processes[0].pid, args.profile / "webhooks.txt")
        phase = await measured(
            lambda: loadgen.wrk(
                url, "events.lua", str(events), str(args.threads), seconds=args.seconds, **wrk_args
            ),
            server,
            name,
        )
        if profile:
            profile.send_signal(signal.SIGINT)
            profile.wait(timeout=30)
    finally:
        stop(processes)
    return phase, await check(name), args.profile and args.profile / "webhooks.txt"


async def echo(args: argparse.Namespace, workdir: Path) -> Phase:
    """The bare echo, as many processes as the hub's, sent the same bodies by wrk."""
    (workdir / "echo.py").write_text(ECHO)
    port = free_port()
    processes = [
        subprocess.Popen([sys.executable, "echo.py", str(port)], cwd=workdir) for _ in range(PROCESSES)
    ]
    try:
        await wait_ready(f"http://127.0.0.1:{port}/echo")
        await asyncio.sleep(1)
        url, bodies = f"http://127.0.0.1:{port}/echo", str(workdir / "events.tsv")
        wrk_args = {"connections": args.connections, "threads": args.threads}
        await asyncio.to_thread(
            loadgen.wrk, url, "events.lua", bodies, str(args.threads), seconds=2, **wrk_args
        )
        pids = [pid for p in processes for pid in process_tree(p.pid)]
        return await measured(
            lambda: loadgen.wrk(
                url, "events.lua", bodies, str(args.threads), seconds=args.seconds, **wrk_args
            ),
            pids,
            None,
        )
    finally:
        stop(processes)


async def pgbench(args: argparse.Namespace, database: str, bookings: int, workdir: Path) -> Phase:
    """The ingest's two statements per event, from as many pgbench clients as wrk has connections."""

    def run(seconds: int) -> loadgen.Measured:
        return loadgen.pgbench(
            database,
            "payment_event.sql",
            clients=args.connections,
            threads=args.threads,
            seconds=seconds,
            variables={"bookings": bookings},
            logdir=workdir,
        )

    await asyncio.to_thread(run, 2)
    phase = await measured(lambda: run(args.seconds), [], database)
    recorded = (await check(database)).recorded
    if recorded < phase.measured.requests:  # each transaction records its event only if it applied
        phase.measured.errors["not applied"] = phase.measured.requests - recorded
    return phase


def _figures(m: loadgen.Measured, unit: str) -> str:
    return f"{m.rate:7.0f} {unit}   p50 {m.p50_ms:6.1f} ms   p99 {m.p99_ms:6.1f} ms"


def report(args: argparse.Namespace, hub: Phase, echoed: Phase, pg: Phase, checked: Checked) -> bool:
    """Print the figures; answer whether every correctness check held."""
    h, e, p = hub.measured, echoed.measured, pg.measured
    c = args.connections
    print(
        f"\nwebhook ingest, {args.seconds} s each, {c} connections, {PROCESSES} server processes, PostgreSQL"
    )
    print(f"  /webhooks/stripe (bookhub serve)  {_figures(h, 'req/s')}")
    print(f"    {h.command}")
    print(
        f"    CPU per event: server {hub.server_ms:.2f} ms, PostgreSQL {hub.postgres_ms:.2f} ms,"
        f" wrk {hub.generator_ms:.2f} ms ({h.generator_share:.0%} of a core);"
        f" machine {hub.machine_busy:.0%} busy"
    )
    print(
        f"    answers: statuses {h.statuses}, outcomes {h.outcomes}"
        + (f", errors {h.errors}" if h.errors else "")
    )
    print(f"  bare Litestar echo (uvicorn)      {_figures(e, 'req/s')}")
    print(f"    {e.command}")
    print(
        f"    CPU per request: echo {echoed.server_ms:.2f} ms, wrk {echoed.generator_ms:.2f} ms"
        f" ({e.generator_share:.0%} of a core); machine {echoed.machine_busy:.0%} busy"
    )
    print(f"  pgbench, the ingest's statements  {_figures(p, 'tx/s ')}")
    print(f"    {p.command}")
    print(
        f"    CPU per transaction: PostgreSQL {pg.postgres_ms:.2f} ms, pgbench {pg.generator_ms:.2f} ms"
        f" ({p.generator_share:.0%} of a core); machine {pg.machine_busy:.0%} busy"
    )
    print(f"  ingest / echo     {h.rate / max(e.rate, 1e-9):.3f}")
    ratio = h.rate / max(p.rate, 1e-9)
    target = TARGETS["ratio"]
    print(f"  ingest / pgbench  {ratio:.3f}   target >= {target}: {_met(ratio >= target)}")
    met = h.p99_ms <= TARGETS["p99_ms"]
    print(f"  ingest p99 target <= {TARGETS['p99_ms']:.0f} ms: {_met(met)}")
    print(
        f"  database: {checked.confirmed} bookings confirmed, {checked.recorded} events recorded,"
        f" {checked.erp} ERP messages (warm-up included)"
    )
    applied = h.outcomes.get("applied", 0)
    problems = []
    if h.statuses != {"200": h.requests} or h.errors or applied != h.requests:
        problems.append("not every event answered 200 applied")
    if h.wrapped:
        problems.append(f"the events ran out ({h.wrapped} wraps): pass a larger --events")
    if not checked.confirmed == checked.recorded == checked.erp >= applied:
        problems.append("the database does not hold one confirmation and one ERP message per event")
    if e.statuses != {"200": e.requests} or e.errors:
        problems.append(f"the echo answered {e.statuses} {e.errors}")
    if p.errors:
        problems.append(f"pgbench: {p.errors}")
    for problem in problems:
        print(f"  CORRECTNESS CHECK FAILED: {problem}")
    return not problems and (met or not args.strict)


def _met(met: bool) -> str:
    return "met" if met else "NOT met"


async def main(args: argparse.Namespace) -> int:
    loadgen.need("wrk")
    loadgen.need("pgbench")
    name = f"bookhub_bench_webhooks_{uuid.uuid4().hex[:8]}"
    copy = f"{name}_pgbench"
    bookings = args.warmup_events + args.events
    admin = await asyncpg.connect(database=ADMIN_DATABASE, **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="bookhub-bench-webhooks-") as tmp:
            workdir = Path(tmp)
            catalog = workdir / "catalog.toml"
            catalog.write_text(catalog_toml())
            env = server_env(name, catalog)
            subprocess.run([str(BOOKHUB), "migrate"], env=env, check=True, capture_output=True)
            await seed_held(name, bookings)
            # pgbench gets the same schema and the same held bookings, before the hub confirms any.
            await admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
            # pgbench right after the hub: the two figures compared are measured closest in time, so a
            # machine whose speed drifts over the run moves both alike.
            hub, checked, profile = await ingest(args, name, env, workdir)
            pg = await pgbench(args, copy, bookings, workdir)
            echoed = await echo(args, workdir)
    finally:
        for database in (name, copy):
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
    ok = report(args, hub, echoed, pg, checked)
    if profile:
        print(summarise_profile(profile, top=20))
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="webhooks.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="each measured run (after a 2 s warm-up)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections and pgbench clients")
    parser.add_argument("--threads", type=int, default=1, help="wrk and pgbench threads")
    parser.add_argument(
        "--events",
        type=int,
        default=40_000,
        help="signed events for the measured run (more than it can send)",
    )
    parser.add_argument("--warmup-events", type=int, default=2_000)
    parser.add_argument(
        "--profile", type=Path, help="py-spy the server during the ingest into this directory"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when the p99 target is missed")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
