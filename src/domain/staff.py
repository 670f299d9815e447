"""Staff members of the console: who they are (a normalised email), what they may do (a role), whether
they may still sign in; and the rules a password and a sign-in follow. No I/O: hashing, sessions and the
clock come from the application's ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from uuid import UUID

from domain.customer import is_valid_email, normalise_email

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 1024  # hashing a megabyte is work an attacker should not get for free
# Five failed sign-ins for one email within this window refuse that email until the window passes.
MAX_FAILED_SIGN_INS: Final = 5
FAILURE_WINDOW: Final = timedelta(minutes=15)
# A session ends after this long without a request; `last_seen` is written at most once per TOUCH_EVERY.
SESSION_IDLE: Final = timedelta(hours=12)
TOUCH_EVERY: Final = timedelta(minutes=1)
PASSWORD_LINK_VALID: Final = timedelta(hours=24)


class Role(StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class StaffError(Exception):
    """A staff command that cannot be done; its text is one line for a person, without secrets."""


class InvalidStaffEmail(StaffError):
    def __init__(self) -> None:
        super().__init__("not an email address")


class InvalidRole(StaffError):
    def __init__(self) -> None:
        super().__init__(f"the role is one of {', '.join(r.value for r in Role)}")


class WeakPassword(StaffError):
    def __init__(self) -> None:
        super().__init__(
            f"a password has at least {MIN_PASSWORD_LENGTH} characters (and at most {MAX_PASSWORD_LENGTH})"
        )


class StaffExists(StaffError):
    def __init__(self) -> None:
        super().__init__("a staff account with that email exists already")


class UnknownStaff(StaffError):
    def __init__(self) -> None:
        super().__init__("no staff account has that email")


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A signed-in member as the console sees them: id (the audit trail's `staff:<id>`), email, role."""

    id: UUID
    email: str
    role: Role

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER


@dataclass(frozen=True, slots=True)
class StaffAccount:
    member: StaffMember
    created_at: datetime
    password_hash: str | None = None  # None until the one-time link is used
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def can_sign_in(self) -> bool:
        return self.active and self.password_hash is not None


def staff_email(email: str) -> str:
    """The email as accounts are keyed (trimmed, lower case); InvalidStaffEmail when it is none."""
    if not is_valid_email(email):
        raise InvalidStaffEmail
    return normalise_email(email)


def role_of(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InvalidRole from None


def check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword


def locked_out(failures_in_window: int) -> bool:
    return failures_in_window >= MAX_FAILED_SIGN_INS


def session_alive(last_seen: datetime, now: datetime) -> bool:
    return now - last_seen < SESSION_IDLE


def due_for_touch(last_seen: datetime, now: datetime) -> bool:
    return now - last_seen >= TOUCH_EVERY
