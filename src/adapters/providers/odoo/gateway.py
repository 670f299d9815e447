"""Odoo accounting: invoices, payments and credit notes.

Odoo keeps no idempotency key, so every step looks for what an earlier attempt may have created
(by the booking's reference) before it creates anything: a retry after a timeout that Odoo did act on
finds the partner, invoice, payment or credit note and goes on from there."""

from __future__ import annotations

import logging
from typing import Any

from adapters.providers.odoo.client import OdooXmlRpc
from application.errors import ProviderRejected, ProviderUnavailable
from domain.accounting import Invoice, major_units

log = logging.getLogger("bookhub.odoo")


class OdooAccountingGateway:
    """The partner by email (else created with name and email only), the `out_invoice` with the booking
    id as `ref`, posted, its payment registered through `account.payment.register`; on a refund an
    `out_refund` that reverses it, posted. Logs carry the booking id and Odoo ids only."""

    def __init__(self, rpc: OdooXmlRpc) -> None:
        self._rpc = rpc

    async def invoice_paid(self, invoice: Invoice) -> str:
        move = await self._move(invoice, "out_invoice", str(invoice.booking_id))
        await self._post(move)
        await self._register_payment(move, invoice)
        log.info("odoo: booking %s invoiced as move %s, paid", invoice.booking_id, move)
        return str(move)

    async def credit(self, invoice: Invoice) -> str:
        original = await self._find_move("out_invoice", str(invoice.booking_id))
        if original is None:
            raise ProviderUnavailable(f"odoo has no invoice for booking {invoice.booking_id} yet")
        note = await self._move(invoice, "out_refund", f"refund:{invoice.booking_id}", reverses=original)
        await self._post(note)
        log.info("odoo: booking %s credited as move %s", invoice.booking_id, note)
        return str(note)

    async def _partner(self, invoice: Invoice) -> int:
        email = invoice.partner.email
        found = await self._rpc.execute(
            "res.partner", "search_read", [["email", "=ilike", email]], fields=["id"], limit=1
        )
        if found:
            return int(found[0]["id"])
        return int(
            await self._rpc.execute("res.partner", "create", {"name": invoice.partner.name, "email": email})
        )

    async def _currency(self, code: str) -> int:
        found = await self._rpc.execute("res.currency", "search", [["name", "=", code]], limit=1)
        if not found:
            raise ProviderRejected(f"odoo has no currency {code}")
        return int(found[0])

    async def _find_move(self, move_type: str, ref: str) -> int | None:
        found = await self._rpc.execute(
            "account.move", "search", [["move_type", "=", move_type], ["ref", "=", ref]], limit=1
        )
        return int(found[0]) if found else None

    async def _move(self, invoice: Invoice, move_type: str, ref: str, *, reverses: int | None = None) -> int:
        existing = await self._find_move(move_type, ref)
        if existing is not None:
            return existing
        line = {"name": invoice.label, "quantity": 1, "price_unit": float(major_units(invoice.amount))}
        values: dict[str, Any] = {
            "move_type": move_type,
            "partner_id": await self._partner(invoice),
            "currency_id": await self._currency(invoice.amount.currency),
            "invoice_date": invoice.on.isoformat(),
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
            {"payment_date": invoice.on.isoformat(), "communication": str(invoice.booking_id)},
            context=context,
        )
        await self._rpc.execute(
            "account.payment.register", "action_create_payments", [wizard], context=context
        )
