"""Domain errors: values with a stable code that the application maps, never HTTP concerns."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class SlotUnavailable(DomainError):
    code = "slot_unavailable"


class OutsideOpeningHours(DomainError):
    code = "outside_opening_hours"


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, machine: str, current: str, target: str) -> None:
        super().__init__(f"{machine} cannot move from {current} to {target}")
        self.machine, self.current, self.target = machine, current, target


class PaymentRequired(DomainError):
    code = "payment_required"


class InvalidCatalog(DomainError):
    code = "invalid_catalog"


class ErasureRefused(DomainError):
    """The person has a booking still to come or under way: it must be cancelled before erasure."""

    code = "erasure_refused"


class NoSessionsLeft(DomainError):
    """A package's sessions are all scheduled (or used): another one needs another package."""

    code = "no_sessions_left"


class OutsideValidity(DomainError):
    """A package's session must start before the package's validity ends."""

    code = "outside_validity"


class NotAPackage(DomainError):
    """Sessions are scheduled on a package (an offering with `sessions`), not on a single booking."""

    code = "not_a_package"
