"""The ports of staff accounts: where accounts, sessions, failed sign-ins and password links are kept,
and how passwords are hashed."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, Self
from uuid import UUID

from domain.staff import StaffAccount


class StaffStore(Protocol):
    """One transaction over the staff tables (a read-only one for `read_only`); nothing is written
    without `commit`. Session ids, password-link tokens and emails of failures arrive hashed."""

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc_info: object) -> None: ...
    async def commit(self) -> None: ...

    async def account(self, *, email: str | None = None, staff_id: UUID | None = None) -> StaffAccount | None:
        """The account with that (normalised) email or id."""

    async def accounts(self) -> list[StaffAccount]:
        """Every account, by email."""

    async def add(self, account: StaffAccount) -> bool:
        """False when an account has that email already (nothing is written)."""

    async def disable(self, staff_id: UUID, at: datetime) -> None:
        """Disables the account and ends its sessions and password links at once."""

    async def set_password(self, staff_id: UUID, password_hash: str) -> None:
        """The new hash; every password link and every session of the account ends."""

    async def add_session(
        self, id_hash: str, staff_id: UUID, now: datetime, *, forget_before: datetime
    ) -> None:
        """A new session; every session (of any account) last seen before `forget_before` is deleted."""

    async def session(self, id_hash: str) -> tuple[StaffAccount, datetime] | None:
        """The session's account and when the session was last seen."""

    async def touch_session(self, id_hash: str, now: datetime) -> None: ...

    async def end_session(self, id_hash: str) -> None: ...

    async def failures_since(self, email_key: str, since: datetime) -> int:
        """Failed sign-ins for the keyed email hash at or after `since`."""

    async def add_failure(self, email_key: str, at: datetime, *, forget_before: datetime) -> None:
        """Records one failure, and forgets every failure (of any email) older than `forget_before`."""

    async def clear_failures(self, email_key: str) -> None: ...

    async def add_password_token(self, token_hash: str, staff_id: UUID, expires_at: datetime) -> None:
        """The account's one link from now on: its older links are spent."""

    async def password_token(self, token_hash: str, now: datetime) -> UUID | None:
        """The account an unspent, unexpired password link belongs to."""


class StaffStoreFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> StaffStore: ...


class PasswordHasher(Protocol):
    """Slow hashes (argon2id); both calls take the same time whatever they are given."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether the password matches; with no hash, a dummy is checked (False), so the time spent
        does not tell whether an account exists."""
