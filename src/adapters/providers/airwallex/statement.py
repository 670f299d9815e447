"""What Airwallex holds, for the money report: its succeeded PaymentIntents and its refunds, by list API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from adapters.providers.airwallex.client import AirwallexApi, to_minor
from adapters.providers.airwallex.webhook import PROVIDER
from application.payments.ports import ProviderMovement

_DONE = frozenset({"ACCEPTED", "SETTLED", "SUCCEEDED"})


class AirwallexStatement:
    """`GET /api/v1/pa/payment_intents?status=SUCCEEDED` and `GET /api/v1/pa/refunds` created since a time,
    every page; amounts from major units back to cents."""

    provider = PROVIDER

    def __init__(self, api: AirwallexApi) -> None:
        self._api = api

    async def movements(self, since: datetime) -> list[ProviderMovement]:
        window = {"from_created_at": since.astimezone(UTC).isoformat()}
        intents = await self._api.list(
            "/api/v1/pa/payment_intents", {**window, "status": "SUCCEEDED"}, page_size=1000
        )
        refunds = await self._api.list("/api/v1/pa/refunds", window, page_size=1000)
        movements = [_movement("charge", item, item.get("id")) for item in intents]
        movements += [
            _movement("refund", item, item.get("payment_intent_id"))
            for item in refunds
            if item.get("status") in _DONE
        ]
        return [m for m in movements if m is not None]


def _movement(kind: str, item: dict[str, Any], payment_ref: object) -> ProviderMovement | None:
    currency = str(item.get("currency") or "")
    try:
        cents = to_minor(Decimal(str(item.get("amount"))), currency)
    except (InvalidOperation, ValueError):
        return None
    if not item.get("id") or not currency or cents <= 0:
        return None
    metadata = item.get("metadata") or {}
    return ProviderMovement(
        kind,
        PROVIDER,
        str(item["id"]),
        str(payment_ref) if payment_ref else None,
        cents,
        currency.upper(),
        _uuid(metadata.get("booking_id") or (item.get("merchant_order_id") if kind == "charge" else None)),
        _uuid(metadata.get("extension_id")),
    )


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None
