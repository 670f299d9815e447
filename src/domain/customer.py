"""Customers are found or created by their normalised email."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from uuid import UUID

# What the hub takes for an email address it can write to; the HTTP schema says the same.
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}"
_EMAIL = re.compile(f"^{EMAIL_PATTERN}$")


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
