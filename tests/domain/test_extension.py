"""The extension state machine: the table decides which moves exist, repeats change nothing."""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest

from domain.catalog import Money
from domain.errors import IllegalTransition
from domain.extension import (
    EXTENSION_TRANSITIONS,
    PAYABLE_ON_SESSION,
    Extension,
    ExtensionStatus,
    InvalidExtension,
    Received,
)
from tests.domain.builders import NOW, minutes

E = ExtensionStatus
PAIRS = [(s, t) for s, t in itertools.product(E, E) if s is not t]
LATER = NOW + minutes(5)


def an_extension(status: E = E.PROPOSED) -> Extension:
    extension = Extension.propose(
        id=uuid4(), booking_id=uuid4(), description="New brake pads", price=Money(12000, "EUR"), now=NOW
    )
    extension.status = status
    return extension


def move(extension: Extension, target: E) -> bool:
    if target is E.APPROVED:
        return extension.approve(now=LATER)
    if target is E.DECLINED:
        return extension.decline(now=LATER)
    if target is E.PAID:
        return extension.mark_paid(payment_ref="pi_1", now=LATER)
    if target is E.PROPOSED:
        return extension._move_to(E.PROPOSED, now=LATER)
    return extension.mark_failed(reason="authentication_required", payment_ref="pi_1", now=LATER)


def test_the_table_is_the_one_the_design_names() -> None:
    assert {
        E.PROPOSED: {E.APPROVED, E.DECLINED, E.PAID},  # paid: on-session, instead of approving
        E.APPROVED: {E.PAID, E.FAILED},
        E.FAILED: {E.APPROVED, E.DECLINED, E.PAID},  # paid: on-session, after a refused charge
        E.PAID: set(),
        E.DECLINED: set(),
    } == EXTENSION_TRANSITIONS


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_a_move_happens_exactly_when_the_table_allows_it(current: E, target: E) -> None:
    extension = an_extension(current)
    if current is E.PAID and target is E.APPROVED:
        assert move(extension, target) is False  # approving a paid extension again is a repeat
        assert extension.status is E.PAID
    elif target in EXTENSION_TRANSITIONS[current]:
        assert move(extension, target) is True
        assert (extension.status, extension.updated_at) == (target, LATER)
    else:
        with pytest.raises(IllegalTransition) as raised:
            move(extension, target)
        assert raised.value.code == "illegal_transition"
        assert (extension.status, extension.updated_at) == (current, NOW)


@pytest.mark.parametrize("status", list(E))
def test_re_applying_the_current_state_is_a_no_op(status: E) -> None:
    extension = an_extension(status)
    assert move(extension, status) is False
    assert (extension.status, extension.updated_at) == (status, NOW)


def test_a_failure_keeps_a_short_reason_and_a_retry_clears_it() -> None:
    extension = an_extension(E.APPROVED)
    extension.mark_failed(reason="x" * 500, payment_ref="pi_1", now=LATER)
    assert extension.failure_reason == "x" * 200
    extension.approve(now=LATER)
    assert (extension.status, extension.failure_reason) == (E.APPROVED, None)


@pytest.mark.parametrize(("description", "amount"), [("", 100), ("  ", 100), ("ok", 0), ("ok", 10_000_001)])
def test_a_proposal_needs_a_description_and_an_amount_in_range(description: str, amount: int) -> None:
    with pytest.raises(InvalidExtension) as raised:
        Extension.propose(
            id=uuid4(), booking_id=uuid4(), description=description, price=Money(amount, "EUR"), now=NOW
        )
    assert raised.value.code == "invalid_extension"


def test_each_attempt_has_its_own_charge_key() -> None:
    extension = an_extension()
    extension.approve(now=LATER)
    assert (extension.attempts, extension.charge_key) == (1, f"extension:{extension.id}")
    extension.approve(now=LATER)  # a repeat of the same attempt
    assert extension.charge_key == f"extension:{extension.id}"
    extension.mark_failed(reason="card_declined", payment_ref=None, now=LATER)
    extension.approve(now=LATER)
    assert (extension.attempts, extension.charge_key) == (2, f"extension:{extension.id}:2")


@pytest.mark.parametrize("status", list(E))
def test_an_on_session_payment_opens_only_for_a_proposed_or_failed_extension(status: E) -> None:
    extension = an_extension(status)
    if status in (E.PROPOSED, E.FAILED):
        extension.check_payable_on_session()
    else:
        with pytest.raises(IllegalTransition):
            extension.check_payable_on_session()
    assert {E.PROPOSED, E.FAILED} == PAYABLE_ON_SESSION


def test_the_session_key_follows_the_attempt_and_the_status_stays_while_a_session_is_open() -> None:
    extension = an_extension()
    assert extension.session_key == f"extension:{extension.id}:session:0"
    assert extension.record_session("cs_1", attempt=0, now=LATER) is True
    assert (extension.status, extension.session_ref) == (E.PROPOSED, "cs_1")
    assert extension.record_session("cs_1", attempt=0, now=LATER) is False  # the same session again
    extension.approve(now=LATER)
    extension.mark_failed(reason="authentication_required", payment_ref="pi_1", now=LATER)
    assert extension.session_key == f"extension:{extension.id}:session:1"
    assert extension.record_session("cs_2", attempt=0, now=LATER) is False  # opened for an older attempt
    assert extension.record_session("cs_2", attempt=1, now=LATER) is True
    assert (extension.status, extension.session_ref) == (E.FAILED, "cs_2")


@pytest.mark.parametrize("status", [E.PROPOSED, E.APPROVED, E.FAILED])
def test_the_first_payment_pays_the_extension_the_same_again_is_a_repeat_another_goes_back(
    status: E,
) -> None:
    extension = an_extension(status)
    extension.failure_reason = "authentication_required" if status is E.FAILED else None
    assert extension.receive_payment(payment_ref="pi_checkout", now=LATER) is Received.PAID
    assert (extension.status, extension.payment_ref, extension.failure_reason) == (
        E.PAID,
        "pi_checkout",
        None,
    )
    assert extension.receive_payment(payment_ref="pi_checkout", now=LATER) is Received.REPEAT
    assert extension.receive_payment(payment_ref="pi_off_session", now=LATER) is Received.RETURNED
    assert (extension.status, extension.payment_ref) == (E.PAID, "pi_checkout")


def test_a_payment_for_a_declined_extension_goes_back_and_it_stays_declined() -> None:
    extension = an_extension(E.DECLINED)
    assert extension.receive_payment(payment_ref="pi_late", now=LATER) is Received.RETURNED
    assert extension.status is E.DECLINED


@pytest.mark.parametrize(
    ("status", "after"), [(E.PROPOSED, E.PROPOSED), (E.FAILED, E.FAILED), (E.APPROVED, E.FAILED)]
)
def test_a_payment_for_a_booking_that_is_over_goes_back_and_a_charge_in_flight_ends_failed(
    status: E, after: E
) -> None:
    extension = an_extension(status)
    assert extension.receive_payment(payment_ref="pi_late", now=LATER, booking_over=True) is Received.RETURNED
    assert extension.status is after
    if status is E.APPROVED:
        assert extension.failure_reason is not None
        assert extension.failure_reason.startswith("booking_over")
