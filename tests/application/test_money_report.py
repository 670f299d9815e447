"""The money report on the in-memory adapters: providers, ledger and accounting side by side, `pending`
while a delivery waits in the outbox, `mismatch` with a note otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from application.accounting.money_report import MakeMoneyReport
from application.accounting.ports import CREDIT, INVOICE, AccountingDocument
from application.payments.commands import PaymentSucceeded
from application.payments.ports import ProviderMovement
from domain.accounting import CreditNote, Invoice, Partner
from tests.application.builders import NOW, Handlers, a_booking, build


class Accounting:
    def __init__(self) -> None:
        self.held: list[AccountingDocument] = []

    async def partner(self, partner: Partner) -> str:
        return "1"

    async def invoice_paid(self, invoice: Invoice) -> str:
        return "1"

    async def credit(self, note: CreditNote) -> str:
        return "1"

    async def documents(self, booking_id: UUID) -> list[AccountingDocument]:
        return [d for d in self.held if d.booking_id == booking_id]


class Statement:
    provider = "sandbox"

    def __init__(self, movements: list[ProviderMovement]) -> None:
        self._movements = movements

    async def movements(self, since: datetime) -> list[ProviderMovement]:
        return self._movements


async def paid(app: Handlers) -> UUID:
    created = await app.create(a_booking())
    event = PaymentSucceeded("sandbox", "evt-1", created.booking_id, 8500, "EUR", "pay_1")
    await app.payment_event(event)
    return created.booking_id


async def test_a_missing_invoice_is_pending_while_its_delivery_waits_then_a_mismatch_then_ok() -> None:
    app, accounting = build(), Accounting()
    report = MakeMoneyReport(app.uow, accounting, [])
    booking = await paid(app)
    period = (NOW - timedelta(days=1), NOW + timedelta(days=1))

    waiting = await report(*period)
    app.state.outbox.clear()  # delivered, yet accounting holds nothing
    lost = await report(*period)
    accounting.held = [AccountingDocument(INVOICE, booking, None, str(booking), 8500, True)]
    agreed = await report(*period)
    before = await report(NOW - timedelta(days=3), NOW - timedelta(days=2))

    assert [(r.status, r.ledger_charged_cents, r.provider_charged_cents) for r in waiting.items] == [
        ("pending", 8500, 8500)
    ]
    assert [(r.status, r.note) for r in lost.items] == [
        ("mismatch", "accounting has no invoice of 8500 cents")
    ]
    assert (lost.mismatches, agreed.mismatches) == (1, 0)
    assert [(r.status, r.invoiced_cents) for r in agreed.items] == [("ok", 8500)]
    assert before.items == []


async def test_a_charge_the_provider_holds_and_the_ledger_lacks_is_a_mismatch_of_its_booking() -> None:
    app, accounting = build(), Accounting()
    booking = await paid(app)
    app.state.outbox.clear()
    accounting.held = [
        AccountingDocument(INVOICE, booking, None, str(booking), 8500, True),
        AccountingDocument(CREDIT, booking, None, f"{booking}:refund:x", 2000, True),
    ]
    extra = ProviderMovement("charge", "sandbox", "pay_2", "pay_2", 8500, "EUR", booking)
    statement = Statement([ProviderMovement("charge", "sandbox", "pay_1", "pay_1", 8500, "EUR"), extra])
    report = await MakeMoneyReport(app.uow, accounting, [statement])(NOW, NOW + timedelta(hours=1))
    [row] = report.items
    assert (row.provider_charged_cents, row.ledger_charged_cents, row.status) == (17000, 8500, "mismatch")
    assert row.note == (
        "the provider holds charged 17000 refunded 0, the ledger charged 8500 refunded 0; "
        "accounting holds invoiced 8500 less credited 2000, the ledger kept 8500"
    )
