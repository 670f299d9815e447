"""The console's page of one booking: customer, times, payments and refunds, extensions, provider
references, its timeline (who did what: a staff member by email), and what staff can do now, each a
form (booking_forms.py) that answers 303 back here with a status line, or this page again with the
error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from application.bookings.commands import BookingTimeline, BookingView, FreeResource, TimelineItem
from application.bookings.ports import AuditRecord, DeliveryRecord, InboundRecord
from application.bookings.queries import GetBooking, GetOffering
from application.errors import UnknownOffering
from application.ports import Clock, LedgerEntry
from domain.booking_actions import RESENDABLE
from domain.catalog import Money, Offering
from domain.dispatch import READY_FROM
from domain.errors import DomainError
from domain.staff import StaffMember
from domain.statuses import BookingStatus
from entrypoints.booking_actions import BookingActions
from entrypoints.console_wiring import StaffServices
from entrypoints.http.deps import Inject
from entrypoints.web.console.access import ConsoleAccess
from entrypoints.web.pages import AnyRequest, Lang

PAGE = "/console/bookings/{booking_id:uuid}"
UTC_ZONE = ZoneInfo("UTC")
# What staff may cancel (and refund): anything not over.
CANCELLABLE = frozenset(
    {
        BookingStatus.PENDING,
        BookingStatus.PENDING_PAYMENT,
        BookingStatus.CONFIRMED,
        BookingStatus.SCHEDULED,
        BookingStatus.IN_SERVICE,
    }
)
# References a page shows as they are (ids at providers); the rest are the hub's own bookkeeping.
HIDDEN_REFERENCES = frozenset({"payment_attempt", "payment_url", "payment_gateway"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline as the page shows it: when, what kind, who (or which provider), and the
    words of what happened (`what` a key the template turns into words, `detail` as it is)."""

    at: datetime
    kind: str
    who: str
    what: str
    detail: str = ""
    extra: str = ""
    money: Money | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """An action refused: which form (`action`), the reason's key, and the HTTP status of the page."""

    action: str
    reason: str
    status: int
    field: str | None = None


@get(PAGE)
async def booking_page(
    request: AnyRequest, booking_id: FromPath[UUID], console_booking_page: Inject[Page]
) -> Template:
    page = console_booking_page
    member = await page.console.member(request)
    return await page.render(request, member, booking_id, page.console.language(request))


class Page:
    """What the page shows, gathered from the use cases; also rendered again by a refused form."""

    def __init__(
        self,
        console: ConsoleAccess,
        get_booking: GetBooking,
        get_offering: GetOffering,
        actions: BookingActions,
        staff: StaffServices,
        clock: Clock,
    ) -> None:
        self.console, self.get_booking, self.get_offering = console, get_booking, get_offering
        self.actions, self._staff, self._clock = actions, staff, clock

    async def render(
        self,
        request: AnyRequest,
        member: StaffMember,
        booking_id: UUID,
        lang: Lang,
        *,
        problem: Problem | None = None,
        form: dict[str, Any] | None = None,
    ) -> Template:
        view = await self.get_booking(booking_id, token=None, admin=True, extensions=True)
        timeline = await self.actions.timeline(booking_id)
        free = await self.actions.free_resources(booking_id)
        offering = self._offering_of(view.booking.offering_id)
        zone = offering.timezone if offering is not None else UTC_ZONE
        return await self.console.render(
            request,
            member,
            "console/booking.html",
            lang=lang,
            status=problem.status if problem else 200,
            view=view,
            booking=view.booking,
            customer=view.customer,
            offering=offering,
            zone=zone,
            timeline_entries=await self._entries(timeline, view),
            payments=[(e, Money(e.amount_cents, e.currency)) for e in timeline.payments],
            paid=Money(view.booking.paid_cents, view.booking.price.currency),
            references=_references(view),
            free=free,
            resource_name=self.actions.resource_name(view.booking.resource_id or "\u2013"),
            can=self._can(view, free, member),
            notice=request.query_params.get("notice"),
            refunded=_refunded(request, view),
            problem=problem,
            form=form or {},
            local_start=_local_input(view, zone),
        )

    def _offering_of(self, offering_id: str) -> Offering | None:
        try:
            return self.get_offering(offering_id)
        except UnknownOffering:  # taken out of the catalog since: the booking still shows
            return None

    def _can(self, view: BookingView, free: list[FreeResource], member: StaffMember) -> dict[str, bool]:
        booking, now = view.booking, self._clock.now()
        return {
            "cancel": member.is_owner and booking.status in CANCELLABLE,
            "extension": booking.payment_status.value == "paid" and booking.status in CANCELLABLE,
            "assign": bool(free),
            "move": _movable(view, now),
            "ready": booking.dispatch is not None and booking.status in READY_FROM,
            "resend": booking.status in RESENDABLE,
        }

    async def _entries(self, timeline: BookingTimeline, view: BookingView) -> list[Entry]:
        emails = await self._emails(timeline)
        currency = view.booking.price.currency
        return [_entry(item, emails, currency) for item in timeline.items]

    async def _emails(self, timeline: BookingTimeline) -> dict[str, str]:
        """`staff:<id>` → the member's email, for the actors the timeline names (disabled ones too)."""
        actors = {i.actor for i in timeline.items if isinstance(i, AuditRecord)}
        if not any(a.startswith("staff:") for a in actors):
            return {}
        return {f"staff:{s.member.id}": s.member.email for s in await self._staff.list()}


def _entry(item: TimelineItem, emails: dict[str, str], currency: str) -> Entry:
    if isinstance(item, AuditRecord):
        who = emails.get(item.actor, item.actor)
        if item.action:
            return Entry(item.at, "audit", who, item.action, item.detail or "")
        return Entry(item.at, "audit", who, "status", item.from_status, item.to_status)
    if isinstance(item, DeliveryRecord):
        tries = str(item.attempts)
        return Entry(item.at, "delivery", item.topic, item.state, item.last_error or "", tries)
    if isinstance(item, InboundRecord):
        return Entry(item.at, "inbound", item.provider, "received", item.event_type)
    return _money_entry(item, currency)


def _money_entry(entry: LedgerEntry, currency: str) -> Entry:
    amount = Money(entry.amount_cents, entry.currency or currency)
    return Entry(entry.occurred_at, "payment", entry.provider, entry.kind, entry.provider_ref, money=amount)


def _references(view: BookingView) -> list[tuple[str, str]]:
    refs = view.booking.references
    return sorted((k, v) for k, v in refs.items() if k not in HIDDEN_REFERENCES and v)


def _movable(view: BookingView, now: datetime) -> bool:
    try:
        view.booking.check_movable(now)
    except DomainError:
        return False
    return True


def _refunded(request: AnyRequest, view: BookingView) -> Money | None:
    """The refund a cancellation just asked for (`?refund=` cents), never more than the booking's price."""
    text = request.query_params.get("refund")
    if text is None or not text.isdigit():
        return None
    price = view.booking.price
    return Money(min(int(text), price.amount_cents), price.currency)


def _local_input(view: BookingView, zone: ZoneInfo) -> str:
    """The booking's start as a `datetime-local` field shows it, in the offering's time zone."""
    slot = view.booking.slot
    return slot.start.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if slot is not None else ""
