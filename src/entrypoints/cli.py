"""The `bookhub` command: serve, worker, migrate, outbox, money, customer, staff."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from entrypoints import bootstrap
from entrypoints.customer_commands import add_customer_commands, run_customer_command
from entrypoints.money_commands import add_money_commands, run_money_command
from entrypoints.outbox_commands import add_outbox_commands, run_outbox_command
from entrypoints.staff_commands import add_staff_commands, run_staff_command

if TYPE_CHECKING:
    from entrypoints.container import Container
    from entrypoints.settings import Settings

# Heavy modules (the application, SQLAlchemy, Litestar) are imported where a command needs them, so
# the supervisor of `serve --workers N` stays small (entrypoints/processes.py).

log = logging.getLogger("bookhub")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bookhub", description="Booking and payments integration hub")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the HTTP API (and the worker, unless --no-worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not run the background worker in-process")
    serve.add_argument("--no-migrate", action="store_true", help="do not apply migrations at start")
    serve.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL only when > 1)")
    commands.add_parser("worker", help="run the background worker alone")
    commands.add_parser("migrate", help="apply the database migrations")
    add_outbox_commands(commands)
    add_money_commands(commands)
    add_customer_commands(commands)
    add_staff_commands(commands)
    args = parser.parse_args(argv)
    try:
        settings = bootstrap.load_settings()
    except bootstrap.StartupError as exc:
        print(f"bookhub: {exc}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        log.info("migrations applied")
        return 0
    if args.command == "serve" and args.workers > 1:
        if settings.database_url.startswith("sqlite"):
            print("bookhub: --workers > 1 needs PostgreSQL; SQLite takes one writer process", file=sys.stderr)
            return 2
        return _serve_processes(
            args.host, args.port, args.workers, worker=not args.no_worker, migrate=not args.no_migrate
        )
    container = bootstrap.start(settings)
    if args.command == "outbox":
        return run_outbox_command(container, args)
    if args.command == "money":
        return run_money_command(container, args)
    if args.command == "customer":
        return run_customer_command(container, args)
    if args.command == "staff":
        return run_staff_command(container, args)
    if args.command == "worker":
        _run_fast(_worker(container))
        return 0
    if not args.no_migrate:
        asyncio.run(_migrate(settings))
    return _serve(container, args.host, args.port, worker=not args.no_worker)


async def _migrate(settings: Settings) -> None:
    from adapters.persistence.database import create_database
    from adapters.persistence.migrate import migrate

    database = create_database(settings.database_url)
    try:
        await migrate(database.engine)
    finally:
        await database.dispose()


def _serve(container: Container, host: str, port: int, *, worker: bool) -> int:
    import uvicorn

    from entrypoints.http.app import create_app

    app = create_app(container, worker=worker)
    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None, lifespan="on")
    log.info("serving on http://%s:%s", host, port)
    uvicorn.Server(config).run()
    return 0


def _serve_processes(host: str, port: int, processes: int, *, worker: bool, migrate: bool) -> int:
    import subprocess

    from entrypoints.processes import supervise

    if migrate:  # in a child process, so this one never loads SQLAlchemy and Alembic
        command = [sys.executable, "-m", "entrypoints.cli", "migrate"]
        if subprocess.run(command, check=False).returncode != 0:  # noqa: S603 - our own module
            return 1
    return supervise(host, port, processes, worker=worker)


def _run_fast(main: Coroutine[Any, Any, None]) -> None:
    """On uvloop where it is installed (as `serve` runs under uvicorn): cheaper socket work per delivery."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


async def _worker(container: Container) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with bootstrap.running(container):
        await container.worker().run(stop)


if __name__ == "__main__":
    raise SystemExit(main())
