"""The staff tables behind `StaffStore`: accounts, sessions, failed sign-ins and password links, one
transaction per use (on SQLite a writing one waits for the one writer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence import tables as t
from adapters.persistence.database import Database
from adapters.persistence.dialect import upsert
from adapters.persistence.scope import TransactionScope
from domain.staff import Role, StaffAccount, StaffMember

_a, _s, _f, _p = (
    t.staff_accounts.c,
    t.staff_sessions.c,
    t.staff_sign_in_failures.c,
    t.staff_password_tokens.c,
)


class SqlStaffStore(TransactionScope):
    async def commit(self) -> None:
        await self._c.commit()

    async def account(self, *, email: str | None = None, staff_id: UUID | None = None) -> StaffAccount | None:
        where = _a.email == email if email is not None else _a.id == staff_id
        row = (await self._c.execute(sa.select(t.staff_accounts).where(where))).first()
        return _account(row) if row is not None else None

    async def accounts(self) -> list[StaffAccount]:
        rows = await self._c.execute(sa.select(t.staff_accounts).order_by(_a.email))
        return [_account(row) for row in rows]

    async def add(self, account: StaffAccount) -> bool:
        member = account.member
        insert = upsert(self._c, t.staff_accounts).values(
            id=member.id,
            email=member.email,
            role=member.role.value,
            password_hash=account.password_hash,
            created_at=account.created_at,
            disabled_at=account.disabled_at,
        )
        return bool((await self._c.execute(insert.on_conflict_do_nothing())).rowcount)

    async def disable(self, staff_id: UUID, at: datetime) -> None:
        await self._c.execute(t.staff_accounts.update().where(_a.id == staff_id).values(disabled_at=at))
        await self._c.execute(t.staff_sessions.delete().where(_s.staff_id == staff_id))
        await self._c.execute(t.staff_password_tokens.delete().where(_p.staff_id == staff_id))

    async def set_password(self, staff_id: UUID, password_hash: str) -> None:
        update = t.staff_accounts.update().where(_a.id == staff_id).values(password_hash=password_hash)
        await self._c.execute(update)
        await self._c.execute(t.staff_password_tokens.delete().where(_p.staff_id == staff_id))
        await self._c.execute(t.staff_sessions.delete().where(_s.staff_id == staff_id))

    async def add_session(
        self, id_hash: str, staff_id: UUID, now: datetime, *, forget_before: datetime
    ) -> None:
        await self._c.execute(t.staff_sessions.delete().where(_s.last_seen_at < forget_before))
        values = {"id_hash": id_hash, "staff_id": staff_id, "created_at": now, "last_seen_at": now}
        await self._c.execute(t.staff_sessions.insert().values(**values))

    async def session(self, id_hash: str) -> tuple[StaffAccount, datetime] | None:
        query = (
            sa.select(t.staff_accounts, _s.last_seen_at)
            .join(t.staff_sessions, _s.staff_id == _a.id)
            .where(_s.id_hash == id_hash)
        )
        row = (await self._c.execute(query)).first()
        return (_account(row), row.last_seen_at) if row is not None else None

    async def touch_session(self, id_hash: str, now: datetime) -> None:
        update = t.staff_sessions.update().where(_s.id_hash == id_hash, _s.last_seen_at < now)
        await self._c.execute(update.values(last_seen_at=now))

    async def end_session(self, id_hash: str) -> None:
        await self._c.execute(t.staff_sessions.delete().where(_s.id_hash == id_hash))

    async def failures_since(self, email_key: str, since: datetime) -> int:
        query = sa.select(sa.func.count()).where(_f.email_key == email_key, _f.at >= since)
        return int((await self._c.execute(query)).scalar_one())

    async def add_failure(self, email_key: str, at: datetime, *, forget_before: datetime) -> None:
        await self._c.execute(t.staff_sign_in_failures.delete().where(_f.at < forget_before))
        await self._c.execute(t.staff_sign_in_failures.insert().values(email_key=email_key, at=at))

    async def clear_failures(self, email_key: str) -> None:
        await self._c.execute(t.staff_sign_in_failures.delete().where(_f.email_key == email_key))

    async def add_password_token(self, token_hash: str, staff_id: UUID, expires_at: datetime) -> None:
        values = {"token_hash": token_hash, "staff_id": staff_id, "expires_at": expires_at}
        await self._c.execute(t.staff_password_tokens.delete().where(_p.staff_id == staff_id))
        await self._c.execute(t.staff_password_tokens.insert().values(**values))

    async def password_token(self, token_hash: str, now: datetime) -> UUID | None:
        query = sa.select(_p.staff_id).where(_p.token_hash == token_hash, _p.expires_at > now)
        found: UUID | None = (await self._c.execute(query)).scalar_one_or_none()
        return found


class SqlStaffStoreFactory:
    def __init__(self, database: Database) -> None:
        self._db = database

    def __call__(self, *, read_only: bool = False) -> SqlStaffStore:
        return SqlStaffStore(self._db, read_only=read_only)


def _account(row: Any) -> StaffAccount:
    member = StaffMember(row.id, row.email, Role(row.role))
    return StaffAccount(member, row.created_at, row.password_hash, row.disabled_at)
