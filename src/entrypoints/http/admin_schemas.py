"""The wire of the admin's booking actions: cancel with a partial refund, assign a resource, the
resources free for a booking, and a booking's timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from msgspec import Meta, Struct

from application.bookings.commands import BookingTimeline, FreeResource, TimelineItem
from application.bookings.ports import AuditRecord, DeliveryRecord, InboundRecord
from application.ports import LedgerEntry

MAX_REFUND_CENTS = 100_000_000  # far beyond any booking's price: what is beyond its payment is a 422


class AdminCancelIn(Struct, forbid_unknown_fields=True):
    """`amount_cents`: the refund, at most what was paid (422 beyond it); left out, all that was paid."""

    amount_cents: Annotated[int, Meta(ge=0, le=MAX_REFUND_CENTS)] | None = None


class AssignIn(Struct, forbid_unknown_fields=True):
    resource_id: Annotated[str, Meta(min_length=1, max_length=100)]


class FreeResourceOut(Struct):
    resource_id: str
    name: str
    type: str
    current: bool  # the resource the booking holds now


class FreeResourcesOut(Struct):
    items: list[FreeResourceOut]


class PaymentMovementOut(Struct):
    """A charge or refund in the payments ledger, as the provider reported it."""

    at: datetime
    provider: str
    provider_ref: str
    kind: str  # `charge` or `refund`
    amount_cents: int
    currency: str
    extension_id: UUID | None
    payment_ref: str | None


class TimelineItemOut(Struct, omit_defaults=True):
    """One thing in a booking's history. `kind`: `audit` (`actor`, `from_status`, `to_status`, or an
    `action` and its `detail`), `delivery` (an outbox message: `topic`, `state`, `attempts`,
    `last_error`, `next_attempt_at`, `delivered_at`), `inbound` (a provider's event: `provider`,
    `event_type`, `event_id`; never its body), `payment` (`provider`, `provider_ref`, `movement`
    `charge` or `refund`, `amount_cents`, `currency`)."""

    at: datetime
    kind: str
    actor: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    action: str | None = None
    detail: str | None = None
    topic: str | None = None
    state: str | None = None
    attempts: int | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    provider: str | None = None
    event_type: str | None = None
    event_id: str | None = None
    provider_ref: str | None = None
    movement: str | None = None
    amount_cents: int | None = None
    currency: str | None = None


class TimelineOut(Struct):
    booking_id: UUID
    items: list[TimelineItemOut]
    payments: list[PaymentMovementOut]


def free_resources_out(free: list[FreeResource]) -> FreeResourcesOut:
    return FreeResourcesOut([FreeResourceOut(r.resource_id, r.name, r.type, r.current) for r in free])


def timeline_out(timeline: BookingTimeline) -> TimelineOut:
    return TimelineOut(
        timeline.booking_id,
        [_item(item) for item in timeline.items],
        [_movement(entry) for entry in timeline.payments],
    )


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _item(item: TimelineItem) -> TimelineItemOut:
    if isinstance(item, AuditRecord):
        return TimelineItemOut(
            item.at.astimezone(UTC),
            "audit",
            actor=item.actor,
            from_status=item.from_status,
            to_status=item.to_status,
            action=item.action,
            detail=item.detail,
        )
    if isinstance(item, DeliveryRecord):
        return TimelineItemOut(
            item.at.astimezone(UTC),
            "delivery",
            topic=item.topic,
            state=item.state,
            attempts=item.attempts,
            last_error=item.last_error,
            next_attempt_at=_utc(item.next_attempt_at),
            delivered_at=_utc(item.delivered_at),
        )
    if isinstance(item, InboundRecord):
        return TimelineItemOut(
            item.at.astimezone(UTC),
            "inbound",
            provider=item.provider,
            event_type=item.event_type,
            event_id=item.event_id,
        )
    return _payment_item(item)


def _payment_item(entry: LedgerEntry) -> TimelineItemOut:
    return TimelineItemOut(
        entry.occurred_at.astimezone(UTC),
        "payment",
        provider=entry.provider,
        provider_ref=entry.provider_ref,
        movement=entry.kind,
        amount_cents=entry.amount_cents,
        currency=entry.currency,
    )


def _movement(entry: LedgerEntry) -> PaymentMovementOut:
    return PaymentMovementOut(
        entry.occurred_at.astimezone(UTC),
        entry.provider,
        entry.provider_ref,
        entry.kind,
        entry.amount_cents,
        entry.currency,
        entry.extension_id,
        entry.payment_ref,
    )
