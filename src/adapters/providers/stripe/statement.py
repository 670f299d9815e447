"""What Stripe holds, for the money report: its succeeded PaymentIntents and its refunds, by list API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import stripe

from adapters.providers.stripe.client import StripeApi, unavailable
from adapters.providers.stripe.events import PROVIDER
from application.payments.ports import ProviderMovement


class StripeStatement:
    """`GET /v1/payment_intents` and `GET /v1/refunds` created since a time, every page."""

    provider = PROVIDER

    def __init__(self, api: StripeApi) -> None:
        self._api = api

    async def movements(self, since: datetime) -> list[ProviderMovement]:
        params: Any = {"created": {"gte": int(since.timestamp())}, "limit": 100}
        movements: list[ProviderMovement] = []
        try:
            intents = await self._api.client.v1.payment_intents.list_async(params)
            async for item in intents.auto_paging_iter():
                intent = item.to_dict()
                if intent.get("status") == "succeeded" and intent.get("amount_received"):
                    metadata = intent.get("metadata") or {}
                    movements.append(
                        ProviderMovement(
                            "charge",
                            PROVIDER,
                            str(intent["id"]),
                            str(intent["id"]),
                            int(intent["amount_received"]),
                            str(intent["currency"]).upper(),
                            _uuid(metadata.get("booking_id")),
                            _uuid(metadata.get("extension_id")),
                        )
                    )
            refunds = await self._api.client.v1.refunds.list_async(params)
            async for item in refunds.auto_paging_iter():
                found = item.to_dict()
                if found.get("status") == "succeeded" and found.get("amount"):
                    paid = found.get("payment_intent")
                    ref = paid if isinstance(paid, str) else None
                    currency = str(found.get("currency") or "").upper()
                    movements.append(
                        ProviderMovement(
                            "refund", PROVIDER, str(found["id"]), ref, int(found["amount"]), currency
                        )
                    )
        except stripe.StripeError as exc:
            raise unavailable("payment list", exc) from exc
        return movements


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None
