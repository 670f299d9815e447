"""Acuity Scheduling: verify its thin form-encoded notifications, fetch the appointment they name, and
normalise it into the hub's terms (PROVIDERS.md §3). Logs carry the appointment id and status only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import msgspec

from adapters.providers.http_lanes import HttpLanes
from application.errors import ProviderUnavailable
from application.scheduling.commands import AppointmentReported, Attendee, ProviderAppointment
from domain.slot import Slot

log = logging.getLogger("bookhub.acuity")

TIMEOUT_SECONDS = 5.0
ACTIONS = frozenset({"scheduled", "rescheduled", "canceled", "changed"})


def signature_matches(api_key: str | None, body: bytes, header: str | None) -> bool:
    """`X-Acuity-Signature` is base64(HMAC-SHA256(api key, raw body)), compared in constant time."""
    if not api_key or not header:
        return False
    expected = base64.b64encode(hmac.new(api_key.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, header.strip().encode())


class AcuityNotification(msgspec.Struct, frozen=True):
    action: str  # without the `appointment.` prefix that dynamic webhooks may carry
    appointment_id: str


def parse_notification(body: bytes) -> AcuityNotification | None:
    """The notification's `action` and `id`; None when it is not about an appointment we follow."""
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return None
    action = (form.get("action") or [""])[0].strip().removeprefix("appointment.")
    appointment_id = (form.get("id") or [""])[0].strip()
    if action not in ACTIONS or not appointment_id.isdigit() or len(appointment_id) > 20:
        return None
    return AcuityNotification(action, appointment_id)


class AcuityFormValue(msgspec.Struct, frozen=True):
    name: str = ""
    value: str | None = None


class AcuityForm(msgspec.Struct, frozen=True):
    name: str = ""
    values: list[AcuityFormValue] = []


class AcuityAppointment(msgspec.Struct, frozen=True, rename="camel"):
    id: int
    datetime: str
    duration: str | int
    appointment_type_id: int | None = msgspec.field(default=None, name="appointmentTypeID")
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    timezone: str = "UTC"
    price: str = "0.00"
    paid: str = "no"
    amount_paid: str = "0.00"
    canceled: bool = False
    forms: list[AcuityForm] = []


_decode = msgspec.json.Decoder(AcuityAppointment).decode


class AcuityClient:
    def __init__(
        self, http: httpx.AsyncClient | HttpLanes, *, user_id: str, api_key: str, api_base: str
    ) -> None:
        self._http, self._base = http, api_base.rstrip("/")
        token = base64.b64encode(f"{user_id}:{api_key}".encode()).decode()
        self._headers = {"authorization": f"Basic {token}", "accept": "application/json"}

    async def appointment(self, appointment_id: str) -> AcuityAppointment | None:
        """The appointment, or None when Acuity has no such appointment. Anything else that is not a
        2xx is ProviderUnavailable: the notification is answered 502 and Acuity sends it again."""
        url = f"{self._base}/api/v1/appointments/{appointment_id}"
        try:
            response = await self._http.get(url, headers=self._headers, timeout=TIMEOUT_SECONDS)
        except httpx.HTTPError as exc:
            log.warning("acuity appointment %s: %s", appointment_id, type(exc).__name__)
            raise ProviderUnavailable("Acuity could not be reached") from exc
        status = response.status_code
        log.info("acuity appointment %s: HTTP %s", appointment_id, status)
        if status == 404:
            return None
        if not 200 <= status < 300:
            raise ProviderUnavailable(f"Acuity answered HTTP {status}")
        try:
            return _decode(response.content)
        except msgspec.ValidationError as exc:
            raise ProviderUnavailable("Acuity answered an appointment we could not read") from exc


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
