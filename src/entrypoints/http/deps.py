"""`Inject[T]`: a dependency named by its parameter, taken from the container attribute of that name.

The table of dependencies is built from the routes themselves: every parameter a route marks `Inject`
must name a provider of the container, checked when the app is built, so a wrong name stops the start
instead of answering 500 at the first request; nothing is provided that no route asks for.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeAlias, TypeVar, get_args, get_origin

from dependency_injector import providers
from litestar.controller import Controller
from litestar.di import Dependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import SkipValidationMarker

T = TypeVar("T")

Inject: TypeAlias = Annotated[T, Dependency(kind="named"), SkipValidationMarker()]


class UnknownDependency(LookupError):
    """A route asks for a dependency the container does not provide."""


def dependency_table(container: object, routes: Iterable[object]) -> dict[str, Provide]:
    table: dict[str, Provide] = {}
    for name, route in sorted(_injected(routes)):
        provider = getattr(container, name, None)
        if not isinstance(provider, providers.Provider):
            raise UnknownDependency(f"{route} asks for {name!r}, which the container does not provide")
        table[name] = _provide(provider)
    return table


def _injected(routes: Iterable[object]) -> set[tuple[str, str]]:
    """(parameter, route) for each parameter a route handler marks `Inject`."""
    found = set()
    for handler in _handlers(routes):
        hints = typing.get_type_hints(handler.fn, include_extras=True)
        for name, hint in hints.items():
            if get_origin(hint) is Annotated and any(isinstance(m, Dependency) for m in get_args(hint)[1:]):
                found.add((name, handler.handler_name))
    return found


def _handlers(routes: Iterable[object]) -> Iterable[HTTPRouteHandler]:
    for route in routes:
        if isinstance(route, HTTPRouteHandler):
            yield route
        elif isinstance(route, type) and issubclass(route, Controller):
            yield from (v for v in vars(route).values() if isinstance(v, HTTPRouteHandler))


def _provide(provider: Callable[[], Any]) -> Provide:
    def dependency() -> object:
        return provider()

    return Provide(dependency, sync_to_thread=False, use_cache=True)
