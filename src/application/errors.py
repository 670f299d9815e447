"""Application errors: like domain errors, values with a stable code that entrypoints map."""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import DomainError


class UnknownOffering(DomainError):
    code = "unknown_offering"


class NotFound(DomainError):
    code = "not_found"


class InvalidRequest(DomainError):
    code = "invalid_request"

    def __init__(self, detail: str, fields: Mapping[str, str]) -> None:
        super().__init__(detail)
        self.fields = dict(fields)


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"


class IdempotencyInProgress(DomainError):
    code = "idempotency_in_progress"


class ProviderUnavailable(DomainError):
    code = "provider_unavailable"


class ProviderRejected(DomainError):
    """A provider refused the call for good (a 4xx other than 408/429): retrying will not help."""

    code = "provider_rejected"


class NotDead(DomainError):
    code = "not_dead"


class InvalidSignature(DomainError):
    """A webhook whose signature is missing, wrong or stale: refused before anything is read."""

    code = "invalid_signature"


class InvalidPayload(DomainError):
    """A signed webhook body that is not the event it claims to be; `fields` say what did not read."""

    code = "invalid_payload"

    def __init__(self, detail: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.fields = dict(fields or {})
