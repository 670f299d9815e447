"""An Acuity appointment, as fetched for a notification, in the hub's terms."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from adapters.providers.acuity.client import AcuityAppointment, AcuityForm
from adapters.providers.acuity.notification import AcuityNotification
from application.scheduling.commands import AppointmentReported, Attendee, ProviderAppointment
from domain.slot import Slot


def appointment_reported(
    notification: AcuityNotification, appointment: AcuityAppointment | None
) -> AppointmentReported:
    """The notification, with the fetched appointment, in the hub's terms. Acuity sends no event id:
    it is the action, the appointment id, its time, and a digest of everything else the hub applies
    (cancelled, paid, customer, intake). A repeated notification is a duplicate; a later change to the
    same appointment (paid since, moved back, a new answer) is a new event."""
    action, ref = notification.action, notification.appointment_id
    if appointment is None:
        gone = ProviderAppointment("acuity", ref, None, None, cancelled=False)  # nothing to apply
        return AppointmentReported(f"{action}:{ref}:missing", action, gone)
    cancelled = appointment.canceled or action == "canceled"
    normalised = _normalise(appointment, ref, cancelled=cancelled)
    digest = hashlib.sha256(msgspec.json.encode(normalised)).hexdigest()[:32]
    event_id = f"{action}:{ref}:{appointment.datetime[:40]}:{digest}"
    return AppointmentReported(event_id, action, normalised)


def _normalise(a: AcuityAppointment, ref: str, *, cancelled: bool) -> ProviderAppointment:
    intake, standard = _intake(a.forms)
    name = f"{a.first_name} {a.last_name}".strip()
    phone = (a.phone or standard.pop("phone", "")).strip() or None
    language = standard.pop("language", None)
    booking_intake: dict[str, Any] = dict(intake)
    if "address" in standard:
        booking_intake["pickup_address"] = {"street": standard.pop("address")}
    vehicle = {k: standard.pop(k) for k in ("brand", "model", "license_plate") if k in standard}
    if vehicle:
        booking_intake["vehicle"] = vehicle
    return ProviderAppointment(
        provider="acuity",
        reference=ref,
        type_id=a.appointment_type_id,
        slot=_slot(a),
        cancelled=cancelled,
        attendee=Attendee(name=name, email=a.email, phone=phone, locale=_locale(language)),
        intake=booking_intake,
        paid=_paid(a),
    )


def _slot(a: AcuityAppointment) -> Slot | None:
    """`datetime` carries its offset (`2026-03-29T10:00:00+0200`, no colon); without one it is read in
    the appointment's IANA `timezone`. Stored in UTC."""
    try:
        start = datetime.fromisoformat(a.datetime)
        minutes = int(a.duration)
    except ValueError:
        return None
    if start.tzinfo is None:
        try:
            start = start.replace(tzinfo=ZoneInfo(a.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            return None
    if not 0 < minutes <= 2 * 24 * 60:
        return None
    start = start.astimezone(UTC)
    return Slot(start, start + timedelta(minutes=minutes))


def _paid(a: AcuityAppointment) -> bool:
    if a.paid.strip().lower() == "yes":
        return True
    try:
        amount, price = Decimal(a.amount_paid), Decimal(a.price)
    except InvalidOperation:
        return False
    return amount > 0 and amount >= price


# Intake fields whose answers are standard details of the customer or booking, by lower-case name.
_STANDARD_FIELDS: Mapping[str, str] = {
    "phone": "phone",
    "phone number": "phone",
    "telephone": "phone",
    "mobile": "phone",
    "address": "address",
    "pickup address": "address",
    "street address": "address",
    "vehicle": "model",
    "vehicle model": "model",
    "car model": "model",
    "model": "model",
    "vehicle brand": "brand",
    "car brand": "brand",
    "brand": "brand",
    "make": "brand",
    "license plate": "license_plate",
    "licence plate": "license_plate",
    "plate": "license_plate",
    "language": "language",
    "preferred language": "language",
}


def _intake(forms: list[AcuityForm]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """`{form name: {field name: value}}` of the answered fields, and the standard fields among them."""
    intake: dict[str, dict[str, str]] = {}
    standard: dict[str, str] = {}
    for form in forms:
        answers = {
            v.name[:100]: v.value[:1000] for v in form.values if v.name and v.value and v.value.strip()
        }
        if answers:
            intake[(form.name or "form")[:100]] = answers
        for field, value in answers.items():
            kind = _STANDARD_FIELDS.get(field.strip().lower())
            if kind is not None and kind not in standard:
                standard[kind] = value.strip()
    return intake, standard


_LANGUAGES = {
    "english": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "spanish": "es",
    "español": "es",
    "portuguese": "pt",
    "português": "pt",
    "german": "de",
    "deutsch": "de",
}


def _locale(language: str | None) -> str | None:
    if not language:
        return None
    value = language.strip().lower()
    if value in _LANGUAGES:
        return _LANGUAGES[value]
    code = value.replace("_", "-")
    if 2 <= len(code.split("-")[0]) <= 3 and code.replace("-", "").isalpha() and len(code) <= 16:
        return code
    return None
