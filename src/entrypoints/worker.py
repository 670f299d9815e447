"""The background loop: expires holds that ran out (the outbox delivery joins it with the outbox worker)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from application.bookings.lifecycle import ExpireHoldsHandler

log = logging.getLogger("bookhub.worker")


async def run_worker(expire_holds: ExpireHoldsHandler, *, poll_seconds: float, stop: asyncio.Event) -> None:
    log.info("worker started", extra={"poll_seconds": poll_seconds})
    while not stop.is_set():
        try:
            expired = await expire_holds()
            if expired:
                log.info("expired holds", extra={"count": expired})
        except Exception:  # a failing sweep must not stop the loop; the next one retries
            log.exception("hold sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
    log.info("worker stopped")
