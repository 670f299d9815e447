"""Outbox messages: side effects written with the state change and delivered after commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    topic: str
    idempotency_key: str
    booking_id: UUID | None
    payload: dict[str, Any] = field(default_factory=dict)
    available_at: datetime | None = None
