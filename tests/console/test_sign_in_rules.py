"""The sign-in use case on a real store: one password verification whatever the case (so the time does
not tell whether an account exists), the lock counted per email under a keyed hash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from adapters.persistence.database import Database
from adapters.persistence.staff import SqlStaffStoreFactory
from application.staff.accounts import AddStaffHandler, DisableStaff
from application.staff.commands import AddStaff, SignIn, SignInOutcome
from application.staff.sessions import SignInHandler
from domain.staff import Role
from tests.console.support import PASSWORD, cheap_passwords
from tests.support.databases import migrated

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@dataclass
class CountingPasswords:
    """The real hasher, counting verifications and whether each had a real hash to check."""

    calls: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._inner = cheap_passwords()

    async def hash(self, password: str) -> str:
        return await self._inner.hash(password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.calls.append(password_hash is not None)
        return await self._inner.verify(password_hash, password)


class Keys:
    async def secret_key(self) -> bytes:
        return b"k" * 32


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[Database]:
    async with migrated(sqlite_url) as db:
        yield db


async def test_every_sign_in_verifies_exactly_one_hash(database: Database) -> None:
    store, clock, passwords = SqlStaffStoreFactory(database), FixedClock(NOW), CountingPasswords()
    await AddStaffHandler(store, passwords, clock)(AddStaff("known@example.com", Role.STAFF, PASSWORD))
    await AddStaffHandler(store, passwords, clock)(AddStaff("gone@example.com", Role.STAFF, PASSWORD))
    await DisableStaff(store, clock)("gone@example.com")
    sign_in = SignInHandler(store, passwords, Keys(), clock)

    outcomes = [
        (await sign_in(SignIn(email, password))).outcome
        for email, password in [
            ("known@example.com", PASSWORD),
            ("known@example.com", "a wrong password"),
            ("nobody@example.com", PASSWORD),
            ("gone@example.com", PASSWORD),
            ("known@example.com", "x" * 5000),
        ]
    ]
    assert outcomes == [SignInOutcome.SIGNED_IN] + [SignInOutcome.REFUSED] * 4
    assert passwords.calls == [True, True, False, False, False]  # one each; a dummy when nothing to check


async def test_failures_are_kept_under_a_keyed_hash_never_the_email(database: Database) -> None:
    store, clock = SqlStaffStoreFactory(database), FixedClock(NOW)
    sign_in = SignInHandler(store, CountingPasswords(), Keys(), clock)
    for _ in range(6):
        last = await sign_in(SignIn("Someone@Example.com", "a wrong password"))
    async with database.engine.connect() as connection:
        keys = (await connection.execute(sa.select(t.staff_sign_in_failures.c.email_key))).scalars().all()
    assert last.outcome is SignInOutcome.LOCKED
    assert len(keys) == 5
    assert len(set(keys)) == 1
    assert "someone" not in keys[0].lower()
