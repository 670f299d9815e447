"""The Odoo gateway against a real XML-RPC server: each step once, however often it is retried."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from adapters.providers.odoo import client as odoo_module
from adapters.providers.odoo.client import OdooXmlRpc
from adapters.providers.odoo.gateway import OdooAccountingGateway
from adapters.providers.odoo.mock import OdooMockGateway
from application.errors import ProviderRejected, ProviderUnavailable
from domain.accounting import Invoice, Partner
from domain.catalog import Money
from tests.support.odoo import DB, LOGIN, PASSWORD, FakeOdoo, fake_odoo

BOOKING = UUID("6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d")
INVOICE = Invoice(
    BOOKING,
    Partner("Ada Lovelace", "ada@example.com"),
    Money(8500, "EUR"),
    "Airport transfer",
    date(2027, 6, 1),
)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _gateway(http: httpx.AsyncClient, odoo: FakeOdoo, password: str = PASSWORD) -> OdooAccountingGateway:
    return OdooAccountingGateway(OdooXmlRpc(http, url=odoo.url, db=DB, username=LOGIN, password=password))


async def test_a_paid_booking_becomes_a_posted_invoice_with_its_payment_for_a_new_partner(
    http: httpx.AsyncClient,
) -> None:
    with fake_odoo() as odoo:
        invoice_id = await _gateway(http, odoo).invoice_paid(INVOICE)
    [partner] = odoo.records("res.partner")
    [move] = odoo.records("account.move")
    assert (partner["name"], partner["email"]) == ("Ada Lovelace", "ada@example.com")
    assert invoice_id == str(move["id"])
    assert (move["move_type"], move["ref"], move["partner_id"], move["currency_id"]) == (
        "out_invoice",
        str(BOOKING),
        partner["id"],
        1,
    )
    assert move["invoice_line_ids"] == [
        [0, 0, {"name": "Airport transfer", "quantity": 1, "price_unit": 85.0}]
    ]
    assert (move["state"], move["payment_state"], move["invoice_date"]) == ("posted", "paid", "2027-06-01")
    assert len(odoo.records("account.payment")) == 1


async def test_a_known_email_reuses_its_partner_and_the_uid_is_asked_once(http: httpx.AsyncClient) -> None:
    with fake_odoo() as odoo:
        odoo.models["res.partner"] = {5: {"id": 5, "name": "A. Lovelace", "email": "ADA@example.com"}}
        gateway = _gateway(http, odoo)
        await gateway.invoice_paid(INVOICE)
        await gateway.invoice_paid(INVOICE)
    assert [m["partner_id"] for m in odoo.records("account.move")] == [5]
    assert len(odoo.records("res.partner")) == 1
    assert odoo.calls["authenticate"] == 1


async def test_a_retry_after_a_timeout_that_odoo_committed_creates_exactly_one_invoice(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(odoo_module, "TIMEOUT_SECONDS", 0.3)
    with fake_odoo() as odoo:
        odoo.slow[("account.move", "create")] = 1
        odoo.slow[("account.payment.register", "action_create_payments")] = 1
        gateway = _gateway(http, odoo)
        with pytest.raises(ProviderUnavailable, match="timed out"):
            await gateway.invoice_paid(INVOICE)  # the invoice was created; its answer came too late
        with pytest.raises(ProviderUnavailable, match="timed out"):
            await gateway.invoice_paid(INVOICE)  # the payment was registered; its answer came too late
        await gateway.invoice_paid(INVOICE)
    assert len(odoo.records("account.move")) == 1
    assert len(odoo.records("account.payment")) == 1
    assert len(odoo.records("res.partner")) == 1


async def test_a_fault_the_first_times_is_retried_without_its_text_and_then_succeeds(
    http: httpx.AsyncClient,
) -> None:
    with fake_odoo() as odoo:
        odoo.fail[("account.move", "action_post")] = 2
        gateway = _gateway(http, odoo)
        for _ in range(2):
            with pytest.raises(ProviderUnavailable) as raised:
                await gateway.invoice_paid(INVOICE)
            assert str(raised.value) == "odoo account.move.action_post: fault 1"  # no traceback, no email
        await gateway.invoice_paid(INVOICE)
    [move] = odoo.records("account.move")
    assert (move["state"], move["payment_state"]) == ("posted", "paid")


async def test_a_login_odoo_refuses_is_an_error_not_a_uid(http: httpx.AsyncClient) -> None:
    with fake_odoo() as odoo, pytest.raises(ProviderRejected, match="refused the login"):
        await _gateway(http, odoo, password="wrong").invoice_paid(INVOICE)
    assert odoo.records("account.move") == []


async def test_a_refund_is_one_posted_credit_note_reversing_the_invoice(http: httpx.AsyncClient) -> None:
    with fake_odoo() as odoo:
        gateway = _gateway(http, odoo)
        with pytest.raises(ProviderUnavailable, match="no invoice"):
            await gateway.credit(INVOICE)  # the invoice message has not been delivered yet
        invoice_id = await gateway.invoice_paid(INVOICE)
        first = await gateway.credit(INVOICE)
        again = await gateway.credit(INVOICE)
    notes = [m for m in odoo.records("account.move") if m["move_type"] == "out_refund"]
    assert [(n["id"], n["reversed_entry_id"], n["state"], n["ref"]) for n in notes] == [
        (int(first), int(invoice_id), "posted", f"refund:{BOOKING}")
    ]
    assert again == first


async def test_odoo_unreachable_is_retried(http: httpx.AsyncClient) -> None:
    rpc = OdooXmlRpc(http, url="http://127.0.0.1:9", db=DB, username=LOGIN, password=PASSWORD)
    with pytest.raises(ProviderUnavailable, match="unreachable"):
        await OdooAccountingGateway(rpc).invoice_paid(INVOICE)


async def test_the_mock_writes_one_json_line_per_call_without_the_customer(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "odoo-mock.jsonl"
    mock = OdooMockGateway(path)
    await mock.invoice_paid(INVOICE)
    await mock.credit(INVOICE)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["call"], line["booking_id"], line["amount"]) for line in lines] == [
        ("invoice_paid", str(BOOKING), "85.00"),
        ("credit", str(BOOKING), "85.00"),
    ]
    assert "ada" not in path.read_text().lower()
