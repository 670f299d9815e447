"""The inbound-webhook port: what every provider's webhook adapter does with what it was sent.

An adapter takes the raw body and the headers, checks the signature before it reads anything, and
answers the command its use case takes, or IGNORED for a notification the hub does not follow. It
refuses with one of two errors: `InvalidSignature` (missing, wrong or stale: nothing is read) or
`InvalidPayload` (signed, but not what it claims to be). How the edge answers a refusal is the
adapter's to say, because providers' contracts differ (the driver app expects 401 for a bad
signature; the others 400). An adapter that must fetch what a notification names (Acuity's are
thin) parses in a coroutine; it may raise `ProviderUnavailable`, and the provider sends again."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from enum import Enum
from typing import Final, Protocol

from application.dispatch.commands import TripStatusReported
from application.payments.commands import PaymentEvent, PaymentLinkPaid
from application.scheduling.commands import AppointmentReported


class Ignored(Enum):
    IGNORED = "ignored"


IGNORED: Final = Ignored.IGNORED

WebhookCommand = PaymentEvent | PaymentLinkPaid | AppointmentReported | TripStatusReported
Parsed = WebhookCommand | Ignored


class InboundWebhook(Protocol):
    @property
    def provider(self) -> str:
        """The provider as metrics, logs and /health name it."""

    @property
    def signature_refusal_status(self) -> int:
        """The HTTP status of an `InvalidSignature`: 400, unless the provider's contract says another."""

    @property
    def payload_refusal_code(self) -> str:
        """The problem code of an `InvalidPayload`: `invalid_payload` (400), or `invalid_request` (422)
        with the refusal's `fields` for the providers whose refusals always read so."""

    def parse(self, body: bytes, headers: Mapping[str, str]) -> Parsed | Awaitable[Parsed]:
        """Verify, then decode; a plain value unless the adapter must fetch (then `async def`: a
        coroutine). `headers` are looked up by lower-case name."""
