"""Odoo accounting: partners, invoices with their payments, credit notes; and reading them back.

Odoo keeps no idempotency key, so every step looks for what an earlier attempt may have created (the
partner by email, a move by its `ref`, a payment by the invoice's `payment_state`) before it creates
anything: a retry after a timeout that Odoo did act on finds it and goes on from there."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any
from uuid import UUID

from adapters.providers.odoo.client import OdooXmlRpc
from application.accounting.ports import CREDIT, INVOICE, AccountingDocument
from application.errors import ProviderRejected, ProviderUnavailable
from domain.accounting import CreditNote, Invoice, Partner, major_units, minor_units

log = logging.getLogger("bookhub.odoo")

_MOVE_FIELDS = ["id", "ref", "move_type", "amount_total", "state", "reversed_entry_id", "currency_id"]


class OdooAccountingGateway:
    """The partner by email (created with name, email, phone and address), an `out_invoice` with our
    reference as `ref`, posted, its payment registered through `account.payment.register`; a refund is an
    `out_refund` of the refunded amount reversing the invoice, posted. Logs carry ids only."""

    def __init__(self, rpc: OdooXmlRpc) -> None:
        self._rpc = rpc
        # A booking's partner, invoice and credit messages may be delivered at once: one search-or-create
        # of a partner at a time, so they find one partner rather than each creating its own.
        self._partners = asyncio.Lock()

    async def partner(self, partner: Partner) -> str:
        return str(await self._partner(partner))

    async def invoice_paid(self, invoice: Invoice) -> str:
        move = await self._move(invoice, "out_invoice", invoice.ref)
        await self._post(move)
        await self._register_payment(move, invoice)
        log.info("odoo: %s invoiced as move %s, paid", invoice.ref, move)
        return str(move)

    async def credit(self, note: CreditNote) -> str:
        original = await self._find_move("out_invoice", note.invoice_ref)
        if original is None:
            raise ProviderUnavailable(f"odoo has no invoice {note.invoice_ref} yet")
        move = await self._move(note, "out_refund", note.reference, reverses=original)
        await self._post(move)
        log.info("odoo: %s credited as move %s", note.reference, move)
        return str(move)

    async def documents(self, booking_id: UUID) -> list[AccountingDocument]:
        rows = await self._rpc.execute(
            "account.move",
            "search_read",
            [["ref", "=like", f"{booking_id}%"], ["move_type", "in", ["out_invoice", "out_refund"]]],
            fields=_MOVE_FIELDS,
        )
        invoices = {int(r["id"]): str(r["ref"]) for r in rows if r.get("move_type") == "out_invoice"}
        currencies = await self._currency_names({_many2one(r.get("currency_id")) for r in rows})
        documents = []
        for row in rows:
            ref = str(row.get("ref") or "")
            credit = row.get("move_type") == "out_refund"
            invoice_ref = invoices.get(_many2one(row.get("reversed_entry_id")) or 0, "") if credit else ref
            currency = currencies.get(_many2one(row.get("currency_id")) or 0, "EUR")
            amount = minor_units(Decimal(str(row.get("amount_total") or 0)), currency)
            documents.append(
                AccountingDocument(
                    CREDIT if credit else INVOICE,
                    booking_id,
                    _extension_of(invoice_ref),
                    ref,
                    amount,
                    row.get("state") == "posted",
                )
            )
        return documents

    async def _partner(self, partner: Partner) -> int:
        if partner.ref and partner.ref.isdigit():  # kept from the booking's creation (not the mock's)
            return int(partner.ref)
        async with self._partners:
            return await self._find_or_create(partner)

    async def _find_or_create(self, partner: Partner) -> int:
        found = await self._rpc.execute(
            "res.partner",
            "search_read",
            [["email", "=ilike", partner.email]],
            fields=["id", "phone", "street"],
            limit=1,
        )
        values = _partner_values(partner)
        if found:
            missing = {k: v for k, v in values.items() if k in ("phone", "street", "zip", "city")}
            if missing and not (found[0].get("phone") and found[0].get("street")):
                await self._rpc.execute("res.partner", "write", [int(found[0]["id"])], missing)
            return int(found[0]["id"])
        return int(await self._rpc.execute("res.partner", "create", values))

    async def _currency(self, code: str) -> int:
        found = await self._rpc.execute("res.currency", "search", [["name", "=", code]], limit=1)
        if not found:
            raise ProviderRejected(f"odoo has no currency {code}")
        return int(found[0])

    async def _currency_names(self, ids: set[int | None]) -> dict[int, str]:
        wanted = sorted(i for i in ids if i)
        if not wanted:
            return {}
        rows = await self._rpc.execute("res.currency", "search_read", [["id", "in", wanted]], fields=["name"])
        return {int(r["id"]): str(r["name"]) for r in rows}

    async def _find_move(self, move_type: str, ref: str) -> int | None:
        found = await self._rpc.execute(
            "account.move", "search", [["move_type", "=", move_type], ["ref", "=", ref]], limit=1
        )
        return int(found[0]) if found else None

    async def _move(
        self, document: Invoice | CreditNote, move_type: str, ref: str, *, reverses: int | None = None
    ) -> int:
        existing = await self._find_move(move_type, ref)
        if existing is not None:
            return existing
        line = {"name": document.label, "quantity": 1, "price_unit": float(major_units(document.amount))}
        values: dict[str, Any] = {
            "move_type": move_type,
            "partner_id": await self._partner(document.partner),
            "currency_id": await self._currency(document.amount.currency),
            "invoice_date": document.on.isoformat(),
            "ref": ref,
            "invoice_line_ids": [[0, 0, line]],
        }
        if reverses is not None:
            values["reversed_entry_id"] = reverses
        return int(await self._rpc.execute("account.move", "create", values))

    async def _state(self, move: int) -> dict[str, Any]:
        [row] = await self._rpc.execute(
            "account.move", "search_read", [["id", "=", move]], fields=["state", "payment_state"], limit=1
        )
        return dict(row)

    async def _post(self, move: int) -> None:
        if (await self._state(move))["state"] == "draft":
            await self._rpc.execute("account.move", "action_post", [move])

    async def _register_payment(self, move: int, invoice: Invoice) -> None:
        if (await self._state(move)).get("payment_state") not in ("not_paid", None, False):
            return  # paid, in payment or partial: an earlier attempt registered it
        context = {"active_model": "account.move", "active_ids": [move]}
        wizard = await self._rpc.execute(
            "account.payment.register",
            "create",
            {"payment_date": invoice.on.isoformat(), "communication": invoice.ref},
            context=context,
        )
        await self._rpc.execute(
            "account.payment.register", "action_create_payments", [wizard], context=context
        )


def _partner_values(partner: Partner) -> dict[str, Any]:
    values: dict[str, Any] = {"name": partner.name, "email": partner.email}
    if partner.phone:
        values["phone"] = partner.phone
    if partner.address is not None:
        values |= {"street": partner.address.street, "zip": partner.address.zip, "city": partner.address.city}
    return values


def _many2one(value: Any) -> int | None:
    """Odoo answers a many2one as `[id, name]`, or `False` when empty."""
    if isinstance(value, list | tuple) and value:
        return int(value[0])
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _extension_of(invoice_ref: str) -> UUID | None:
    _, marker, extension = invoice_ref.partition(":extension:")
    try:
        return UUID(extension) if marker else None
    except ValueError:
        return None
