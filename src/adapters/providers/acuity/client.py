"""Acuity Scheduling's API: the appointment a notification names (PROVIDERS.md §3). Logs carry the
appointment id and status only."""

from __future__ import annotations

import base64
import logging

import httpx
import msgspec

from adapters.providers.http_lanes import HttpLanes
from application.errors import ProviderUnavailable

log = logging.getLogger("bookhub.acuity")

TIMEOUT_SECONDS = 5.0


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
