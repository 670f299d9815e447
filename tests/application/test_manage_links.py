"""Manage links: signed over the booking's id and current token hash, opening only their booking."""

from __future__ import annotations

import uuid

import pytest

from adapters.memory.secret_keys import StaticSecretKeys
from application.manage_links import ManageLinks
from application.tokens import ManageGrant, new_token, opens, token_hash

BASE = "https://book.example.com"


@pytest.fixture
def links() -> ManageLinks:
    return ManageLinks(StaticSecretKeys("one key"), BASE + "/")


async def _opaque(links: ManageLinks, booking_id: uuid.UUID, stored: bytes) -> str:
    url = await links.url(booking_id, stored)
    assert url.startswith(f"{BASE}/manage/")
    return url.rsplit("/", 1)[1]


async def test_a_link_opens_its_booking_and_no_other(links: ManageLinks) -> None:
    booking, other = uuid.uuid4(), uuid.uuid4()
    stored = token_hash(new_token())
    grant = await links.grant_of_link(await _opaque(links, booking, stored))

    assert grant is not None
    assert grant.booking_id == booking
    assert opens(grant, booking, stored)
    assert not opens(grant, other, stored)
    assert grant.signature.hex() not in repr(grant)
    assert str(grant.signature) not in repr(grant)


async def test_replacing_the_token_hash_revokes_the_link_and_the_cookie(links: ManageLinks) -> None:
    booking, stored = uuid.uuid4(), token_hash(new_token())
    link = await links.grant_of_link(await _opaque(links, booking, stored))
    cookie = await links.grant_of_cookie(booking, await links.cookie(booking, stored))
    erased = token_hash(new_token())

    assert link is not None
    assert cookie is not None
    assert opens(link, booking, stored)
    assert opens(cookie, booking, stored)
    assert not opens(link, booking, erased)
    assert not opens(cookie, booking, erased)


async def test_a_link_does_not_pass_for_a_cookie_nor_a_cookie_for_a_link(links: ManageLinks) -> None:
    booking, stored = uuid.uuid4(), token_hash(new_token())
    opaque = await _opaque(links, booking, stored)
    cookie = await links.cookie(booking, stored)

    as_cookie = await links.grant_of_cookie(booking, opaque)
    assert as_cookie is None or not opens(as_cookie, booking, stored)
    link_grant = await links.grant_of_link(opaque)
    assert link_grant is not None
    full = await links.grant_of_cookie(booking, cookie)
    assert full is not None
    assert not opens(ManageGrant(booking, full.signature[:16], full.key, "link"), booking, stored)


async def test_a_tampered_link_is_refused(links: ManageLinks) -> None:
    booking, stored = uuid.uuid4(), token_hash(new_token())
    opaque = await _opaque(links, booking, stored)
    flipped = opaque[:-1] + ("B" if opaque[-1] != "B" else "C")  # also the spellings of the same bytes
    for tampered in (flipped, opaque[:-2], opaque + "A", opaque + "=", "!" + opaque, "", "x" * 300):
        grant = await links.grant_of_link(tampered)
        assert grant is None or not opens(grant, booking, stored), tampered


async def test_another_key_makes_other_links(links: ManageLinks) -> None:
    booking, stored = uuid.uuid4(), token_hash(new_token())
    elsewhere = ManageLinks(StaticSecretKeys("another key"), BASE)
    grant = await elsewhere.grant_of_link(await _opaque(links, booking, stored))

    assert grant is not None
    assert not opens(grant, booking, stored)


def test_a_grant_shorter_than_128_bits_opens_nothing() -> None:
    booking = uuid.uuid4()
    assert not opens(ManageGrant(booking, b"", b"k"), booking, b"")
    assert not opens(ManageGrant(booking, b"\0" * 8, b"k"), booking, b"")
