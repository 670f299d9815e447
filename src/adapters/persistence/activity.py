"""Integration activity as hourly counts: delivery attempts (written with the worker's results, in the
same transaction), refused webhook posts, and their pruning. A row per integration and hour keeps the
tables small whatever the traffic (a flood of forged posts adds to one counter, not rows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.database import Database
from adapters.persistence.dialect import upsert
from application.outbox_routes import integration_of
from application.ports import Settlement
from domain.outbox import OutboxState

_FAILED = (OutboxState.PENDING, OutboxState.DEAD)


def hour_of(instant: datetime) -> datetime:
    return instant.replace(minute=0, second=0, microsecond=0)


async def record_attempts(c: AsyncConnection, settlements: Sequence[Settlement], now: datetime) -> None:
    """One statement: each integration's delivered and failed attempts of the batch added to this hour
    (a skipped message was not attempted)."""
    tally: dict[str, list[int]] = {}
    for s in settlements:
        if s.state is OutboxState.DELIVERED or s.state in _FAILED:
            counts = tally.setdefault(integration_of(s.message.topic), [0, 0])
            counts[0 if s.state is OutboxState.DELIVERED else 1] += 1
    if not tally:
        return
    hour = hour_of(now)
    rows = [
        {"integration": name, "hour": hour, "delivered": delivered, "failed": failed}
        for name, (delivered, failed) in sorted(tally.items())
    ]
    a = t.delivery_attempts.c
    insert = upsert(c, t.delivery_attempts).values(rows)
    await c.execute(
        insert.on_conflict_do_update(
            index_elements=[a.integration, a.hour],
            set_={
                "delivered": a.delivered + insert.excluded.delivered,
                "failed": a.failed + insert.excluded.failed,
            },
        )
    )


class SqlIntegrationActivity:
    """Refused webhooks counted as they come; both kinds of counts pruned by the worker."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def refused(self, provider: str, code: str, *, now: datetime) -> None:
        r = t.webhook_refusals.c
        async with self._db.writing() as c:
            insert = upsert(c, t.webhook_refusals).values(
                provider=provider, hour=hour_of(now), code=code, refused=1
            )
            await c.execute(
                insert.on_conflict_do_update(
                    index_elements=[r.provider, r.hour, r.code], set_={"refused": r.refused + 1}
                )
            )

    async def prune(self, *, before: datetime) -> int:
        async with self._db.writing() as c:
            attempts = await c.execute(
                t.delivery_attempts.delete().where(t.delivery_attempts.c.hour < before)
            )
            refusals = await c.execute(t.webhook_refusals.delete().where(t.webhook_refusals.c.hour < before))
        return int(attempts.rowcount) + int(refusals.rowcount)
