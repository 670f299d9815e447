"""Customers, found by their (normalised) email: one upsert each way a customer can reach us."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.dialect import locked, per_dialect
from adapters.persistence.mappers import customer_from_row, customer_row
from application.ports import NewCustomer
from domain.customer import Customer


def _upsert_customer(dialect: Any) -> Any:
    """A known customer keeps their details; a phone they never gave is filled in."""
    c = t.customers.c
    statement = dialect.insert(t.customers)
    return statement.on_conflict_do_update(
        index_elements=[c.email], set_={"phone": sa.func.coalesce(c.phone, statement.excluded.phone)}
    ).returning(*t.customers.c)


_UPSERT_CUSTOMER = per_dialect(_upsert_customer)


def _update_customer(dialect: Any, *, locale: bool) -> Any:
    """A provider's report of a customer: the name it has now, the phone when it has one."""
    c = t.customers.c
    statement = dialect.insert(t.customers)
    changes = {
        "name": statement.excluded.name,
        "phone": sa.func.coalesce(statement.excluded.phone, c.phone),
    }
    if locale:
        changes["locale"] = statement.excluded.locale
    return statement.on_conflict_do_update(index_elements=[c.email], set_=changes).returning(*c)


_UPDATE_CUSTOMER = {locale: per_dialect(partial(_update_customer, locale=locale)) for locale in (False, True)}


async def find_or_create(connection: AsyncConnection, customer: NewCustomer) -> Customer:
    statement = _UPSERT_CUSTOMER[connection.dialect.name]
    row = (await connection.execute(statement, customer_row(customer))).one()
    return customer_from_row(row)


class SqlAlchemyCustomerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def find_or_create(self, customer: NewCustomer) -> Customer:
        return await find_or_create(self._c, customer)

    async def update_or_create(self, customer: NewCustomer, *, update_locale: bool) -> Customer:
        statement = _UPDATE_CUSTOMER[update_locale][self._c.dialect.name]
        row = (await self._c.execute(statement, customer_row(customer))).one()
        return customer_from_row(row)

    async def get(self, customer_id: UUID) -> Customer | None:
        row = (await self._c.execute(sa.select(t.customers).where(t.customers.c.id == customer_id))).first()
        return customer_from_row(row) if row is not None else None

    async def set_reference(self, customer_id: UUID, key: str, value: str) -> None:
        c = t.customers.c
        query = locked(self._c, sa.select(c.refs).where(c.id == customer_id))
        refs = (await self._c.execute(query)).scalar_one_or_none()
        if refs is not None and refs.get(key) != value:
            await self._c.execute(
                t.customers.update().where(c.id == customer_id).values(refs={**refs, key: value})
            )
