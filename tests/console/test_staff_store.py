"""The staff tables on SQLite and PostgreSQL: one account per email whatever its case, only the two roles,
and the store's own answers (sessions, failures, links)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from adapters.persistence import tables as t
from adapters.persistence.staff import SqlStaffStoreFactory
from domain.staff import Role, StaffAccount, StaffMember
from tests.support.databases import migrated

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _row(email: str, role: str = "staff") -> dict[str, object]:
    return {"id": uuid.uuid4(), "email": email, "role": role, "password_hash": None, "created_at": T0}


@pytest.mark.parametrize("row", [_row("boss@example.com", "boss"), _row("Mixed@Example.com")])
async def test_the_database_refuses_another_role_and_an_email_not_in_lower_case(
    database_url: str, row: dict[str, object]
) -> None:
    async with migrated(database_url) as database:
        with pytest.raises(IntegrityError):
            async with database.engine.begin() as connection:
                await connection.execute(t.staff_accounts.insert(), row)


async def test_one_account_per_email(database_url: str) -> None:
    async with migrated(database_url) as database:
        store = SqlStaffStoreFactory(database)
        first = StaffAccount(StaffMember(uuid.uuid4(), "a@example.com", Role.OWNER), T0)
        second = StaffAccount(StaffMember(uuid.uuid4(), "a@example.com", Role.STAFF), T0)
        async with store() as s:
            added = [await s.add(first), await s.add(second)]
            await s.commit()
        async with store(read_only=True) as s:
            accounts = await s.accounts()
    assert added == [True, False]
    assert [a.member for a in accounts] == [first.member]


async def test_sessions_failures_and_links_as_the_use_cases_read_them(database_url: str) -> None:
    async with migrated(database_url) as database:
        store = SqlStaffStoreFactory(database)
        account = StaffAccount(StaffMember(uuid.uuid4(), "a@example.com", Role.STAFF), T0, "hash")
        staff_id = account.member.id
        async with store() as s:
            await s.add(account)
            await s.add_session(
                "old", staff_id, T0 - timedelta(hours=13), forget_before=T0 - timedelta(days=1)
            )
            await s.add_session("s" * 64, staff_id, T0, forget_before=T0 - timedelta(hours=12))
            await s.add_password_token("p" * 64, staff_id, T0 + timedelta(hours=24))
            for minutes in (0, 10, 20):
                await s.add_failure("k" * 64, T0 + timedelta(minutes=minutes), forget_before=T0)
            await s.add_failure("other", T0 + timedelta(minutes=20), forget_before=T0 + timedelta(minutes=5))
            await s.commit()
        async with store() as s:
            session = await s.session("s" * 64)
            lapsed = await s.session("old")
            failures = await s.failures_since("k" * 64, T0)
            link = await s.password_token("p" * 64, T0 + timedelta(hours=1))
            late = await s.password_token("p" * 64, T0 + timedelta(hours=25))
            await s.disable(staff_id, T0 + timedelta(hours=2))
            await s.commit()
        async with store(read_only=True) as s:
            ended = await s.session("s" * 64)
            spent = await s.password_token("p" * 64, T0 + timedelta(hours=3))
        async with database.engine.connect() as connection:
            kept = (
                await connection.execute(sa.select(sa.func.count()).select_from(t.staff_sign_in_failures))
            ).scalar()
    assert session is not None
    assert lapsed is None  # idle longer than the window: deleted by the next sign-in
    assert (session[0].member, session[1]) == (account.member, T0)
    assert failures == 2  # the one at T0 was forgotten by the last add (older than T0 + 5 minutes)
    assert (link, late) == (staff_id, None)
    assert (ended, spent) == (None, None)
    assert kept == 3
