"""Missed Airwallex webhooks recovered (Airwallex has no events list): the succeeded PaymentIntents and the
refunds created since a time, every page, each made into the event its webhook would have carried and
normalised like the webhooks. Their event ids are derived from the object (`reconcile:<kind>:<id>`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from adapters.providers.airwallex.client import AirwallexApi
from adapters.providers.airwallex.webhook import PROVIDER, Data, Event, EventObject, normalise
from application.payments.ports import ListedEvent

_INTENTS = "/api/v1/pa/payment_intents"
_REFUNDS = "/api/v1/pa/refunds"
_REFUND_DONE = frozenset({"ACCEPTED", "SETTLED", "SUCCEEDED"})


class AirwallexEventSource:
    provider = PROVIDER

    def __init__(self, api: AirwallexApi) -> None:
        self._api = api

    async def events_since(self, since: datetime) -> list[ListedEvent]:
        window = {"from_created_at": since.astimezone(UTC).isoformat()}
        intents = await self._api.list(_INTENTS, {**window, "status": "SUCCEEDED"}, page_size=1000)
        refunds = await self._api.list(_REFUNDS, window, page_size=1000)
        listed = [_listed("payment_intent.succeeded", item) for item in intents]
        listed += [_listed("refund.settled", item) for item in refunds if item.get("status") in _REFUND_DONE]
        return [event for event in listed if event is not None]


def _listed(name: str, item: dict[str, Any]) -> ListedEvent | None:
    try:
        obj = msgspec.convert(item, EventObject)
        created = datetime.fromisoformat(str(item.get("created_at")))
    except (msgspec.ValidationError, ValueError):
        return None  # not an object of the shape we read: nothing to apply
    if obj.id is None:
        return None
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    event = Event(id=f"reconcile:{name}:{obj.id}", name=name, data=Data(object=obj))
    return ListedEvent(created, normalise(event))
