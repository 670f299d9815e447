"""Acuity's notifications: thin form-encoded posts naming an action and an appointment id."""

from __future__ import annotations

from urllib.parse import parse_qs

import msgspec

ACTIONS = frozenset({"scheduled", "rescheduled", "canceled", "changed"})


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
