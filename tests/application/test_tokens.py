"""Booking tokens: random, URL-safe, stored as a hash, sealed for replays with the Idempotency-Key."""

from __future__ import annotations

import base64
import re

import pytest

from application.tokens import (
    idempotency_key_hash,
    new_token,
    open_token,
    seal_token,
    token_hash,
    token_matches,
)

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_a_new_token_is_43_url_safe_characters_holding_256_bits() -> None:
    token = new_token()

    assert len(token) == 43
    assert URL_SAFE.match(token)
    assert len(base64.urlsafe_b64decode(token + "=")) == 32


def test_new_tokens_do_not_repeat() -> None:
    assert len({new_token() for _ in range(1000)}) == 1000


def test_a_token_matches_only_its_own_hash() -> None:
    token, other = new_token(), new_token()
    stored = token_hash(token)

    assert token_matches(token, stored)
    assert not token_matches(other, stored)
    assert not token_matches("", stored)
    assert not token_matches(token[:-1], stored)
    assert not token_matches(token, b"")


def test_the_stored_hash_does_not_contain_the_token() -> None:
    token = new_token()

    assert token.encode() not in token_hash(token)
    assert len(token_hash(token)) == 32


def test_a_sealed_token_opens_with_the_same_idempotency_key() -> None:
    token = new_token()

    sealed = seal_token(token, "key-1")

    assert open_token(sealed, "key-1") == token


def test_a_sealed_token_does_not_open_with_another_idempotency_key() -> None:
    token = new_token()

    sealed = seal_token(token, "key-1")

    assert open_token(sealed, "key-2") != token
    assert open_token(sealed, "KEY-1") != token


def test_a_sealed_token_does_not_reveal_the_token() -> None:
    token = new_token()

    sealed = seal_token(token, "key-1")

    assert len(sealed) == 32
    assert sealed != base64.urlsafe_b64decode(token + "=")
    assert token.encode() not in sealed


def test_only_a_token_of_256_bits_can_be_sealed() -> None:
    sixteen_bytes = base64.urlsafe_b64encode(bytes(16)).rstrip(b"=").decode()

    with pytest.raises(ValueError, match="zip"):
        seal_token(sixteen_bytes, "key-1")


def test_the_idempotency_key_is_stored_as_a_hash() -> None:
    assert idempotency_key_hash("key-1") == idempotency_key_hash("key-1")
    assert idempotency_key_hash("key-1") != idempotency_key_hash("key-2")
    assert "key-1" not in idempotency_key_hash("key-1")
