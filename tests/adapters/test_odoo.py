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
from application.accounting.ports import CREDIT, AccountingDocument
from application.accounting.ports import INVOICE as INVOICED
from application.errors import ProviderRejected, ProviderUnavailable
from domain.accounting import CreditNote, Invoice, Partner, extension_reference, refund_reference
from domain.catalog import Money
from domain.dispatch import Address
from tests.support.odoo import DB, LOGIN, PASSWORD, FakeOdoo, fake_odoo

BOOKING = UUID("6c1f1f5e-8d0b-4c55-9c59-1d2f3a4b5c6d")
INVOICE = Invoice(
    BOOKING,
    Partner("Ada Lovelace", "ada@example.com"),
    Money(8500, "EUR"),
    "Airport transfer",
    date(2027, 6, 1),
)
EXTENSION = UUID("0f0e0d0c-0b0a-4909-8807-060504030201")
REFUND = CreditNote(
    BOOKING,
    INVOICE.partner,
    Money(8500, "EUR"),
    "Airport transfer",
    date(2027, 6, 2),
    f"refund:{BOOKING}",
    str(BOOKING),
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
            await gateway.credit(REFUND)  # the invoice message has not been delivered yet
        invoice_id = await gateway.invoice_paid(INVOICE)
        first = await gateway.credit(REFUND)
        again = await gateway.credit(REFUND)
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
    await mock.partner(INVOICE.partner)
    await mock.invoice_paid(INVOICE)
    await mock.invoice_paid(INVOICE)  # a retry: read back once
    await mock.credit(REFUND)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["call"], line.get("booking_id"), line.get("amount")) for line in lines] == [
        ("partner", None, None),
        ("invoice_paid", str(BOOKING), "85.00"),
        ("invoice_paid", str(BOOKING), "85.00"),
        ("credit", str(BOOKING), "85.00"),
    ]
    assert "ada" not in path.read_text().lower()
    assert await mock.documents(BOOKING) == [
        AccountingDocument(INVOICED, BOOKING, None, str(BOOKING), 8500, True),
        AccountingDocument(CREDIT, BOOKING, None, f"refund:{BOOKING}", 8500, True),
    ]


async def test_a_partner_is_found_by_email_or_created_with_phone_and_address_and_filled_in_once(
    http: httpx.AsyncClient,
) -> None:
    address = Address("1 Rue de Rivoli", "75001", "Paris")
    partner = Partner("Ada Lovelace", "Ada@Example.com", "+33600000000", address)
    with fake_odoo() as odoo:
        odoo.models["res.partner"] = {5: {"id": 5, "name": "Ada", "email": "ada@example.com"}}
        gateway = _gateway(http, odoo)
        found = await gateway.partner(partner)
        again = await gateway.partner(partner)
        kept = await gateway.partner(Partner("Ada Lovelace", "ada@example.com", ref="5"))
        created = await gateway.partner(Partner("Bob", "bob@example.com", "+44700000000"))
    [ada, bob] = odoo.records("res.partner")
    assert (found, again, kept) == ("5", "5", "5")
    assert (ada["phone"], ada["street"], ada["zip"], ada["city"]) == (
        "+33600000000",
        "1 Rue de Rivoli",
        "75001",
        "Paris",
    )
    assert odoo.calls["res.partner.write"] == 1
    assert (created, bob["phone"]) == (str(bob["id"]), "+44700000000")


async def test_an_extension_is_a_supplementary_invoice_and_a_partial_refund_a_credit_note_of_its_amount(
    http: httpx.AsyncClient,
) -> None:
    supplement = Invoice(
        BOOKING,
        INVOICE.partner,
        Money(12000, "EUR"),
        "Ergänzungsrechnung",
        date(2027, 6, 3),
        extension_reference(BOOKING, EXTENSION),
        EXTENSION,
    )
    partial = CreditNote(
        BOOKING,
        INVOICE.partner,
        Money(2000, "EUR"),
        "Refund",
        date(2027, 6, 4),
        refund_reference(BOOKING, "stripe", "re_1"),
        str(BOOKING),
    )
    with fake_odoo() as odoo:
        gateway = _gateway(http, odoo)
        await gateway.invoice_paid(INVOICE)
        await gateway.invoice_paid(supplement)
        await gateway.invoice_paid(supplement)
        await gateway.credit(partial)
        documents = await gateway.documents(BOOKING)
    moves = odoo.records("account.move")
    assert [(m["move_type"], m["ref"], m["amount_total"]) for m in moves] == [
        ("out_invoice", str(BOOKING), 85.0),
        ("out_invoice", f"{BOOKING}:extension:{EXTENSION}", 120.0),
        ("out_refund", f"{BOOKING}:refund:stripe:re_1", 20.0),
    ]
    assert [m["payment_state"] for m in moves[:2]] == ["paid", "paid"]
    assert [(d.kind, d.extension_id, d.amount_cents, d.posted) for d in documents] == [
        ("invoice", None, 8500, True),
        ("invoice", EXTENSION, 12000, True),
        ("credit", None, 2000, True),
    ]
