"""Odoo without credentials: its calls written as JSON lines in a local file, and read back from there."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from application.accounting.ports import CREDIT, INVOICE, AccountingDocument
from domain.accounting import CreditNote, Invoice, Partner, major_units, minor_units

log = logging.getLogger("bookhub.odoo")


class OdooMockGateway:
    """Without Odoo credentials: one JSON line per call in a local file (ids, references and amounts, no
    names): `partner`, `invoice_paid` (an invoice and its payment), `credit` (a credit note). Reading
    back takes the first line of each reference, as Odoo would find the document made first."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def partner(self, partner: Partner) -> str:
        ref = partner.ref or f"mock-partner-{hashlib.sha256(partner.email.encode()).hexdigest()[:12]}"
        await self._append({"call": "partner", "partner": ref})
        return ref

    async def invoice_paid(self, invoice: Invoice) -> str:
        await self._append(_line("invoice_paid", invoice, invoice.ref, invoice.extension_id))
        return f"mock-invoice-{invoice.ref}"

    async def credit(self, note: CreditNote) -> str:
        await self._append(_line("credit", note, note.reference, note.extension_id))
        return f"mock-credit-{note.reference}"

    async def documents(self, booking_id: UUID) -> list[AccountingDocument]:
        lines = await asyncio.to_thread(self._read)
        found: dict[str, AccountingDocument] = {}
        for line in lines:
            if line.get("booking_id") != str(booking_id) or line.get("call") == "partner":
                continue
            credit = line["call"] == "credit"
            reference = str(line.get("reference") or (f"refund:{booking_id}" if credit else booking_id))
            extension = line.get("extension_id")
            amount = minor_units(Decimal(str(line["amount"])), str(line["currency"]))
            found.setdefault(
                reference,
                AccountingDocument(
                    CREDIT if credit else INVOICE,
                    booking_id,
                    UUID(extension) if extension else None,
                    reference,
                    amount,
                    True,
                ),
            )
        return list(found.values())

    async def _append(self, line: dict[str, Any]) -> None:
        line = {"at": datetime.now(UTC).isoformat(), **line}
        await asyncio.to_thread(self._write, json.dumps(line) + "\n")
        log.info("odoo mock: %s %s", line["call"], line.get("reference") or line.get("partner"))

    def _write(self, text: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as file:
            file.write(text)

    def _read(self) -> list[dict[str, Any]]:
        if not self._path.exists():
            return []
        with self._path.open(encoding="utf-8") as file:
            return [json.loads(text) for text in file if text.strip()]


def _line(
    call: str, document: Invoice | CreditNote, reference: str, extension: UUID | None
) -> dict[str, Any]:
    return {
        "call": call,
        "booking_id": str(document.booking_id),
        "extension_id": str(extension) if extension else None,
        "reference": reference,
        "amount": str(major_units(document.amount)),
        "currency": document.amount.currency,
        "date": document.on.isoformat(),
    }
