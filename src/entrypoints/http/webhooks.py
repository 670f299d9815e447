"""Provider webhooks: the signature is checked on the raw body first; a bad one changes nothing."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, post
from litestar.exceptions import ClientException

from adapters.providers import acuity, calcom
from adapters.providers.acuity import AcuityClient
from application.errors import InvalidRequest
from application.scheduling.appointments import AppointmentReportedHandler
from entrypoints.http.deps import Inject
from entrypoints.settings import Settings

log = logging.getLogger("bookhub.webhooks")


class InvalidSignature(ClientException):
    """The signature header is missing or does not match the raw body."""

    code = "invalid_signature"


@post("/webhooks/acuity", status_code=200, tags=["webhooks"])
async def acuity_webhook(
    request: Request[Any, Any, Any],
    settings: Inject[Settings],
    acuity_client: Inject[AcuityClient],
    appointment_reported: Inject[AppointmentReportedHandler],
) -> dict[str, str]:
    body = await request.body()
    header = request.headers.get("x-acuity-signature")
    if not acuity.signature_matches(settings.acuity_api_key, body, header):
        raise InvalidSignature("the X-Acuity-Signature header does not match the body")
    notification = acuity.parse_notification(body)
    if notification is None:
        return {"outcome": "ignored"}
    # Outside any transaction: the fetch proves the appointment exists; an outage answers 502 and
    # Acuity sends the notification again.
    appointment = await acuity_client.appointment(notification.appointment_id)
    outcome = await appointment_reported(acuity.appointment_reported(notification, appointment))
    log.info("acuity %s appointment %s: %s", notification.action, notification.appointment_id, outcome)
    return {"outcome": outcome.value}


@post("/webhooks/calcom", status_code=200, tags=["webhooks"])
async def calcom_webhook(
    request: Request[Any, Any, Any],
    settings: Inject[Settings],
    appointment_reported: Inject[AppointmentReportedHandler],
) -> dict[str, str]:
    body = await request.body()
    header = request.headers.get("x-cal-signature-256")
    if not calcom.signature_matches(settings.cal_webhook_secret, body, header):
        raise InvalidSignature("the X-Cal-Signature-256 header does not match the body")
    try:
        event = calcom.appointment_reported(body)
    except calcom.MalformedWebhook as exc:
        raise InvalidRequest("not a Cal.com booking webhook", {"body": str(exc)[:200]}) from exc
    if event is None:
        return {"outcome": "ignored"}
    outcome = await appointment_reported(event)
    log.info("calcom %s booking %s: %s", event.event_type, event.appointment.reference, outcome)
    return {"outcome": outcome.value}
