"""A local stand-in for Airwallex's Payment Acceptance API (PROVIDERS §2a): login, PaymentIntents and
refunds keyed by `request_id`, payment links (no `request_id`: a repeated create makes a second link),
their deactivation, and the list endpoints reconciliation reads (`{"items", "has_more"}`, `page_num`
from 0). It records every request, signs webhooks as Airwallex does, and pays a link as a shopper would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

CLIENT_ID, API_KEY, WEBHOOK_SECRET = "air-client", "air-key", "whsec_air"


def signed_headers(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    timestamp = str(int(time.time() * 1000))
    signature = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).hexdigest()
    return {"content-type": "application/json", "x-timestamp": timestamp, "x-signature": signature}


def webhook(name: str, obj: dict[str, Any], *, event_id: str) -> bytes:
    return json.dumps({"id": event_id, "name": name, "data": {"object": obj}}).encode()


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class FakeAirwallex:
    base: str = ""
    calls: list[Call] = field(default_factory=list)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_request: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size_cap: int = 1000
    outage: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def created(self, path: str) -> list[Any]:
        return [c.body for c in self.calls if c.method == "POST" and c.path == path]

    def answer(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        with self.lock:
            self.calls.append(Call(method, path, query, body))
            if self.outage:
                return 503, {"code": "service_unavailable", "message": "down"}
            return self._route(method, path, query, body)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        now = datetime.now(UTC).isoformat()
        if path == "/api/v1/authentication/login":
            return 201, {
                "token": "tok",
                "expires_at": (datetime.now(UTC) + timedelta(minutes=30)).isoformat(),
            }
        if method == "POST" and path == "/api/v1/pa/payment_intents/create":
            return self._keyed(body, lambda: self._intent(body, now))
        if method == "POST" and path == "/api/v1/pa/refunds/create":
            return self._keyed(body, lambda: self._refund(body, now))
        if method == "POST" and path == "/api/v1/pa/payment_links/create":
            link_id = str(uuid.uuid4())
            link = {**body, "id": link_id, "url": f"https://checkout.airwallex.test/l/{link_id}"}
            self.links[link_id] = link | {"active": True, "status": "UNPAID", "created_at": now}
            return 201, self.links[link_id]
        if method == "POST" and (m := re.fullmatch(r"/api/v1/pa/payment_links/([^/]+)/deactivate", path)):
            link = self.links.get(m.group(1))
            if link is None:
                return 404, {"code": "resource_not_found", "message": "no such link"}
            link["active"] = False
            return 200, link
        if method == "GET" and path == "/api/v1/pa/payment_links":
            return 200, self._page(list(self.links.values()), query)
        if method == "GET" and path == "/api/v1/pa/payment_intents":
            items = [i for i in self.intents.values() if query.get("status") in (None, i["status"])]
            return 200, self._page(items, query)
        if method == "GET" and path == "/api/v1/pa/refunds":
            return 200, self._page(list(self.refunds.values()), query)
        return 404, {"code": "resource_not_found", "message": path}

    def _keyed(self, body: Any, make: Any) -> tuple[int, Any]:
        key = body.get("request_id")
        if not key:
            return 400, {"code": "validation_error", "message": "request_id is required"}
        if key not in self.by_request:
            self.by_request[key] = make()
        return 201, self.by_request[key]

    def _intent(self, body: Any, now: str) -> dict[str, Any]:
        intent_id = f"int_{len(self.intents) + 1}"
        intent = {
            **body,
            "id": intent_id,
            "client_secret": f"secret_{intent_id}",
            "status": "REQUIRES_PAYMENT_METHOD",
        }
        self.intents[intent_id] = intent | {"created_at": now}
        return self.intents[intent_id]

    def _refund(self, body: Any, now: str) -> dict[str, Any]:
        intent = self.intents[body["payment_intent_id"]]
        refund_id = f"rfd_{len(self.refunds) + 1}"
        amount = body.get("amount", intent["amount"])
        refund = {
            **body,
            "id": refund_id,
            "amount": amount,
            "currency": intent["currency"],
            "status": "SETTLED",
        }
        self.refunds[refund_id] = refund | {"created_at": now}
        return self.refunds[refund_id]

    def _page(self, items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        since, until = query.get("from_created_at"), query.get("to_created_at")
        chosen = [
            i
            for i in sorted(items, key=lambda i: i["created_at"])
            if (since is None or i["created_at"] >= since) and (until is None or i["created_at"] <= until)
        ]
        size = min(int(query.get("page_size", 100)), self.page_size_cap)
        page = int(query.get("page_num", 0))
        part = chosen[page * size : (page + 1) * size]
        return {"items": part, "has_more": (page + 1) * size < len(chosen)}

    def pay_link(self, link_id: str) -> dict[str, Any]:
        """A shopper pays the link: a succeeded PaymentIntent naming it (and the link is PAID)."""
        with self.lock:
            link = self.links[link_id]
            intent_id = f"int_{len(self.intents) + 1}"
            intent = {
                "id": intent_id,
                "amount": link["amount"],
                "currency": link["currency"],
                "status": "SUCCEEDED",
                "payment_link_id": link_id,
                "merchant_order_id": None,
                "metadata": {},
                "created_at": datetime.now(UTC).isoformat(),
            }
            self.intents[intent_id] = intent
            link |= {"status": "PAID", "latest_successful_payment_intent_id": intent_id}
            return intent

    def pay_intent(self, intent_id: str) -> dict[str, Any]:
        with self.lock:
            self.intents[intent_id]["status"] = "SUCCEEDED"
            return self.intents[intent_id]

    def refund_in_web_app(self, intent_id: str, amount: float) -> dict[str, Any]:
        """A refund made in Airwallex's web app: no `request_id` of ours, no metadata."""
        with self.lock:
            intent = self.intents[intent_id]
            refund_id = f"rfd_{len(self.refunds) + 1}"
            refund = {
                "id": refund_id,
                "payment_intent_id": intent_id,
                "amount": amount,
                "currency": intent["currency"],
                "status": "SETTLED",
                "metadata": {},
                "created_at": datetime.now(UTC).isoformat(),
            }
            self.refunds[refund_id] = refund
            return refund


@contextmanager
def fake_airwallex() -> Iterator[FakeAirwallex]:
    fake = FakeAirwallex()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", 0)))
            url = urlsplit(self.path)
            authorised = url.path == "/api/v1/authentication/login" and (
                self.headers.get("x-client-id"),
                self.headers.get("x-api-key"),
            ) == (CLIENT_ID, API_KEY)
            if not authorised and self.headers.get("authorization") != "Bearer tok":
                status, reply = 401, {"code": "unauthorized", "message": "no"}
            else:
                body = json.loads(raw) if raw else {}
                status, reply = fake.answer(self.command, url.path, dict(parse_qsl(url.query)), body)
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
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def airwallex_settings(fake: FakeAirwallex) -> dict[str, str]:
    """`running_app` settings for Airwallex against the fake."""
    return {
        "airwallex_client_id": CLIENT_ID,
        "airwallex_api_key": API_KEY,
        "airwallex_webhook_secret": WEBHOOK_SECRET,
        "airwallex_api_base": fake.base,
    }
