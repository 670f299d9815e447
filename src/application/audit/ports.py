"""Who is acting: the actor a unit of work writes into the audit trail. A driving adapter that knows its
user (the staff console) runs use cases inside `acting_as("staff:<id>")`; everything else acts as
`system`. A context variable, so the use cases need no extra argument and a concurrent request never
sees another's actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

SYSTEM = "system"
_actor: ContextVar[str] = ContextVar("bookhub_actor", default=SYSTEM)


def current_actor() -> str:
    return _actor.get()


def staff_actor(staff_id: UUID) -> str:
    return f"staff:{staff_id}"


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)
