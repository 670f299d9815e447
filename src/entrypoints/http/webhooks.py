"""Provider webhooks: the signature is checked on the raw body first; a bad one changes nothing."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, post
from litestar.exceptions import ClientException

from adapters.providers import acuity
from adapters.providers.acuity import AcuityClient
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
