"""The console's overview pages in Chromium, against a real `bookhub serve` whose ERP is a local sink:
with the ERP answering 503 until a message is dead, the message shows in Sync queue with its error;
after the ERP recovers, Retry delivers it once. Every overview page passes axe in each language.
With BOOKHUB_SCREENSHOTS=<folder> each checked page is saved there as a PNG."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import ADMIN_KEY, CATALOG, Server, free_port, serving
from tests.browser.console_support import add_staff_account, sign_in
from tests.browser.walk import check, next_weekday
from tests.support.sink import Sink, http_sink

LANGUAGES = ["en", "fr", "es", "pt", "de"]
PAGES = ["today", "bookings", "sync-queue", "integrations", "webhooks"]
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture(scope="module")
def erp() -> Iterator[Sink]:
    with http_sink(status=503) as sink:
        yield sink


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, erp: Sink) -> Iterator[Server]:
    """`bookhub serve` whose ERP is the sink: two attempts a message, retried after a fifth of a second."""
    tmp = tmp_path_factory.mktemp("console-views")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOOKHUB_", "STRIPE_", "RESEND_", "ERP_"))
    }
    env |= {
        "BOOKHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bookhub.db'}",
        "BOOKHUB_CATALOG": str(CATALOG),
        "BOOKHUB_PUBLIC_URL": url,
        "BOOKHUB_ADMIN_API_KEY": ADMIN_KEY,
        "BOOKHUB_LOG_LEVEL": "INFO",
        "BOOKHUB_WORKER_POLL_SECONDS": "0.2",
        "BOOKHUB_ODOO_MOCK_LOG": str(tmp / "odoo-mock.jsonl"),
        "BOOKHUB_MAX_ATTEMPTS": "2",
        "BOOKHUB_RETRY_BASE_SECONDS": "0.2",
        "BOOKHUB_RETRY_MAX_SECONDS": "0.5",
        "ERP_INGEST_URL": erp.url,
        "BOOKING_INGEST_SECRET": "ingest-secret-0123",
    }
    with serving(env, port, tmp, erp) as running:
        yield running


def _paid_booking(hub: Server, day_offset: int = 0) -> str:
    day = next_weekday(1, after_days=3 + 7 * day_offset)
    body = {
        "offering_id": "airport-transfer",
        "customer": {"name": "Ada Lovelace", "email": "ada.console@example.com"},
        "start": f"{day.isoformat()}T10:00:00+02:00",
    }
    created = httpx.post(f"{hub.url}/v1/bookings", json=body, timeout=10)
    assert created.status_code == 201, created.text
    booking_id = str(created.json()["booking_id"])
    paid = httpx.post(f"{hub.url}/sandbox/checkout/{booking_id}", data={"outcome": "pay"}, timeout=10)
    assert paid.status_code == 303, paid.text
    return booking_id


def _erp_message(hub: Server) -> dict[str, Any] | None:
    queue = httpx.get(f"{hub.url}/admin/sync-queue", headers=ADMIN, timeout=10).json()["items"]
    return next((m for m in queue if m["topic"] == "erp.booking_confirmed"), None)


def _until(condition: Any, what: str, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.2)
    pytest.fail(f"not within {seconds} s: {what}")


def test_a_message_dead_at_the_erp_shows_with_its_error_and_retry_delivers_it_once(
    browser: Any, hub: Server, erp: Sink
) -> None:
    booking_id = _paid_booking(hub)
    _until(lambda: (_erp_message(hub) or {}).get("state") == "dead", "the ERP message dead")
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, hub, *add_staff_account(hub, "owner.views@example.com", "owner"))

    page.get_by_role("link", name="Sync queue", exact=True).click()
    row = page.get_by_role("row").filter(has_text="erp.booking_confirmed")
    assert "erp answered HTTP 503" in row.inner_text()
    assert "Dead" in row.inner_text()
    assert page.get_by_role("link", name=booking_id[:8]).count() >= 1
    check(page, "console-sync-queue-dead")

    erp.status = 200
    row.get_by_role("button", name="Retry").click()
    page.wait_for_url("**/console/sync-queue?done=retried")
    assert page.get_by_role("status").inner_text().startswith("The message is back in the queue")
    _until(lambda: _erp_message(hub) is None, "the ERP message delivered")
    time.sleep(1.0)  # a second delivery, if there were one, would have come by now
    assert [r.json()["booking_id"] for r in erp.received] == [booking_id]
    page.reload()
    assert "Nothing is waiting" in page.locator("main").inner_text()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_overview_page_passes_axe_in_each_language(browser: Any, hub: Server, lang: str) -> None:
    page = browser.new_context(locale=lang).new_page()
    sign_in(page, hub, *add_staff_account(hub, "staff.views@example.com", "staff"), lang=lang)
    day = next_weekday(1, after_days=3).isoformat()
    for name in PAGES:
        page.goto(f"{hub.url}/console/{name}?lang={lang}" + (f"&date={day}" if name == "today" else ""))
        check(page, f"console-{name}", lang)
    page.goto(f"{hub.url}/console/bookings?lang={lang}&q=ada")
    check(page, "console-bookings-found", lang)
    page.goto(f"{hub.url}/console/bookings?lang={lang}&from=2026-02-31")
    check(page, "console-bookings-refused", lang)


def test_the_integrations_page_charts_real_deliveries_and_failures(
    browser: Any, hub: Server, erp: Sink
) -> None:
    """Some deliveries fail (the ERP answers 503 to a few), the rest go through: the chart draws both."""
    erp.statuses.extend([503, 503, 200, 503])
    for n in range(1, 4):
        _paid_booking(hub, day_offset=n)

    def settled() -> bool:  # one read of the queue per try: a message may be delivered between two reads
        message = _erp_message(hub)
        return message is None or message["state"] == "dead"

    _until(settled, "the deliveries settled")
    page = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, hub, *add_staff_account(hub, "owner.views@example.com", "owner"))
    for lang in ("en", "de"):
        page.goto(f"{hub.url}/console/integrations?lang={lang}")
        chart = page.get_by_role("img").first
        assert chart.is_visible()
        check(page, "console-integrations-data", lang)
        if shots := os.environ.get("BOOKHUB_SCREENSHOTS"):
            page.locator("main").screenshot(path=f"{shots}/{lang}-console-integrations-main.png")
