"""A provider's settings read from the environment: each names its variables (the names its users
already use), parses them, and checks them at start; a bad value stops the start naming the variable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

import msgspec

# (environment variable, field, parse): parse raises ValueError for a value it cannot read.
Variable = tuple[str, str, Callable[[str], Any]]


class SettingsError(ValueError):
    pass


class ProviderSettings(msgspec.Struct, frozen=True, kw_only=True):
    """A provider's own settings. `mode` is how /health names it: `connected` with its credentials,
    `mock` without them (a provider that can be switched off may also say `disabled`)."""

    VARIABLES: ClassVar[tuple[Variable, ...]] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """Parsed only; `check` runs once every setting of the hub is read."""
        return cls(**read(env, cls.VARIABLES))

    def check(self) -> None:
        """Raises SettingsError naming the variable that is missing or wrong."""

    @property
    def mode(self) -> str:
        return "mock"


def read(env: Mapping[str, str], variables: tuple[Variable, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, key, parse in variables:
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[key] = parse(raw)
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from exc
    return values


def boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def require_url(name: str, value: str | None) -> None:
    """An unset value passes: whether it must be set is the provider's own rule."""
    if value is not None and not value.startswith(("http://", "https://")):
        raise SettingsError(f"{name}: must be an http:// or https:// URL")
