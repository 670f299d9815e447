"""The wire of a package's sessions: what scheduling one takes, and how a session is shown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from msgspec import Meta, Struct

from application.packages.commands import SessionView
from domain.booking import Booking
from domain.catalog import Offering

Aware = Annotated[datetime, Meta(tz=True, description="ISO 8601 with an offset; a naive time is refused")]


class PackageOut(Struct):
    """An offering sold as a package: this many sessions, each starting within `valid_days` of payment
    (null: any time)."""

    sessions: int
    valid_days: int | None


def package_out(offering: Offering) -> PackageOut | None:
    return PackageOut(offering.sessions, offering.valid_days) if offering.sessions is not None else None


class SessionIn(Struct, forbid_unknown_fields=True):
    start: Aware
    timezone: Annotated[str, Meta(min_length=1, max_length=64)] | None = None


class SessionItemOut(Struct):
    session_id: UUID
    start: datetime
    end: datetime
    status: str
    resource_id: str | None
    meeting_url: str | None


class SessionOut(Struct):
    """One session, with its package's credits after the change."""

    session_id: UUID
    booking_id: UUID  # the package
    start: datetime
    end: datetime
    status: str
    resource_id: str | None
    meeting_url: str | None
    sessions_total: int
    sessions_left: int
    valid_until: datetime | None


def session_item(session: Booking) -> SessionItemOut:
    assert session.slot is not None  # noqa: S101 - a session always has its slot
    return SessionItemOut(
        session_id=session.id,
        start=session.slot.start.astimezone(UTC),
        end=session.slot.end.astimezone(UTC),
        status=session.status.value,
        resource_id=session.resource_id,
        meeting_url=session.references.get("meeting_url"),
    )


def session_out(view: SessionView) -> SessionOut:
    item, credits = session_item(view.session), view.package.credits
    assert credits is not None  # noqa: S101 - a session's package has its credits
    valid_until = credits.valid_until.astimezone(UTC) if credits.valid_until else None
    return SessionOut(
        session_id=item.session_id,
        booking_id=view.package.id,
        start=item.start,
        end=item.end,
        status=item.status,
        resource_id=item.resource_id,
        meeting_url=item.meeting_url,
        sessions_total=credits.total,
        sessions_left=credits.left,
        valid_until=valid_until,
    )
