"""Proposing and approving extensions on in-memory fakes: one charge per attempt, outside transactions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import uuid4

import pytest

from application.errors import InvalidRequest, NotFound
from application.payments.commands import (
    ExtensionPaid,
    PaymentOutcome,
    PaymentSession,
    PaymentSucceeded,
    ProposeExtension,
)
from application.payments.extensions import (
    ApproveExtension,
    DeclineExtension,
    ExtensionNotAllowed,
    PayExtension,
    ProposeExtensionHandler,
)
from application.payments.ports import ChargeResult, SavedCard
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


def handlers(app: Handlers) -> tuple[ProposeExtensionHandler, ApproveExtension, ScriptedCharges]:
    charges = ScriptedCharges(app=app)
    return (
        ProposeExtensionHandler(app.uow, app.clock),
        ApproveExtension(app.uow, {charges.provider: charges}, app.clock),
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


async def test_an_extension_of_a_booking_cancelled_since_its_proposal_is_refused_and_never_charged() -> None:
    app = build()
    propose, approve, charges = handlers(app)
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
    await app.cancel(booking, token=token, admin=False)  # type: ignore[arg-type]
    with pytest.raises(ExtensionNotAllowed):
        await approve(booking, extension.id, token=token)  # type: ignore[arg-type]
    assert charges.calls == []
    assert app.state.extensions[extension.id].status is ExtensionStatus.PROPOSED


async def test_a_declined_extension_is_saved_declined_and_a_later_approval_charges_nothing() -> None:
    app = build()
    propose, approve, charges = handlers(app)
    decline = DeclineExtension(app.uow, app.clock)
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]

    declined = await decline(booking, extension.id, token=token)  # type: ignore[arg-type]
    commits = app.state.commits
    again = await decline(booking, extension.id, token=token)  # type: ignore[arg-type]

    assert (declined.status, again.status) == (ExtensionStatus.DECLINED, ExtensionStatus.DECLINED)
    assert app.state.commits == commits  # declining again writes nothing
    assert app.state.extensions[extension.id].status is ExtensionStatus.DECLINED
    with pytest.raises(IllegalTransition):
        await approve(booking, extension.id, token=token)  # type: ignore[arg-type]
    assert charges.calls == []
    assert app.state.extensions[extension.id].status is ExtensionStatus.DECLINED


async def test_an_extension_whose_charge_failed_can_be_declined() -> None:
    app = build()
    propose, approve, charges = handlers(app)
    charges.results = [ChargeResult(paid=False, payment_ref="pi_1", reason="card_declined: ...")]
    decline = DeclineExtension(app.uow, app.clock)
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
    await approve(booking, extension.id, token=token)  # type: ignore[arg-type]

    declined = await decline(booking, extension.id, token=token)  # type: ignore[arg-type]

    assert declined.status is ExtensionStatus.DECLINED
    assert app.state.extensions[extension.id].status is ExtensionStatus.DECLINED


@pytest.mark.parametrize("status", [ExtensionStatus.APPROVED, ExtensionStatus.PAID])
async def test_an_extension_being_charged_or_paid_cannot_be_declined(status: ExtensionStatus) -> None:
    app = build()
    propose, _approve, _charges = handlers(app)
    decline = DeclineExtension(app.uow, app.clock)
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
    app.state.extensions[extension.id].status = status

    with pytest.raises(IllegalTransition) as raised:
        await decline(booking, extension.id, token=token)  # type: ignore[arg-type]

    assert raised.value.code == "illegal_transition"
    assert app.state.extensions[extension.id].status is status


async def test_declining_with_a_wrong_token_or_another_bookings_extension_is_not_found() -> None:
    app = build()
    propose, _approve, _charges = handlers(app)
    decline = DeclineExtension(app.uow, app.clock)
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await decline(booking, extension.id, token="wrong")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await decline(booking, uuid4(), token=token)  # type: ignore[arg-type]
    assert app.state.extensions[extension.id].status is ExtensionStatus.PROPOSED


async def test_a_refusal_that_answers_after_the_customer_declined_leaves_it_declined() -> None:
    """Two approvals of one attempt race: the second one's refusal is recorded, the customer declines,
    then the first one's (identical) refusal comes back. The extension stays declined."""
    app = build()
    propose, approve, charges = handlers(app)
    decline = DeclineExtension(app.uow, app.clock)
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
    refused = ChargeResult(paid=False, payment_ref="pi_1", reason="card_declined: ...")
    charges.results = [refused, refused]
    first_charge = charges.charge

    async def meanwhile(ext: Extension, card: SavedCard, *, idempotency_key: str) -> ChargeResult:
        charges.charge = first_charge  # type: ignore[method-assign]
        assert (await approve(booking, extension.id, token=token)).status is ExtensionStatus.FAILED  # type: ignore[arg-type]
        assert (await decline(booking, extension.id, token=token)).status is ExtensionStatus.DECLINED  # type: ignore[arg-type]
        return await first_charge(ext, card, idempotency_key=idempotency_key)

    charges.charge = meanwhile  # type: ignore[method-assign]
    answered = await approve(booking, extension.id, token=token)  # type: ignore[arg-type]

    assert answered.status is ExtensionStatus.DECLINED
    assert app.state.extensions[extension.id].status is ExtensionStatus.DECLINED
    assert [key for key, _ in charges.calls] == [f"extension:{extension.id}"] * 2


@dataclass
class OpenedSessions:
    """An on-session payment that records each key and answers one session per key."""

    provider = "sandbox"
    customer_key = None
    keys: list[str] = field(default_factory=list)

    async def open(
        self, extension: Extension, booking: object, *, idempotency_key: str, customer_ref: str | None
    ) -> PaymentSession:
        self.keys.append(idempotency_key)
        return PaymentSession("sandbox", url=f"https://pay.test/{idempotency_key}", reference=idempotency_key)


async def test_a_checkout_paid_while_the_off_session_charge_runs_pays_it_and_the_charge_is_refunded() -> None:
    """Both the off-session charge and the customer's checkout went through: the first to be recorded
    pays the extension, the other is refunded on its own, and the booking keeps its own payment."""
    app = build()
    propose, _approve, _charges = handlers(app)
    booking, token = await paid(app)
    extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
    pay = PayExtension(app.uow, {"sandbox": OpenedSessions()}, app.clock)
    opened = await pay(booking, extension.id, token=token)  # type: ignore[arg-type]
    assert (opened.extension.status, opened.extension.session_ref) == (
        ExtensionStatus.PROPOSED,
        f"extension:{extension.id}:session:0",
    )

    class ChargedWhileTheCheckoutIsPaid(ScriptedCharges):
        async def charge(self, ext: Extension, card: SavedCard, *, idempotency_key: str) -> ChargeResult:
            paid_on_session = ExtensionPaid(
                "sandbox", "evt-co", ext.booking_id, ext.id, 500, "EUR", "pi_checkout"
            )
            assert await app.payment_event(paid_on_session) is PaymentOutcome.APPLIED
            return ChargeResult(paid=True, payment_ref="pi_off_session")

    approve = ApproveExtension(app.uow, {"sandbox": ChargedWhileTheCheckoutIsPaid(app=app)}, app.clock)
    approved = await approve(booking, extension.id, token=token)  # type: ignore[arg-type]

    assert (approved.status, approved.payment_ref) == (ExtensionStatus.PAID, "pi_checkout")
    [refund] = [m for m in app.state.outbox if m.topic == "sandbox.refund"]
    assert (refund.idempotency_key, refund.payload) == (
        f"refund:{booking}:sandbox:pi_off_session",
        {"payment_ref": "pi_off_session"},
    )
    assert app.state.bookings[booking].payment_status.value == "paid"  # type: ignore[index]


async def test_paying_on_session_is_refused_while_the_extension_is_charged_or_after_it_was_declined() -> None:
    app = build()
    propose, _approve, _charges = handlers(app)
    booking, token = await paid(app)
    sessions = OpenedSessions()
    pay = PayExtension(app.uow, {"sandbox": sessions}, app.clock)
    for status in (ExtensionStatus.APPROVED, ExtensionStatus.DECLINED):
        extension = await propose(ProposeExtension(booking, "Wax", 500))  # type: ignore[arg-type]
        app.state.extensions[extension.id].status = status
        with pytest.raises(IllegalTransition):
            await pay(booking, extension.id, token=token)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await pay(booking, extension.id, token="wrong")  # type: ignore[arg-type]
    assert sessions.keys == []
