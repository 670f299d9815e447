"""A local stand-in for Stripe's API, enough for the SDK: customers (created and deleted), Checkout
Sessions, PaymentIntents, refunds.

It keeps Stripe's idempotency rule (a POST repeated with the same `Idempotency-Key` answers the first
response again, and creates nothing), records every request, and fails as a test scripts it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import stripe

SECRET = "whsec_test_0123456789"  # the webhook endpoint's signing secret in tests


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """`Stripe-Signature` for the body, by the SDK's own signing helper (hex HMAC-SHA256 of `t.body`
    keyed by the whole secret)."""
    t = int(time.time()) if timestamp is None else timestamp
    return str(stripe.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp=t))


def event(event_type: str, obj: dict[str, Any], *, event_id: str) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": obj},
        }
    ).encode()


def payment_intent(booking: str, pi: str = "pi_1", **fields: Any) -> dict[str, Any]:
    """A succeeded PaymentIntent of 85.00 EUR for the booking, as an event's `data.object`."""
    return {
        "id": pi,
        "object": "payment_intent",
        "amount": 8500,
        "amount_received": 8500,
        "currency": "eur",
        "metadata": {"booking_id": booking},
        "status": "succeeded",
        **fields,
    }


def charge(booking: str, refunded: int = 8500, pi: str = "pi_1") -> dict[str, Any]:
    """The Charge of that PaymentIntent with `refunded` cents refunded, as `charge.refunded` carries it."""
    return {
        "id": f"ch_{pi.removeprefix('pi_')}",
        "object": "charge",
        "amount": 8500,
        "amount_refunded": refunded,
        "refunded": refunded == 8500,
        "currency": "eur",
        "payment_intent": pi,
        "metadata": {"booking_id": booking},
    }


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeStripe:
    base: str
    requests: list[Request] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # created, by id
    statuses: list[int] = field(default_factory=list)  # answered first, one per POST or DELETE
    events: list[dict[str, Any]] = field(default_factory=list)  # what `GET /v1/events` lists, newest first
    # Card error codes the next confirmed PaymentIntents fail with (`authentication_required`, ...).
    card_errors: list[str] = field(default_factory=list)
    # What `GET /v1/payment_intents` and `GET /v1/refunds` list (the money report reads them).
    listed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _replies: dict[str, tuple[int, bytes]] = field(default_factory=dict)

    def created(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects.values() if o["object"] == kind]

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        path, _, query = path.partition("?")
        form = dict(parse_qsl(body.decode() or query, keep_blank_values=True))
        with self.lock:
            self.requests.append(Request(method, path, headers, form))
            if method == "GET" and path == "/v1/events":
                since = int(form.get("created[gte]", "0"))
                listed = [e for e in self.events if e["created"] >= since]
                page = {"object": "list", "url": "/v1/events", "has_more": False, "data": listed}
                return 200, json.dumps(page).encode()
            if method == "GET" and path in ("/v1/payment_intents", "/v1/refunds"):
                kind = "payment_intent" if path == "/v1/payment_intents" else "refund"
                page = {"object": "list", "url": path, "has_more": False, "data": self.listed.get(kind, [])}
                return 200, json.dumps(page).encode()
            if self.statuses:
                status = self.statuses.pop(0)
                return status, json.dumps({"error": {"type": "api_error", "message": "scripted"}}).encode()
            if method == "DELETE":
                return self._delete(path)
            key = headers.get("idempotency-key")
            if key is not None and key in self._replies:
                return self._replies[key]
            reply = self._create(path, form)
            if key is not None:
                self._replies[key] = reply
            return reply

    def deleted(self, kind: str) -> list[str]:
        """The ids of the objects of that kind deleted so far."""
        return [o["id"] for o in self.objects.values() if o["object"] == kind and o.get("deleted")]

    def _delete(self, path: str) -> tuple[int, bytes]:
        """`DELETE /v1/customers/{id}`: the deleted stub; once deleted, 404 resource_missing."""
        kind, _, object_id = path.removeprefix("/v1/").partition("/")
        obj = self.objects.get(object_id)
        if kind != "customers" or obj is None or obj.get("deleted"):
            error = {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": "No such customer",
            }
            return 404, json.dumps({"error": error}).encode()
        obj["deleted"] = True
        return 200, json.dumps({"id": object_id, "object": "customer", "deleted": True}).encode()

    def _card_error(self, obj: dict[str, Any], form: dict[str, str], code: str) -> tuple[int, bytes]:
        """Stripe's 402: the PaymentIntent exists, the error names it and its code."""
        obj["metadata"] = {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")}
        obj["form"] = form
        self.objects[obj["id"]] = obj
        intent = {k: v for k, v in obj.items() if k != "form"}
        error = {"type": "card_error", "code": code, "message": "scripted", "payment_intent": intent}
        return 402, json.dumps({"error": error}).encode()

    def _create(self, path: str, form: dict[str, str]) -> tuple[int, bytes]:
        n = len(self.objects) + 1
        metadata = {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")}
        obj: dict[str, Any]
        if path == "/v1/checkout/sessions":
            obj = {
                "id": f"cs_test_{n}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/cs_test_{n}",
                "client_reference_id": form.get("client_reference_id"),
                "payment_intent": None,
                "payment_status": "unpaid",
                "status": "open",
                "customer": form.get("customer"),
            }
        elif path == "/v1/payment_intents":
            obj = {
                "id": f"pi_test_{n}",
                "object": "payment_intent",
                "client_secret": f"pi_test_{n}_secret_{n}",
                "amount": int(form["amount"]),
                "currency": form["currency"],
                "status": "requires_payment_method",
                "customer": form.get("customer"),
                "payment_method": form.get("payment_method"),
            }
            if form.get("confirm") == "true":
                obj["status"] = "succeeded"
                if self.card_errors:
                    code = self.card_errors.pop(0)
                    auth = code == "authentication_required"
                    obj["status"] = "requires_action" if auth else "requires_payment_method"
                    return self._card_error(obj, form, code)
        elif path == "/v1/customers":
            obj = {"id": f"cus_test_{n}", "object": "customer"}
        elif path == "/v1/refunds":
            obj = {
                "id": f"re_test_{n}",
                "object": "refund",
                "payment_intent": form.get("payment_intent"),
                "status": "succeeded",
            }
        else:
            return 404, json.dumps({"error": {"type": "invalid_request_error", "message": path}}).encode()
        obj["metadata"] = metadata
        obj["form"] = form
        self.objects[obj["id"]] = obj
        return 200, json.dumps({k: v for k, v in obj.items() if k != "form"}).encode()


@contextmanager
def fake_stripe() -> Iterator[FakeStripe]:
    box: list[FakeStripe] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, reply = box[0].handle(self.command, self.path, headers, body)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply)))
            self.send_header("request-id", "req_fake")
            self.end_headers()
            self.wfile.write(reply)

        do_POST = do_GET = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box.append(FakeStripe(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
