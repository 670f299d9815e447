"""`Inject[T]`: a dependency named by its parameter, passed through without validation (it is ours)."""

from __future__ import annotations

from typing import Annotated, TypeAlias, TypeVar

from litestar.di import Dependency
from litestar.params import SkipValidationMarker

T = TypeVar("T")

Inject: TypeAlias = Annotated[T, Dependency(kind="named"), SkipValidationMarker()]
