"""Signing in and out of the console, and the session behind each request.

A sign-in costs one password verification whatever happens (an unknown email is checked against a
dummy hash), so neither the answer nor its time tells whether an account exists. Failures are counted
per email under a keyed hash (HMAC with the hub's key: the table holds no email); five within the
window refuse that email, even with the right password, until the window has passed."""

from __future__ import annotations

import hashlib
import hmac

from application.ports import Clock, SecretKeySource
from application.staff.accounts import digest
from application.staff.commands import SignIn, SignInOutcome, SignInResult
from application.staff.ports import PasswordHasher, StaffStoreFactory
from application.tokens import new_token
from domain.customer import normalise_email
from domain.staff import (
    FAILURE_WINDOW,
    MAX_PASSWORD_LENGTH,
    SESSION_IDLE,
    StaffMember,
    due_for_touch,
    locked_out,
    session_alive,
)


class SignInHandler:
    def __init__(
        self, store: StaffStoreFactory, passwords: PasswordHasher, keys: SecretKeySource, clock: Clock
    ) -> None:
        self._store, self._passwords, self._keys, self._clock = store, passwords, keys, clock

    async def __call__(self, command: SignIn) -> SignInResult:
        email = normalise_email(command.email)
        key = await self._email_key(email)
        now = self._clock.now()
        async with self._store(read_only=True) as store:
            failures = await store.failures_since(key, now - FAILURE_WINDOW)
            account = await store.account(email=email) if len(email) <= 255 else None
        # A password longer than any that can be set is checked against the dummy: the hash of a
        # megabyte is never computed, and the time stays the same.
        usable = account is not None and account.can_sign_in and len(command.password) <= MAX_PASSWORD_LENGTH
        stored = account.password_hash if usable and account is not None else None
        matches = await self._passwords.verify(stored, command.password[:MAX_PASSWORD_LENGTH])
        if locked_out(failures):
            return SignInResult(SignInOutcome.LOCKED)
        async with self._store() as store:
            if not (matches and usable and account):
                await store.add_failure(key, now, forget_before=now - FAILURE_WINDOW)
                await store.commit()
                return SignInResult(SignInOutcome.REFUSED)
            session_id = new_token()
            await store.add_session(
                digest(session_id), account.member.id, now, forget_before=now - SESSION_IDLE
            )
            await store.clear_failures(key)
            await store.commit()
        return SignInResult(SignInOutcome.SIGNED_IN, account.member, session_id)

    async def _email_key(self, email: str) -> str:
        key = await self._keys.secret_key()
        return hmac.new(key, b"bookhub-staff-sign-in:" + email.encode(), hashlib.sha256).hexdigest()


class ResolveStaffSession:
    """The member behind a session id, or None: unknown, ended, idle too long, or a disabled account.
    A live session's last-seen time is written at most once a minute."""

    def __init__(self, store: StaffStoreFactory, clock: Clock) -> None:
        self._store, self._clock = store, clock

    async def __call__(self, session_id: str | None) -> StaffMember | None:
        if not session_id or len(session_id) > 200:
            return None
        id_hash, now = digest(session_id), self._clock.now()
        async with self._store(read_only=True) as store:
            found = await store.session(id_hash)
        if found is None:
            return None
        account, last_seen = found
        if not account.active or not session_alive(last_seen, now):
            return None
        if due_for_touch(last_seen, now):
            async with self._store() as store:
                await store.touch_session(id_hash, now)
                await store.commit()
        return account.member


class SignOut:
    def __init__(self, store: StaffStoreFactory) -> None:
        self._store = store

    async def __call__(self, session_id: str | None) -> None:
        if not session_id or len(session_id) > 200:
            return
        async with self._store() as store:
            await store.end_session(digest(session_id))
            await store.commit()
