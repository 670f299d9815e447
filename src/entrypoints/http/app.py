"""The Litestar application: routes, error table, dependencies from the container, access log."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.container import Container
from entrypoints.http.admin import AdminController
from entrypoints.http.bookings import BookingController
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.health import health
from entrypoints.http.metrics import metrics
from entrypoints.http.sandbox import checkout_page, checkout_submit
from entrypoints.http.webhooks import WEBHOOK_ROUTES
from entrypoints.logs import quiet_parameter_loggers

MAX_BODY_BYTES = 64 * 1024
ROUTES = [
    BookingController,
    AdminController,
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
        if worker:
            task = asyncio.create_task(container.worker().run(stop))
        # What exists now (modules, the catalog, the wiring) lives as long as the process: keep it out of
        # the collector's full passes, which otherwise rescan it for every few thousand objects a request
        # allocates (a third of a month's availability request was spent there).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                with suppress(asyncio.CancelledError):
                    await task
            await container.http().aclose()
            if settings.payment_mode == "stripe":
                await container.stripe_api().aclose()
            await container.database().dispose()

    sandbox = [checkout_page, checkout_submit] if settings.payment_mode == "sandbox" else []
    return Litestar(
        route_handlers=[*ROUTES, *sandbox],
        dependencies={
            "settings": _provide(lambda: settings),
            "get_health": _provide(container.get_health),
            "uow": _provide(container.uow),
            "list_offerings": _provide(container.list_offerings),
            "get_availability": _provide(container.get_availability),
            "create_booking": _provide(container.create_booking),
            "get_booking": _provide(container.get_booking),
            "cancel_booking": _provide(container.cancel_booking),
            "list_bookings": _provide(container.list_bookings),
            "payment_events": _provide(container.payment_events),
            "trip_status": _provide(container.trip_status),
            "metrics": _provide(container.metrics),
            "mark_ready": _provide(container.mark_ready),
            "retry_payment": _provide(container.retry_payment),
            "propose_extension": _provide(container.propose_extension),
            "approve_extension": _provide(container.approve_extension),
            "decline_extension": _provide(container.decline_extension),
            "pay_extension": _provide(container.pay_extension),
            "payment_link_paid": _provide(container.payment_link_paid),
            "stripe_webhook": _provide(container.stripe_webhook),
            "airwallex_webhook": _provide(container.airwallex_webhook),
            "acuity_client": _provide(container.acuity),
            "webhooks": _provide(container.webhooks),
            "appointment_reported": _provide(container.appointment_reported),
            "schedule_booking": _provide(container.schedule_booking),
            "list_sync_queue": _provide(container.list_sync_queue),
            "retry_outbox_message": _provide(container.retry_outbox_message),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        middleware=[_access_log],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(title="bookhub", version="1", path="/schema"),
        state=State({"settings": settings}),
        logging_config=None,
    )


def _provide(provider: Callable[[], object]) -> Provide:
    def dependency() -> object:
        return provider()

    return Provide(dependency, sync_to_thread=False, use_cache=True)


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
            access_log.info("%s %s %s %.1fms", scope["method"], scope["path"], status, ms)

    return middleware


__all__ = ["create_app"]
