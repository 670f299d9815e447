"""Local fake Acuity and Cal.com servers, and the signatures the real ones put on their webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

ACUITY_USER_ID = "12345"
ACUITY_API_KEY = "acuity-test-key-abcdef"
CAL_API_KEY = "cal_test_0123456789"
CAL_WEBHOOK_SECRET = "cal-webhook-secret-xyz"


def acuity_signature(body: bytes, key: str = ACUITY_API_KEY) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def acuity_notification(
    action: str, appointment_id: int, type_id: int = 1001
) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {"action": action, "id": appointment_id, "calendarID": 1, "appointmentTypeID": type_id}
    ).encode()
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-acuity-signature": acuity_signature(body),
    }
    return body, headers


def cal_signature(body: bytes, secret: str = CAL_WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def cal_webhook(trigger: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {"triggerEvent": trigger, "createdAt": "2026-06-01T10:00:00.000Z", "payload": payload}
    ).encode()
    headers = {
        "content-type": "application/json",
        "x-cal-signature-256": cal_signature(body),
        "x-cal-webhook-version": "2021-10-20",
    }
    return body, headers


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeProvider:
    base: str
    appointments: dict[str, dict[str, Any]] = field(default_factory=dict)  # Acuity, by id
    bookings: dict[str, dict[str, Any]] = field(default_factory=dict)  # Cal.com, by uid
    requests: list[Request] = field(default_factory=list)
    status: int | None = None  # answer every request with this status (an outage)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Request) -> tuple[int, Any]:
        with self.lock:
            self.requests.append(request)
            if self.status is not None:
                return self.status, {"status": "error", "error": {"code": "outage", "message": "down"}}
        if request.method == "GET" and (m := re.fullmatch(r"/api/v1/appointments/(\d+)", request.path)):
            return self._acuity_appointment(request, m.group(1))
        if request.method == "POST" and request.path == "/v2/bookings":
            return self._cal_create(request)
        if request.method == "POST" and (m := re.fullmatch(r"/v2/bookings/([^/]+)/cancel", request.path)):
            return self._cal_cancel(m.group(1))
        if request.method == "POST" and (m := re.fullmatch(r"/v2/bookings/([^/]+)/reschedule", request.path)):
            return self._cal_reschedule(request, m.group(1))
        return 404, {"error": "not found"}

    def _acuity_appointment(self, request: Request, appointment_id: str) -> tuple[int, Any]:
        token = base64.b64encode(f"{ACUITY_USER_ID}:{ACUITY_API_KEY}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {token}":
            return 401, {"status_code": 401, "message": "Unauthorized", "error": "unauthorized"}
        appointment = self.appointments.get(appointment_id)
        if appointment is None:
            return 404, {"status_code": 404, "message": "Not Found", "error": "not_found"}
        return 200, appointment

    def _cal_create(self, request: Request) -> tuple[int, Any]:
        if request.headers.get("authorization") != f"Bearer {CAL_API_KEY}":
            return 401, {"status": "error", "error": {"code": "UNAUTHORIZED", "message": "no"}}
        body = request.json()
        uid = f"uid-{len(self.bookings) + 1}"
        booking = {
            "id": len(self.bookings) + 1,
            "uid": uid,
            "status": "accepted",
            "start": body["start"],
            "eventType": {"id": body["eventTypeId"], "slug": "coaching"},
            "meetingUrl": f"https://cal.example/video/{uid}",
            "location": f"https://cal.example/video/{uid}",
            "attendees": [body["attendee"]],
            "metadata": body.get("metadata", {}),
        }
        self.bookings[uid] = booking
        return 201, {"status": "success", "data": booking}

    def _cal_cancel(self, uid: str) -> tuple[int, Any]:
        booking = self.bookings.get(uid)
        if booking is None:
            return 404, {"status": "error", "error": {"code": "NotFoundException", "message": "no"}}
        booking["status"] = "cancelled"
        return 200, {"status": "success", "data": booking}

    def _cal_reschedule(self, request: Request, uid: str) -> tuple[int, Any]:
        """As Cal.com: a new booking with a new uid at the new start; the old one is no longer active."""
        old = self.bookings.get(uid)
        if old is None:
            return 404, {"status": "error", "error": {"code": "NotFoundException", "message": "no"}}
        if old["status"] != "accepted":
            return 400, {"status": "error", "error": {"code": "BadRequestException", "message": "inactive"}}
        old["status"] = "cancelled"
        new_uid = f"uid-{len(self.bookings) + 1}"
        moved = {**old, "uid": new_uid, "id": len(self.bookings) + 1, "status": "accepted"}
        moved |= {"start": request.json()["start"], "rescheduledFromUid": uid}
        self.bookings[new_uid] = moved
        return 201, {"status": "success", "data": moved}

    def calls(self, method: str, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]


@contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    box: list[FakeProvider] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, reply = box[0].answer(Request(self.command, self.path, headers, body))
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box.append(FakeProvider(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()


def acuity_appointment(appointment_id: int, **overrides: Any) -> dict[str, Any]:
    """An appointment as `GET /api/v1/appointments/{id}` answers it (PROVIDERS.md §3a)."""
    appointment: dict[str, Any] = {
        "id": appointment_id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "Ada@Example.com ",
        "phone": "",
        "date": "June 2, 2026",
        "time": "10:00am",
        "endTime": "11:00am",
        "dateCreated": "May 1, 2026",
        "datetime": "2026-06-02T10:00:00+0200",
        "timezone": "Europe/Paris",
        "duration": "60",
        "type": "Transfer",
        "appointmentTypeID": 1001,
        "calendarID": 1,
        "price": "85.00",
        "paid": "no",
        "amountPaid": "0.00",
        "canceled": False,
        "forms": [],
    }
    return appointment | overrides
