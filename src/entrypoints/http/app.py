"""The Litestar application: routes, error table, dependencies from the container, access log."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints import bootstrap
from entrypoints.container import Container
from entrypoints.http.admin import AdminController
from entrypoints.http.admin_bookings import AdminBookingActionsController
from entrypoints.http.booking_changes import BookingChangesController
from entrypoints.http.bookings import BookingController
from entrypoints.http.deps import dependency_table
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.health import health
from entrypoints.http.metrics import metrics
from entrypoints.http.openapi import COMPONENTS, OPENAPI_PLUGINS, TAGS
from entrypoints.http.sessions import SessionController
from entrypoints.http.webhooks import WEBHOOK_ROUTES
from entrypoints.logs import quiet_parameter_loggers
from entrypoints.web.console.routes import CONSOLE_ROUTES, console_router
from entrypoints.web.routes import PAGES, SANDBOX, static_router, template_config, web_router
from entrypoints.web.security import security_headers

MAX_BODY_BYTES = 64 * 1024
ROUTES = [
    BookingController,
    BookingChangesController,
    SessionController,
    AdminController,
    AdminBookingActionsController,
    health,
    metrics,
    *WEBHOOK_ROUTES,
]
access_log = logging.getLogger("bookhub.access")


def create_app(container: Container, *, worker: bool = False) -> Litestar:
    settings = container.settings()
    quiet_parameter_loggers()  # also when the app is served without configure_logging (tests, embedders)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None
        await container.secret_keys().secret_key()  # generated and kept on the first start, said once
        if worker:
            task = asyncio.create_task(container.worker().run(stop))
        # What exists now (modules, the catalog, the wiring) lives as long as the process: keep it out of
        # the collector's full passes, which otherwise rescan it for every few thousand objects a request
        # allocates (a third of a month's availability request was spent there).
        gc.collect()
        gc.freeze()
        # A request allocates a few thousand objects and frees nearly all of them itself: collecting the
        # young generation every 5,000 allocations instead of 700 halves the collector's time (a webhook:
        # 18 → 8-10 µs of CPU per event, bench/ingest_cpu.py) and keeps nothing alive longer than that.
        gc.set_threshold(5000, 10, 10)
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                with suppress(asyncio.CancelledError):
                    await task
            await bootstrap.close(container)

    sandbox = settings.payment_mode == "sandbox"
    pages = [*PAGES, *(SANDBOX if sandbox else [])]
    return Litestar(
        route_handlers=[*ROUTES, web_router(sandbox=sandbox), console_router(), static_router()],
        dependencies=dependency_table(container, [*ROUTES, *pages, *CONSOLE_ROUTES]),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        middleware=[_access_log, security_headers],
        template_config=template_config(),
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="bookhub", version="1", path="/schema", components=COMPONENTS, tags=TAGS
        ),
        plugins=OPENAPI_PLUGINS,
        state=State({"settings": settings}),
        logging_config=None,
    )


def _access_log(app: ASGIApp) -> ASGIApp:
    """Method, path without its query string (queries can carry an email), status and duration."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, capture)
        finally:
            ms = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %s %.1fms", scope["method"], logged_path(scope["path"]), status, ms)

    return middleware


def logged_path(path: str) -> str:
    """The path as the access log writes it: a manage link's or a password link's secret part is never
    written."""
    if path.startswith("/manage/"):
        return "/manage/{opaque}"
    if path.startswith("/console/password/"):
        return "/console/password/{token}"
    return path


__all__ = ["create_app"]
