"""Odoo without credentials: its calls written as JSON lines in a local file."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from domain.accounting import Invoice, major_units

log = logging.getLogger("bookhub.odoo")


class OdooMockGateway:
    """Without Odoo credentials: one JSON line per call in a local file (ids and amounts, no names)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def invoice_paid(self, invoice: Invoice) -> str:
        await self._append("invoice_paid", invoice)
        return f"mock-invoice-{invoice.booking_id}"

    async def credit(self, invoice: Invoice) -> str:
        await self._append("credit", invoice)
        return f"mock-credit-{invoice.booking_id}"

    async def _append(self, call: str, invoice: Invoice) -> None:
        line = {
            "at": datetime.now(UTC).isoformat(),
            "call": call,
            "booking_id": str(invoice.booking_id),
            "amount": str(major_units(invoice.amount)),
            "currency": invoice.amount.currency,
            "date": invoice.on.isoformat(),
        }
        await asyncio.to_thread(self._write, json.dumps(line) + "\n")
        log.info("odoo mock: %s for booking %s", call, invoice.booking_id)

    def _write(self, text: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as file:
            file.write(text)
