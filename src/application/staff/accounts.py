"""Staff accounts: add one (with a password, or a one-time link to set it), list them, disable one, and
set a password through its link. Passwords are hashed by the `PasswordHasher` (argon2id); a link token
and a session id are kept only as their SHA-256."""

from __future__ import annotations

import hashlib
import logging
from uuid import UUID, uuid4

from application.audit.ports import current_actor
from application.ports import Clock
from application.staff.commands import AddedStaff, AddStaff, StaffListing
from application.staff.ports import PasswordHasher, StaffStore, StaffStoreFactory
from application.tokens import new_token
from domain.staff import (
    PASSWORD_LINK_VALID,
    StaffAccount,
    StaffError,
    StaffExists,
    StaffMember,
    UnknownStaff,
    check_password,
    staff_email,
)

# Account changes are not bookings' (the audit trail's rows name a booking): one log line each, by id.
log = logging.getLogger("bookhub.staff")


def digest(secret: str) -> str:
    """What is stored of a random secret (a session id, a link token): 256 random bits need no key."""
    return hashlib.sha256(secret.encode()).hexdigest()


class InvalidPasswordLink(StaffError):
    def __init__(self) -> None:
        super().__init__("this link is unknown, used or expired")


class AddStaffHandler:
    """Raises InvalidStaffEmail, WeakPassword or StaffExists; nothing is written then."""

    def __init__(self, store: StaffStoreFactory, passwords: PasswordHasher, clock: Clock) -> None:
        self._store, self._passwords, self._clock = store, passwords, clock

    async def __call__(self, command: AddStaff) -> AddedStaff:
        email = staff_email(command.email)
        password_hash = None
        if command.password is not None:
            check_password(command.password)
            password_hash = await self._passwords.hash(command.password)
        now = self._clock.now()
        member = StaffMember(uuid4(), email, command.role)
        token = None if password_hash is not None else new_token()
        async with self._store() as store:
            if not await store.add(StaffAccount(member, now, password_hash)):
                raise StaffExists
            if token is not None:
                await store.add_password_token(digest(token), member.id, now + PASSWORD_LINK_VALID)
            await store.commit()
        log.info("staff account %s added as %s by %s", member.id, member.role.value, current_actor())
        return AddedStaff(member, token)


class ListStaff:
    def __init__(self, store: StaffStoreFactory) -> None:
        self._store = store

    async def __call__(self) -> list[StaffListing]:
        async with self._store(read_only=True) as store:
            accounts = await store.accounts()
        return [StaffListing(a.member, a.active, a.password_hash is not None) for a in accounts]


class DisableStaff:
    """The account can no longer sign in, and its sessions end at once. Disabling twice is a no-op."""

    def __init__(self, store: StaffStoreFactory, clock: Clock) -> None:
        self._store, self._clock = store, clock

    async def __call__(self, email: str | None = None, *, staff_id: UUID | None = None) -> StaffMember:
        async with self._store() as store:
            account = await store.account(email=_email_or_none(email), staff_id=staff_id)
            if account is None:
                raise UnknownStaff
            if account.active:
                await store.disable(account.member.id, self._clock.now())
                await store.commit()
                log.info("staff account %s disabled by %s", account.member.id, current_actor())
        return account.member


class IssuePasswordLink:
    """A new one-time link for an active account (a forgotten password, a link that ran out); it spends
    the account's older links. Raises UnknownStaff for no such active account."""

    def __init__(self, store: StaffStoreFactory, clock: Clock) -> None:
        self._store, self._clock = store, clock

    async def __call__(self, email: str | None = None, *, staff_id: UUID | None = None) -> AddedStaff:
        token, now = new_token(), self._clock.now()
        async with self._store() as store:
            account = await store.account(email=_email_or_none(email), staff_id=staff_id)
            if account is None or not account.active:
                raise UnknownStaff
            await store.add_password_token(digest(token), account.member.id, now + PASSWORD_LINK_VALID)
            await store.commit()
        log.info("staff account %s given a password link by %s", account.member.id, current_actor())
        return AddedStaff(account.member, token)


class SetStaffPassword:
    """Through a one-time link: the link must be unspent and unexpired, the account active; it is
    spent by its use, and the account's sessions end (whoever knew the old password is out). Raises
    InvalidPasswordLink or WeakPassword."""

    def __init__(self, store: StaffStoreFactory, passwords: PasswordHasher, clock: Clock) -> None:
        self._store, self._passwords, self._clock = store, passwords, clock

    async def check(self, token: str) -> bool:
        """Whether the link can still be used (to show its form, or say it cannot)."""
        async with self._store(read_only=True) as store:
            return await self._account(store, token) is not None

    async def __call__(self, token: str, password: str) -> StaffMember:
        check_password(password)
        password_hash = await self._passwords.hash(password)
        async with self._store() as store:
            account = await self._account(store, token)
            if account is None:
                raise InvalidPasswordLink
            await store.set_password(account.member.id, password_hash)
            await store.commit()
        log.info("staff account %s set its password with its one-time link", account.member.id)
        return account.member

    async def _account(self, store: StaffStore, token: str) -> StaffAccount | None:
        staff_id = await store.password_token(digest(token), self._clock.now())
        account = None if staff_id is None else await store.account(staff_id=staff_id)
        return account if account is not None and account.active else None


def _email_or_none(email: str | None) -> str | None:
    return None if email is None else staff_email(email)
