"""Acceptance of payments from outside: the real `bookhub serve --workers 2` on PostgreSQL, with its worker,
against a local fake of Stripe's API; webhooks signed as Stripe signs them, everything read back through
the HTTP API (and the outbox table, which the contract names but no route lists whole)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.test_process import BOOKHUB, _env, _free_port, _wait_for_health
from tests.support.app import CATALOG
from tests.support.databases import _admin_connection, postgres_admin_url
from tests.support.fake_stripe import SECRET, FakeStripe, charge, event, fake_stripe, payment_intent, sign

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ADMIN = {"Authorization": "Bearer e2e-admin-key-123"}
HOLD_SECONDS = 3.0
# Each test books its own hours of the one van, far enough apart (1 h and a 15 min buffer) not to meet.
FIRST = (datetime.now(UTC) + timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)


@contextlib.contextmanager
def _database() -> Iterator[str]:
    name = f"bookhub_test_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        admin = await _admin_connection()
        try:
            await admin.execute(sql)
        finally:
            await admin.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Hub:
    def __init__(self, url: str, database_url: str, stripe: FakeStripe) -> None:
        self.url, self.database_url, self.stripe = url, database_url, stripe
        self._slot = 0

    def next_start(self) -> str:
        self._slot += 1
        return (FIRST + timedelta(hours=2 * self._slot)).isoformat()

    def book(self, start: str | None = None, key: str | None = None) -> dict[str, Any]:
        body = {
            "offering_id": "van-transfer",
            "start": start or self.next_start(),
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        }
        headers = {"Idempotency-Key": key} if key else {}
        response = httpx.post(f"{self.url}/v1/bookings", json=body, headers=headers, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def post_event(self, body: bytes, signature: str | None = None) -> httpx.Response:
        headers = {"content-type": "application/json"}
        headers["stripe-signature"] = sign(body, SECRET) if signature is None else signature
        return httpx.post(f"{self.url}/webhooks/stripe", content=body, headers=headers, timeout=10)

    def state(self, booking: str) -> tuple[str, str]:
        body = httpx.get(f"{self.url}/v1/bookings/{booking}", headers=ADMIN, timeout=10).json()
        return body["status"], body["payment_status"]

    def outbox_topics(self, booking: str) -> list[str]:
        async def read() -> list[str]:
            dsn = make_url(self.database_url).set(drivername="postgresql").render_as_string(False)
            connection = await asyncpg.connect(dsn)
            try:
                rows = await connection.fetch(
                    "SELECT topic FROM outbox_messages WHERE booking_id = $1 ORDER BY id", uuid.UUID(booking)
                )
            finally:
                await connection.close()
            return [r["topic"] for r in rows]

        return asyncio.run(read())


def _eventually(check: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    tmp_path = tmp_path_factory.mktemp("payments")
    with _database() as database_url, fake_stripe() as stripe:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = _env(
            tmp_path,
            BOOKHUB_DATABASE_URL=database_url,
            BOOKHUB_CATALOG=str(CATALOG),
            BOOKHUB_PUBLIC_URL=url,
            BOOKHUB_ADMIN_API_KEY=ADMIN["Authorization"].removeprefix("Bearer "),
            BOOKHUB_HOLD_MINUTES=str(HOLD_SECONDS / 60),
            BOOKHUB_RECONCILE_SECONDS="1",
            BOOKHUB_WORKER_POLL_SECONDS="0.2",
            STRIPE_SECRET_KEY="sk_test_fake",
            STRIPE_WEBHOOK_SECRET=SECRET,
            STRIPE_API_BASE=stripe.base,
            STRIPE_RETURN_URL="https://shop.example/booked",
        )
        log = (tmp_path / "server.log").open("w")
        process = subprocess.Popen(
            [BOOKHUB, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_health(url, tmp_path)
            yield Hub(url, database_url, stripe)
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        logged = (tmp_path / "server.log").read_text()
        assert "ada@example.com" not in logged
        assert "Ada Lovelace" not in logged


def test_a_retried_booking_with_the_same_idempotency_key_makes_one_booking_and_one_checkout_session(
    hub: Hub,
) -> None:
    start, key = hub.next_start(), f"key-{uuid.uuid4()}"
    first, again = hub.book(start, key), hub.book(start, key)
    assert again["booking_id"] == first["booking_id"]
    sessions = [
        s
        for s in hub.stripe.created("checkout.session")
        if s["metadata"]["booking_id"] == first["booking_id"]
    ]
    assert len(sessions) == 1


def test_one_signed_success_posted_20_times_at_once_confirms_once_with_one_erp_message(hub: Hub) -> None:
    booking = hub.book()["booking_id"]
    body = event(
        "payment_intent.succeeded", payment_intent(booking, f"pi_{booking[:8]}"), event_id=f"evt_{booking}"
    )
    signature = sign(body, SECRET)
    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda _: hub.post_event(body, signature), range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert sorted(r.json()["outcome"] for r in responses) == ["applied"] + ["duplicate"] * 19
    assert hub.state(booking) == ("confirmed", "paid")
    assert hub.outbox_topics(booking).count("erp.booking_confirmed") == 1


@pytest.mark.parametrize("forgery", ["unsigned", "wrong secret", "stale timestamp", "body altered"])
def test_a_post_stripe_did_not_sign_is_400_and_changes_nothing(hub: Hub, forgery: str) -> None:
    booking = hub.book()["booking_id"]
    body = event("payment_intent.succeeded", payment_intent(booking, "pi_forged"), event_id=f"evt_{booking}")
    signatures = {
        "unsigned": "",
        "wrong secret": sign(body, "whsec_not_ours"),
        "stale timestamp": sign(body, SECRET, timestamp=int(time.time()) - 301),
        "body altered": sign(body.replace(b"8500", b"8501"), SECRET),
    }
    response = hub.post_event(body, signatures[forgery])
    assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
    assert hub.state(booking) == ("pending_payment", "pending")
    assert "erp.booking_confirmed" not in hub.outbox_topics(booking)


def test_a_refund_seen_before_its_success_ends_as_it_would_in_order(hub: Hub) -> None:
    in_order, reversed_ = hub.book()["booking_id"], hub.book()["booking_id"]
    for booking, order in ((in_order, 1), (reversed_, -1)):
        pi = f"pi_{booking[:8]}"
        bodies = [
            event("payment_intent.succeeded", payment_intent(booking, pi), event_id=f"evt_s_{booking}"),
            event("charge.refunded", charge(booking, pi=pi), event_id=f"evt_r_{booking}"),
        ]
        for body in bodies[::order]:
            assert hub.post_event(body).status_code == 200
    assert hub.state(in_order) == hub.state(reversed_) == ("cancelled", "refunded")


def test_a_late_payment_into_a_taken_slot_is_refunded_once_at_stripe_and_the_booking_cancelled(
    hub: Hub,
) -> None:
    start = hub.next_start()
    late = hub.book(start)["booking_id"]
    time.sleep(HOLD_SECONDS + 1)  # the hold runs out unpaid
    taker = hub.book(start)["booking_id"]
    paid = event(
        "payment_intent.succeeded", payment_intent(taker, f"pi_{taker[:8]}"), event_id=f"evt_{taker}"
    )
    assert hub.post_event(paid).json() == {"outcome": "applied"}

    pi = f"pi_{late[:8]}"
    response = hub.post_event(
        event("payment_intent.succeeded", payment_intent(late, pi), event_id=f"evt_{late}")
    )

    assert response.json() == {"outcome": "refund_requested"}
    assert hub.state(late)[0] == "cancelled"
    assert hub.state(taker) == ("confirmed", "paid")

    def refunds() -> list[dict[str, Any]]:
        return [r for r in hub.stripe.created("refund") if r.get("payment_intent") == pi]

    assert _eventually(lambda: len(refunds()) == 1), hub.stripe.requests[-5:]
    time.sleep(1)  # a second refund request would come from a repeated delivery
    assert len(refunds()) == 1


def test_an_event_only_stripe_lists_is_applied_by_reconciliation(hub: Hub) -> None:
    booking = hub.book()["booking_id"]
    missed = event(
        "payment_intent.succeeded", payment_intent(booking, f"pi_{booking[:8]}"), event_id=f"evt_{booking}"
    )
    with hub.stripe.lock:
        hub.stripe.events.insert(0, json.loads(missed))  # never posted to the webhook
    assert _eventually(lambda: hub.state(booking) == ("confirmed", "paid"))
    assert hub.outbox_topics(booking).count("erp.booking_confirmed") == 1


def test_an_extension_refused_for_authentication_is_paid_on_session_and_its_checkout_pays_it(
    hub: Hub,
) -> None:
    """The real process: a paid booking, the admin proposes extra work, the off-session charge is refused
    with `authentication_required` (402), the customer opens a Checkout Session (`url`), and the signed
    `checkout.session.completed` pays the extension; the booking's own payment stays as it was."""
    created = hub.book()
    booking, token = created["booking_id"], created["booking_token"]
    customer = {"Authorization": f"Bearer {token}"}
    intent = payment_intent(booking, f"pi_{booking[:8]}", payment_method="pm_card_1")
    assert (
        hub.post_event(event("payment_intent.succeeded", intent, event_id=f"evt_{booking}")).status_code
        == 200
    )
    work = {"description": "New brake pads", "amount_cents": 12000}
    proposed = httpx.post(
        f"{hub.url}/admin/bookings/{booking}/extensions", json=work, headers=ADMIN, timeout=10
    )
    assert proposed.status_code == 201, proposed.text
    extension = proposed.json()["extension_id"]
    base = f"{hub.url}/v1/bookings/{booking}/extensions/{extension}"

    hub.stripe.card_errors.append("authentication_required")
    refused = httpx.post(f"{base}/approve", headers=customer, timeout=10)
    paying = httpx.post(f"{base}/pay", headers=customer, timeout=10)
    again = httpx.post(f"{base}/pay", headers=customer, timeout=10)
    [session] = [
        s for s in hub.stripe.created("checkout.session") if s["metadata"].get("extension_id") == extension
    ]
    paid = {
        "id": session["id"],
        "object": "checkout.session",
        "client_reference_id": booking,
        "metadata": {"booking_id": booking, "extension_id": extension},
        "payment_status": "paid",
        "payment_intent": f"pi_ext_{extension[:8]}",
        "amount_total": 12000,
        "currency": "eur",
    }
    completed = hub.post_event(event("checkout.session.completed", paid, event_id=f"evt_ext_{extension}"))
    after = httpx.post(f"{base}/pay", headers=customer, timeout=10)

    assert refused.status_code == 402, refused.text
    assert refused.json()["extension"]["status"] == "failed"
    assert paying.status_code == 200, paying.text
    assert paying.json()["payment"]["url"] == session["url"]
    assert again.json()["payment"] == paying.json()["payment"]  # one session for the attempt
    assert completed.json() == {"outcome": "applied"}
    assert (after.status_code, after.json()["extension"]["status"], after.json()["payment"]) == (
        200,
        "paid",
        None,
    )
    assert hub.state(booking) == ("confirmed", "paid")
    assert "stripe.refund" not in hub.outbox_topics(booking)
