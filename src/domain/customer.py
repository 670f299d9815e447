"""Customers are found or created by their normalised email."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from uuid import UUID

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_valid_email(email: str) -> bool:
    return len(email) <= 255 and _EMAIL.match(email.strip()) is not None


@dataclass(slots=True, eq=False)
class Customer:
    id: UUID
    email: str
    name: str
    phone: str | None = None
    locale: str = "en"
    references: dict[str, str] = field(default_factory=dict)
