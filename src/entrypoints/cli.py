"""The `bookhub` command: serve, worker, migrate, outbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from adapters.catalog.toml_catalog import TomlCatalog
from domain.errors import InvalidCatalog
from entrypoints.logs import configure_logging
from entrypoints.outbox_commands import add_outbox_commands, run_outbox_command
from entrypoints.settings import Settings, SettingsError

if TYPE_CHECKING:
    from entrypoints.container import Container

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
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        TomlCatalog(settings.catalog_path)  # a broken catalog stops every command, naming file and key
    except (SettingsError, InvalidCatalog) as exc:
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
    from entrypoints.container import build_container

    container = build_container(settings)
    announce(settings)
    if args.command == "outbox":
        return run_outbox_command(container, args)
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
    try:
        await container.worker().run(stop)
    finally:
        await container.http().aclose()
        if container.settings().payment_mode == "stripe":
            await container.stripe_api().aclose()
        await container.database().dispose()


def announce(settings: Settings) -> None:
    if settings.payment_mode == "sandbox":
        log.info("payments: sandbox (no STRIPE_SECRET_KEY set)")
    else:
        log.info("payments: %s", settings.payment_mode)
    for mode in ("connected", "disabled", "mock"):
        names = [name for name, m in settings.integrations.items() if m == mode]
        if names:
            log.info("integrations %s: %s", mode, ", ".join(names))
    if settings.payment_mode == "stripe" and not settings.stripe_webhook_secret:
        log.warning("STRIPE_WEBHOOK_SECRET is not set: /webhooks/stripe refuses every event")
    if settings.payment_mode == "airwallex" and not settings.airwallex_webhook_secret:
        log.warning("AIRWALLEX_WEBHOOK_SECRET is not set: /webhooks/airwallex refuses every event")
    if not settings.admin_api_key:
        log.warning("BOOKHUB_ADMIN_API_KEY is not set: admin routes answer 401 to everyone")


if __name__ == "__main__":
    raise SystemExit(main())
