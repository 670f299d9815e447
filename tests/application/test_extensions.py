"""Proposing and approving extensions on in-memory fakes: one charge per attempt, outside transactions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import uuid4

import pytest

from application.errors import InvalidRequest, NotFound
from application.payments.extensions import (
    ApproveExtensionHandler,
    ExtensionNotAllowed,
    ProposeExtension,
    ProposeExtensionHandler,
)
from application.payments.payment_events import PaymentSucceeded
from application.ports import ChargeResult, SavedCard
from domain.errors import IllegalTransition
from domain.extension import Extension, ExtensionStatus
from tests.application.builders import TUESDAY_TEN, Handlers, a_booking, build


@dataclass
class ScriptedCharges:
    provider = "sandbox"
    customer_key = None
    results: list[ChargeResult] = field(default_factory=list)
    calls: list[tuple[str, SavedCard]] = field(default_factory=list)
    commits_before: list[int] = field(default_factory=list)
    app: Handlers | None = None

    async def charge(self, extension: Extension, card: SavedCard, *, idempotency_key: str) -> ChargeResult:
        self.calls.append((idempotency_key, card))
        assert self.app is not None
        self.commits_before.append(self.app.state.commits)
        return self.results.pop(0) if self.results else ChargeResult(paid=True, payment_ref="pi_x")


async def paid(app: Handlers) -> tuple[object, str]:
    created = await app.create(a_booking(start=TUESDAY_TEN))
    await app.payment_event(PaymentSucceeded("sandbox", "evt-1", created.booking_id, 8500, "EUR"))
    return created.booking_id, created.booking_token


def handlers(app: Handlers) -> tuple[ProposeExtensionHandler, ApproveExtensionHandler, ScriptedCharges]:
    charges = ScriptedCharges(app=app)
    return (
        ProposeExtensionHandler(app.uow, app.clock),
        ApproveExtensionHandler(app.uow, charges, app.clock),
        charges,
    )


async def test_propose_then_approve_charges_once_after_the_approval_is_committed() -> None:
    app = build()
    propose, approve, charges = handlers(app)
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "New brake pads", 12000))  # type: ignore[arg-type]
    topics = [m.topic for m in app.state.outbox]
    assert {"email.extension_proposed", "sms.extension_proposed"} <= set(topics)
    commits = app.state.commits

    first = await approve(booking, extension.id, token=token)  # type: ignore[arg-type]
    again = await approve(booking, extension.id, token=token)  # type: ignore[arg-type]

    assert (first.status, again.status) == (ExtensionStatus.PAID, ExtensionStatus.PAID)
    assert [key for key, _ in charges.calls] == [f"extension:{extension.id}"]
    assert charges.commits_before == [commits + 1]  # the approval was committed before the charge
    assert app.state.extensions[extension.id].status is ExtensionStatus.PAID


async def test_a_failed_charge_records_the_reason_and_a_new_approval_is_a_new_attempt() -> None:
    app = build()
    propose, approve, charges = handlers(app)
    charges.results = [ChargeResult(paid=False, payment_ref="pi_1", reason="authentication_required: ...")]
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
    failed = await approve(booking, extension.id, token=token)  # type: ignore[arg-type]
    assert (failed.status, failed.failure_reason) == (ExtensionStatus.FAILED, "authentication_required: ...")
    retried = await approve(booking, extension.id, token=token)  # type: ignore[arg-type]
    assert retried.status is ExtensionStatus.PAID
    assert [key for key, _ in charges.calls] == [f"extension:{extension.id}", f"extension:{extension.id}:2"]


async def test_refusals() -> None:
    app = build()
    propose, approve, charges = handlers(app)
    unpaid = await app.create(a_booking(start=TUESDAY_TEN + timedelta(hours=3)))
    with pytest.raises(ExtensionNotAllowed):
        await propose(ProposeExtension(unpaid.booking_id, "Wax", 500))
    booking, token = await paid(app)
    with pytest.raises(InvalidRequest):
        await propose(ProposeExtension(booking, "Wax", 10_000_001))  # type: ignore[arg-type]
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await approve(booking, extension.id, token="wrong")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await approve(booking, uuid4(), token=token)  # type: ignore[arg-type]
    stored = app.state.extensions[extension.id]
    stored.status = ExtensionStatus.DECLINED
    with pytest.raises(IllegalTransition):
        await approve(booking, extension.id, token=token)  # type: ignore[arg-type]
    assert charges.calls == []
