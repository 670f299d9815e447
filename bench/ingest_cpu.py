"""CPU per Stripe webhook in-process on PostgreSQL: the Litestar app, the adapter and persistence, no socket.

Process CPU time per event holds better than a rate when the machine is busy with something else, so
this is the figure to compare before and after a change to the ingest path. It migrates a throwaway
database, seeds held bookings of the paid transfer (as bench/webhooks.py does), then sends `--events`
signed `payment_intent.succeeded` events to `POST /webhooks/stripe` straight through the app's ASGI
interface from 32 concurrent tasks, each for its own booking, and checks every answer is `applied`.
`--profile FILE` writes a cProfile of the measured run. `--statements` prints instead what one more
event sends PostgreSQL, each statement with its arguments, as asyncpg's query loggers and SQLAlchemy's
`before_cursor_execute` see them: what bench/pgbench/payment_event.sql must run.

    .venv/bin/python bench/ingest_cpu.py [--events 4000] [--profile /tmp/ingest.prof] [--statements]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import stripe
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import ADMIN_DATABASE, PG, catalog_toml
from bench.webhooks import SECRET, booking_id, payment_succeeded, seed_held

CONCURRENCY = 32
WARMUP = 400


def signed(n: int, tag: str) -> tuple[bytes, bytes]:
    body = json.dumps(payment_succeeded(booking_id(n), n, tag))
    return body.encode(), stripe.WebhookSignature.generate_signature_header(body, SECRET).encode()


async def post(app: Any, body: bytes, signature: bytes) -> tuple[int, bytes]:
    """One request through the ASGI interface, as uvicorn would hand it over."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/stripe",
        "raw_path": b"/webhooks/stripe",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"stripe-signature", signature),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # pragma: no cover - never asked twice
        return {}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def print_statements(app: Any, engine: Any, request: tuple[bytes, bytes]) -> None:
    """What one event sends PostgreSQL, whichever way each statement goes (SQLAlchemy or the driver)."""
    import sqlalchemy as sa

    sent: list[tuple[str, Any]] = []
    watched: list[Any] = []

    def executed(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    def checked_out(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        if all(driver is not w for w in watched):
            driver.add_query_logger(lambda record: sent.append((record.query, record.args)))
            watched.append(driver)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", executed)
    sa.event.listen(engine.sync_engine, "checkout", checked_out)
    try:
        print(await post(app, *request))
        await asyncio.sleep(0.1)  # asyncpg calls its loggers on the loop's next turn
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", executed)
        sa.event.remove(engine.sync_engine, "checkout", checked_out)
    for n, (statement, arguments) in enumerate(sent, 1):
        print(f"-- statement {n}\n{statement}")
        for i, value in enumerate(arguments or (), 1):
            print(f"--   ${i} = {value!r}")


async def main(args: argparse.Namespace) -> None:
    from adapters.persistence.migrate import migrate
    from adapters.providers.stripe.settings import StripeSettings
    from entrypoints.container import build_container
    from entrypoints.http.app import create_app
    from entrypoints.settings import Settings

    name = f"bookhub_bench_ingest_cpu_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database=ADMIN_DATABASE, **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as workdir:
            catalog = Path(workdir) / "catalog.toml"
            catalog.write_text(catalog_toml())
            url = f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
            settings = Settings(
                database_url=url, catalog_path=catalog, stripe=StripeSettings(webhook_secret=SECRET)
            )
            container = build_container(settings)
            try:
                await migrate(container.database().engine)
                await seed_held(name, WARMUP + args.events)
                app = create_app(container)
                warm = [signed(n, "warm") for n in range(1, WARMUP + 1)]
                events = [signed(n, "run") for n in range(WARMUP + 1, WARMUP + args.events + 1)]
                outcomes: Counter[str] = Counter()

                async def run(requests: list[tuple[bytes, bytes]]) -> float:
                    queue = iter(requests)

                    async def client() -> None:
                        for body, signature in queue:
                            status, answer = await post(app, body, signature)
                            outcomes[f"{status} {json.loads(answer).get('outcome')}"] += 1

                    started = time.process_time()
                    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
                    return time.process_time() - started

                await run(warm)  # connections, prepared statements, caches
                outcomes.clear()
                gc.collect()  # as the server's lifespan does once the app is built (entrypoints/http/app.py)
                gc.freeze()
                if args.statements:
                    await print_statements(app, container.database().engine, events[0])
                    return
                profiler = (
                    cProfile.Profile(time.process_time) if args.profile else None
                )  # CPU, not wall, time
                if profiler:
                    profiler.enable()
                wall = time.perf_counter()
                cpu = await run(events)
                wall = time.perf_counter() - wall
                if profiler:
                    profiler.disable()
                    profiler.dump_stats(args.profile)
            finally:
                await container.database().dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    if args.statements:
        return
    print(
        f"{args.events} Stripe events at concurrency {CONCURRENCY}: "
        f"{cpu / args.events * 1000:.3f} ms CPU per event in this process, "
        f"{args.events / wall:.0f}/s wall; answers {dict(outcomes)}"
    )
    if outcomes != {"200 applied": args.events}:
        raise SystemExit("not every event answered 200 applied")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="ingest_cpu.py")
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--profile", help="write a cProfile of the measured run here")
    parser.add_argument("--statements", action="store_true", help="print what one event sends PostgreSQL")
    uvloop.run(main(parser.parse_args()))  # the loop `bookhub serve` runs on
