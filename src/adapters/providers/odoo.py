"""Odoo accounting over XML-RPC (`/xmlrpc/2/common`, `/xmlrpc/2/object`), spoken over httpx.

Odoo keeps no idempotency key, so every step looks for what an earlier attempt may have created
(by the booking's reference) before it creates anything: a retry after a timeout that Odoo did act on
finds the partner, invoice, payment or credit note and goes on from there."""

from __future__ import annotations

import asyncio
import json
import logging
import xmlrpc.client
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.providers.http_lanes import HttpClient
from application.errors import ProviderRejected, ProviderUnavailable
from domain.accounting import Invoice, major_units

log = logging.getLogger("bookhub.odoo")

TIMEOUT_SECONDS = 10.0
# faultCode on /xmlrpc/2: 1 an application error (often transient), 2 a business refusal (UserError,
# ValidationError), 3 access denied (login or API key), 4 access error (permissions).
_PERMANENT_FAULTS = frozenset({2, 3, 4})


class OdooXmlRpc:
    """One Odoo database as one user: authenticates once and keeps the uid."""

    def __init__(self, http: HttpClient, *, url: str, db: str, username: str, password: str) -> None:
        self._http, self._url = http, url.rstrip("/")
        self._db, self._username, self._password = db, username, password
        self._uid: int | None = None
        self._login = asyncio.Lock()

    async def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        uid = await self._authenticated()
        return await self._call(
            "object", "execute_kw", self._db, uid, self._password, model, method, list(args), kwargs
        )

    async def _authenticated(self) -> int:
        async with self._login:
            if self._uid is None:
                uid = await self._call("common", "authenticate", self._db, self._username, self._password, {})
                if not isinstance(uid, int) or isinstance(uid, bool):  # False: wrong login or key
                    raise ProviderRejected("odoo refused the login (ODOO_USERNAME / ODOO_PASSWORD)")
                self._uid = uid
            return self._uid

    async def _call(self, service: str, method: str, *params: Any) -> Any:
        body = xmlrpc.client.dumps(params, method, allow_none=True).encode()
        what = f"odoo {method}" if method != "execute_kw" else f"odoo {params[3]}.{params[4]}"
        try:
            response = await self._http.post(
                f"{self._url}/xmlrpc/2/{service}",
                content=body,
                headers={"content-type": "text/xml"},
                timeout=TIMEOUT_SECONDS,
            )
        except httpx.TimeoutException as exc:
            log.warning("%s: timed out", what)
            raise ProviderUnavailable(f"{what} timed out") from exc
        except httpx.HTTPError as exc:
            log.warning("%s: %s", what, type(exc).__name__)
            raise ProviderUnavailable(f"{what}: unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            error = f"{what}: HTTP {response.status_code}"
            if response.status_code >= 500 or response.status_code in (408, 429):
                raise ProviderUnavailable(error)
            raise ProviderRejected(error)
        try:
            (result,), _ = xmlrpc.client.loads(response.content, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:  # its faultString is a traceback that may quote values
            error = f"{what}: fault {fault.faultCode}"
            log.warning("%s", error)
            if fault.faultCode in _PERMANENT_FAULTS:
                raise ProviderRejected(error) from None
            raise ProviderUnavailable(error) from None
        except (xmlrpc.client.ResponseError, ValueError) as exc:
            raise ProviderUnavailable(f"{what}: not an XML-RPC answer") from exc
        return result


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
