"""Domain events as the rows they become: audit entries, outbox messages and payments ledger rows (no
personal data)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from application.outbox_routes import outbox_messages_for
from domain.events import ActionTaken, DomainEvent, MoneyMoved, StatusChanged, TripUpdated
from domain.outbox import OutboxMessage


def audit_rows(events: Iterable[DomainEvent], *, actor: str) -> list[dict[str, Any]]:
    """Booking status changes and actions by the unit of work's actor; trip statuses by the driver app."""
    rows = []
    for event in events:
        if isinstance(event, StatusChanged | TripUpdated):
            who = "driver_app" if isinstance(event, TripUpdated) else actor
            rows.append(_audit_row(event, who, event.from_status, event.to_status))
        elif isinstance(event, ActionTaken):
            rows.append(_audit_row(event, actor, event.status, event.status, event.action, event.detail))
    return rows


def _audit_row(
    event: DomainEvent,
    actor: str,
    from_status: str,
    to_status: str,
    action: str | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    return {
        "booking_id": event.booking_id,
        "actor": actor,
        "from_status": from_status,
        "to_status": to_status,
        "at": event.occurred_at,
        "action": action,
        "detail": detail,
    }


def outbox_rows(events: Iterable[DomainEvent], *, now: datetime) -> list[dict[str, Any]]:
    return [
        outbox_message_row(message, now=now, due=event.occurred_at)
        for event in events
        for message in outbox_messages_for(event)
    ]


def ledger_rows(events: Iterable[DomainEvent]) -> list[dict[str, Any]]:
    """Each charge or refund reported, once: the ledger's unique (provider, provider_ref, kind) skips a
    repeat."""
    return [
        {
            "provider": event.provider,
            "provider_ref": event.provider_ref,
            "kind": event.kind,
            "amount_cents": event.amount_cents,
            "currency": event.currency,
            "booking_id": event.booking_id,
            "extension_id": event.extension_id,
            "payment_ref": event.payment_ref,
            "occurred_at": event.occurred_at,
        }
        for event in events
        if isinstance(event, MoneyMoved)
    ]


def outbox_message_row(
    message: OutboxMessage, *, now: datetime, due: datetime | None = None
) -> dict[str, Any]:
    """A pending message, due at its own time, else at `due`, else now."""
    return {
        "topic": message.topic,
        "idempotency_key": message.idempotency_key,
        "booking_id": message.booking_id,
        "payload": message.payload,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": message.available_at or due or now,
        "created_at": now,
    }
