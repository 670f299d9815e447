"""The catalog from TOML, validated at start with errors that name the file, the offering and the key."""

from __future__ import annotations

import itertools
import re
import string
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from msgspec import Meta, Struct

from domain.catalog import (
    WEEKDAYS,
    CancellationPolicy,
    Catalog,
    Money,
    Offering,
    OfferingKind,
    Resource,
    Template,
    TimeRange,
)
from domain.errors import InvalidCatalog

EXAMPLE = Path(__file__).with_name("example.toml")
MAX_SPAN = timedelta(days=2)  # duration plus buffer; see adapters.persistence.occupancy.MAX_SPAN
MAX_NOTICE_HOURS = 24 * 366  # how far ahead of a start a deadline or a reminder may be
EVENTS = frozenset(
    {
        "booking_confirmed",
        "payment_failed",
        "booking_cancelled",
        "refund_issued",
        "booking_rescheduled",
        "reminder",
        "extension_proposed",
        "vehicle_picked_up",
        "vehicle_returned",
    }
)
CHANNELS = frozenset({"email", "sms"})
PLACEHOLDERS = frozenset(
    {
        "booking_id",
        "customer_name",
        "offering_name",
        "start_local",
        "end_local",
        "amount",
        "payment_url",
        "manage_url",
        "extension_description",
    }
)
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
Slug = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ResourceIn(Struct, forbid_unknown_fields=True):
    id: Slug
    type: Slug
    name: Annotated[str, Meta(min_length=1, max_length=100)]


class TemplateIn(Struct, forbid_unknown_fields=True):
    body: Annotated[str, Meta(min_length=1, max_length=5000)]
    subject: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class OfferingIn(Struct, forbid_unknown_fields=True, kw_only=True):
    id: Slug
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    kind: Literal["session", "transfer", "hourly", "tour", "service", "event"]
    duration_minutes: Annotated[int, Meta(gt=0)]
    amount_cents: Annotated[int, Meta(ge=0)]
    currency: Annotated[str, Meta(pattern=r"^[A-Z]{3}$")] = "EUR"
    resource_type: Slug | None = None
    capacity: Annotated[int, Meta(ge=1, le=100_000)] = 1
    buffer_minutes: Annotated[int, Meta(ge=0)] = 0
    slot_step_minutes: Annotated[int, Meta(gt=0, le=1440)] = 30
    timezone: str = "Europe/Paris"
    opening_hours: dict[Weekday, list[str]] = {}
    dispatch: bool = False
    description: str | None = None
    stripe_payment_link_id: str | None = None
    acuity_appointment_type_id: int | None = None
    cal_event_type_id: int | None = None
    payment_provider: (
        Literal["stripe", "stripe_payment_intent", "airwallex", "airwallex_payment_intent"] | None
    ) = None
    sessions: Annotated[int, Meta(ge=1, le=1000)] | None = None
    valid_days: Annotated[int, Meta(ge=1, le=3660)] | None = None
    notification_templates: dict[str, dict[str, dict[str, TemplateIn]]] = {}
    free_cancellation_hours: Annotated[int, Meta(ge=0, le=MAX_NOTICE_HOURS)] | None = None
    late_cancellation_refund_percent: Annotated[int, Meta(ge=0, le=100)] = 0
    reminder_hours: Annotated[list[Annotated[int, Meta(gt=0, le=MAX_NOTICE_HOURS)]], Meta(max_length=10)] = []


class CatalogIn(Struct, forbid_unknown_fields=True):
    resources: list[ResourceIn] = []
    offerings: list[OfferingIn] = []
    # Templates every offering has unless it names its own for the same event, channel and language.
    notification_templates: dict[str, dict[str, dict[str, TemplateIn]]] = {}


def load_catalog(path: Path) -> Catalog:
    where = f"catalog {path}"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidCatalog(f"{where}: cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidCatalog(f"{where}: not valid TOML ({exc})") from exc
    try:
        parsed = msgspec.convert(raw, CatalogIn)
    except msgspec.ValidationError as exc:
        raise InvalidCatalog(f"{where}: {_locate(str(exc), raw)}") from exc
    return _to_domain(parsed, where)


def _locate(message: str, raw: dict[str, Any]) -> str:
    """Turn msgspec's `$.offerings[2].duration_minutes` into the offering's id and the key."""
    text, _, path = message.partition(" - at `")
    match = re.match(r"\$\.(offerings|resources)\[(\d+)\]\.?(.*)`", path)
    if not match:
        return message
    section, index, key = match.group(1), int(match.group(2)), match.group(3)
    item = raw.get(section, [])[index]
    name = item.get("id", f"#{index + 1}") if isinstance(item, dict) else f"#{index + 1}"
    kind = section[:-1]
    return f"{kind} {name!r}: key {key!r}: {text}" if key else f"{kind} {name!r}: {text}"


def _to_domain(parsed: CatalogIn, where: str) -> Catalog:
    resources: dict[str, Resource] = {}
    for r in parsed.resources:
        if r.id in resources:
            raise InvalidCatalog(f"{where}: resource {r.id!r}: key 'id': appears twice")
        resources[r.id] = Resource(r.id, r.type, r.name)
    shared = _templates(parsed.notification_templates, where)
    offerings: dict[str, Offering] = {}
    for o in parsed.offerings:
        if o.id in offerings:
            raise InvalidCatalog(f"{where}: offering {o.id!r}: key 'id': appears twice")
        offerings[o.id] = _offering(o, resources, f"{where}: offering {o.id!r}", shared)
    return Catalog(offerings=offerings, resources=resources)


def _offering(
    o: OfferingIn,
    resources: dict[str, Resource],
    where: str,
    shared: dict[str, dict[str, dict[str, Template]]],
) -> Offering:
    try:
        zone = ZoneInfo(o.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidCatalog(f"{where}: key 'timezone': unknown time zone {o.timezone!r}") from exc
    if o.resource_type is not None:
        if not any(r.type == o.resource_type for r in resources.values()):
            raise InvalidCatalog(f"{where}: key 'resource_type': no resource of type {o.resource_type!r}")
        if o.capacity != 1:
            raise InvalidCatalog(f"{where}: key 'capacity': an offering that takes a resource has capacity 1")
    if len(set(o.reminder_hours)) != len(o.reminder_hours):
        raise InvalidCatalog(f"{where}: key 'reminder_hours': each number of hours once")
    if o.valid_days is not None and o.sessions is None:
        raise InvalidCatalog(f"{where}: key 'valid_days': only a package (with 'sessions') has a validity")
    duration, buffer = timedelta(minutes=o.duration_minutes), timedelta(minutes=o.buffer_minutes)
    if duration + buffer > MAX_SPAN:
        raise InvalidCatalog(f"{where}: key 'duration_minutes': with the buffer, at most {MAX_SPAN}")
    return Offering(
        id=o.id,
        name=o.name,
        kind=OfferingKind(o.kind),
        duration=duration,
        price=Money(o.amount_cents, o.currency),
        timezone=zone,
        opening_hours={
            day: _ranges(o.opening_hours.get(day, []), f"{where}: key 'opening_hours.{day}'")
            for day in WEEKDAYS
        },
        resource_type=o.resource_type,
        capacity=o.capacity,
        buffer=buffer,
        slot_step=timedelta(minutes=o.slot_step_minutes),
        dispatch=o.dispatch,
        description=o.description,
        stripe_payment_link_id=o.stripe_payment_link_id,
        acuity_appointment_type_id=o.acuity_appointment_type_id,
        cal_event_type_id=o.cal_event_type_id,
        payment_provider=o.payment_provider,
        sessions=o.sessions,
        valid_days=o.valid_days,
        notification_templates=_merged(shared, _templates(o.notification_templates, where)),
        cancellation=CancellationPolicy(o.free_cancellation_hours, o.late_cancellation_refund_percent),
        reminder_hours=tuple(sorted(o.reminder_hours, reverse=True)),
    )


def _merged(
    shared: dict[str, dict[str, dict[str, Template]]], own: dict[str, dict[str, dict[str, Template]]]
) -> dict[str, dict[str, dict[str, Template]]]:
    """The catalog's templates with the offering's own in their place (per event, channel and language)."""
    result = {
        event: {channel: dict(locales) for channel, locales in by.items()} for event, by in shared.items()
    }
    for event, channels in own.items():
        for channel, locales in channels.items():
            result.setdefault(event, {}).setdefault(channel, {}).update(locales)
    return result


def _ranges(texts: list[str], where: str) -> tuple[TimeRange, ...]:
    ranges = []
    for text in texts:
        match = _RANGE.match(text)
        if not match:
            raise InvalidCatalog(f"{where}: {text!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start or end > 1440:
            raise InvalidCatalog(f"{where}: {text!r} must end after it starts, by 24:00 at the latest")
        ranges.append(TimeRange(start, end))
    ranges.sort(key=lambda r: r.start_minute)
    for a, b in itertools.pairwise(ranges):
        if b.start_minute < a.end_minute:
            raise InvalidCatalog(f"{where}: ranges overlap")
    return tuple(ranges)


def _templates(
    raw: dict[str, dict[str, dict[str, TemplateIn]]], where: str
) -> dict[str, dict[str, dict[str, Template]]]:
    result: dict[str, dict[str, dict[str, Template]]] = {}
    for event, channels in raw.items():
        key = f"{where}: key 'notification_templates.{event}'"
        if event not in EVENTS:
            raise InvalidCatalog(f"{key}: unknown event; one of {', '.join(sorted(EVENTS))}")
        for channel, locales in channels.items():
            if channel not in CHANNELS:
                raise InvalidCatalog(f"{key}.{channel}: unknown channel; one of email, sms")
            for locale, template in locales.items():
                _check_placeholders(template, f"{key}.{channel}.{locale}")
                if channel == "email" and template.subject is None:
                    raise InvalidCatalog(f"{key}.{channel}.{locale}: an email needs a subject")
                result.setdefault(event, {}).setdefault(channel, {})[locale] = Template(
                    template.subject, template.body
                )
    return result


def _check_placeholders(template: TemplateIn, where: str) -> None:
    for text in (template.subject or "", template.body):
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            raise InvalidCatalog(f"{where}: {exc}") from exc
        unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
        if unknown:
            raise InvalidCatalog(
                f"{where}: unknown placeholder {{{unknown[0]}}}; known: {', '.join(sorted(PLACEHOLDERS))}"
            )


class TomlCatalog:
    """The loaded catalog behind the CatalogSource port."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.catalog = load_catalog(path)
