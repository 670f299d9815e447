"""Commands and results of this package's use cases: what callers and adapters hand in and get back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from application.ports import WebhookTally


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    SKIPPED = "skipped"
    RETRYING = "retrying"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Delivery:
    message_id: int
    topic: str
    outcome: DeliveryOutcome


@dataclass(frozen=True, slots=True)
class HealthReport:
    status: str  # "ok" or "degraded"
    integrations: Mapping[str, str]  # name -> connected, mock, disabled or unavailable
    last_sync: Mapping[str, datetime | None]
    failing: tuple[str, ...]
    pending: int
    dead: int
    oldest_pending_age_seconds: float | None
    webhooks: WebhookTally = field(default_factory=lambda: WebhookTally(0, 0))
    scheduled: int = 0  # messages due later (reminders), outside `pending`
