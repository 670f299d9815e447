"""What callers hand the staff use cases and get back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.staff import Role, StaffMember


@dataclass(frozen=True, slots=True)
class AddStaff:
    """A new account; without a password, the answer carries a one-time link token to set one."""

    email: str
    role: Role
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class AddedStaff:
    member: StaffMember
    password_token: str | None = field(default=None, repr=False)  # for `/console/password/<token>`


@dataclass(frozen=True, slots=True)
class StaffListing:
    """One account as `bookhub staff list` and the Staff page show it: never its hash."""

    member: StaffMember
    active: bool
    has_password: bool


@dataclass(frozen=True, slots=True)
class SignIn:
    email: str
    password: str = field(repr=False)


class SignInOutcome(StrEnum):
    SIGNED_IN = "signed_in"
    REFUSED = "refused"  # wrong email or password, disabled account: one answer for all
    LOCKED = "locked"  # too many failures for this email lately, whatever the password


@dataclass(frozen=True, slots=True)
class SignInResult:
    outcome: SignInOutcome
    member: StaffMember | None = None
    session_id: str | None = field(default=None, repr=False)  # the cookie's value; only its hash is kept
