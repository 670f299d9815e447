"""A booking's extensions: extra services paid after the booking, each payment once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.dialect import locked
from domain.catalog import Money
from domain.extension import Extension, ExtensionStatus


class SqlAlchemyExtensionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, extension: Extension) -> None:
        await self._c.execute(t.booking_extensions.insert().values(**extension_row(extension)))

    async def get(
        self, extension_id: UUID, *, booking_id: UUID, for_update: bool = False
    ) -> Extension | None:
        e = t.booking_extensions.c
        query = sa.select(t.booking_extensions).where(e.id == extension_id, e.booking_id == booking_id)
        if for_update:
            query = locked(self._c, query)
        row = (await self._c.execute(query)).first()
        return extension_from_row(row) if row is not None else None

    async def of_booking(self, booking_id: UUID) -> list[Extension]:
        e = t.booking_extensions.c
        query = sa.select(t.booking_extensions).where(e.booking_id == booking_id).order_by(e.created_at)
        return [extension_from_row(row) for row in await self._c.execute(query)]

    async def paid_of(self, booking_id: UUID) -> list[Extension]:
        e = t.booking_extensions.c
        query = locked(
            self._c, sa.select(t.booking_extensions).where(e.booking_id == booking_id, e.status == "paid")
        )
        return [extension_from_row(row) for row in await self._c.execute(query.order_by(e.created_at))]

    async def save(self, extension: Extension) -> None:
        e = t.booking_extensions.c
        row = extension_row(extension)
        del row["id"], row["booking_id"], row["created_at"]
        await self._c.execute(t.booking_extensions.update().where(e.id == extension.id).values(**row))


def extension_row(extension: Extension) -> dict[str, Any]:
    return {
        "id": extension.id,
        "booking_id": extension.booking_id,
        "description": extension.description,
        "amount_cents": extension.price.amount_cents,
        "currency": extension.price.currency,
        "status": extension.status.value,
        "failure_reason": extension.failure_reason,
        "payment_ref": extension.payment_ref,
        "attempts": extension.attempts,
        "session_ref": extension.session_ref,
        "created_at": extension.created_at,
        "updated_at": extension.updated_at,
    }


def extension_from_row(row: Any) -> Extension:
    return Extension(
        id=row.id,
        booking_id=row.booking_id,
        description=row.description,
        price=Money(row.amount_cents, row.currency),
        status=ExtensionStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        failure_reason=row.failure_reason,
        payment_ref=row.payment_ref,
        attempts=row.attempts,
        session_ref=row.session_ref,
    )
