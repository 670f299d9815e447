"""Messages to customers from the offering's templates: the right language, rendered safely."""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass

from domain.booking import Booking
from domain.catalog import Money, Offering, Template
from domain.customer import Customer
from domain.extension import Extension

FALLBACK_LOCALE = "en"


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class Sms:
    to: str
    body: str


def pick_template(offering: Offering, event: str, channel: str, locale: str) -> Template | None:
    """The customer's language, then its base language (`pt` for `pt-BR`), then English; else none."""
    by_locale = offering.notification_templates.get(event, {}).get(channel, {})
    for candidate in (locale, locale.split("-")[0].split("_")[0], FALLBACK_LOCALE):
        if candidate in by_locale:
            return by_locale[candidate]
    return None


def render(text: str, values: Mapping[str, str], *, escape: bool = False) -> str:
    """Fills `{name}` placeholders from `values` and nothing else: no attribute or index access, no
    conversions, no code. With `escape`, the template's text and the values are both HTML-escaped."""
    quote = html.escape if escape else str
    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        pieces.append(quote(literal))
        if name is None:
            continue
        if conversion or name not in values:
            raise ValueError(f"placeholder {{{name}}} is not one of {', '.join(sorted(values))}")
        pieces.append(quote(format(values[name], spec or "")))
    return "".join(pieces)


def placeholders(
    booking: Booking,
    customer: Customer,
    offering: Offering,
    extension: Extension | None = None,
    *,
    manage_url: str,
) -> dict[str, str]:
    """A message about an extension names it (`{extension_description}`) and asks its price
    (`{amount}`); any other message's `{amount}` is the booking's price and its description is empty.
    `{manage_url}` opens the booking's page; `{payment_url}` is the provider's page where there is one,
    else the booking's page, where the customer pays or tries again."""
    zone = offering.timezone
    start = booking.slot.start.astimezone(zone) if booking.slot else None
    end = booking.slot.end.astimezone(zone) if booking.slot else None
    return {
        "booking_id": str(booking.id),
        "customer_name": customer.name,
        "offering_name": offering.name,
        "start_local": start.strftime("%Y-%m-%d %H:%M") if start else "",
        "end_local": end.strftime("%Y-%m-%d %H:%M") if end else "",
        "amount": _money(extension.price if extension is not None else booking.price),
        "payment_url": booking.references.get("payment_url") or manage_url,
        "manage_url": manage_url,
        "extension_description": extension.description if extension is not None else "",
    }


def _money(price: Money) -> str:
    return f"{price.amount_cents / 100:.2f} {price.currency}"


def email_for(template: Template, customer: Customer, values: Mapping[str, str]) -> Email:
    text = render(template.body, values)
    body = render(template.body, values, escape=True).replace("\n", "<br>\n")
    return Email(
        to=customer.email,
        subject=render(template.subject or "", values),
        text=text,
        html=f"<p>{body}</p>",
    )


def sms_for(template: Template, phone: str, values: Mapping[str, str]) -> Sms:
    """Plain text to the customer's phone, written as E.164 (`+` and digits: spaces and dashes dropped)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return Sms(
        to=f"+{digits}" if phone.strip().startswith("+") else digits, body=render(template.body, values)
    )
