"""Route dispatch that looks only at the routes a path can match.

Starlette's router tries every route's regex in order; with every surface's routes that is
dozens of regex matches per request, most of them hopeless. :class:`IndexedRouter` keeps
Starlette's semantics exactly (the first full match wins, else the first partial one, i.e. a
405; routes are tried in declaration order) but tries only the *candidates* for the path:

* a path that is some route's fixed path (``/v2/bookings``) gets, precomputed, every route
  whose pattern matches that path;
* any other path gets the routes whose fixed leading segments equal the path's first one or
  two segments (``/v2/bookings/{uid}`` for ``/v2/bookings/abc``), plus routes with no fixed
  leading segment at all, in declaration order.

A route the index cannot read (not a plain ``Route`` or ``Mount``) is a candidate for every
path. A path with no candidate that matches goes to Starlette's own router, unchanged (slash
redirects, the 404 handler). The index is rebuilt whenever the route list changes, so routes
added the usual way (a surface's ``routes`` list, ``app.add_route``) are always dispatched.

:class:`LazyRoutes` stands in the list for routes imported on first need (the API v2 surface:
``serve`` answers its first request without importing it). Every route it stands for matches
only paths under one first segment (``/v2``). The router puts them in its place, in the same
list and order, before it looks for candidates of such a path, and before anyone reads
:attr:`IndexedRouter.routes`; a path under another segment cannot match them, so until then it
is dispatched as it would be with them. Either way the answer is the one the full list gives.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route, Router
from starlette.types import Receive, Scope, Send

#: (first segment, second segment) of a path; the second is None for one-segment paths.
_Key = tuple[str, str | None]


class LazyRoutes(BaseRoute):
    """Routes that ``load`` returns (importing them), all matching only paths whose first
    segment is ``segment``: a stand-in at their place in an :class:`IndexedRouter`'s list,
    which replaces it by them when a path under ``segment`` comes (see the module doc)."""

    def __init__(self, segment: str, load: Callable[[], Sequence[BaseRoute]]) -> None:
        self.segment = segment
        self.load = load

    def covers(self, path: str) -> bool:
        """Whether a route it stands for could match ``path`` (its first segment)."""
        return _key(path)[0] == self.segment

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] in ("http", "websocket") and self.covers(get_route_path(scope)):
            # The router expands before matching such a path: reaching here is a bug.
            raise RuntimeError(f"routes under /{self.segment} asked before they were loaded")
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        # Reading the router's routes loads these, so a router never asks this.
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("a LazyRoutes never matches")  # pragma: no cover - see matches

    def __repr__(self) -> str:
        return f"{type(self).__name__}(segment={self.segment!r})"


def _fixed_segments(route: BaseRoute) -> tuple[str, ...] | None:
    """The leading path segments every path this route matches must have, or ``None`` when
    the route cannot be read (matches anything, as far as the index knows)."""
    if type(route) is LazyRoutes:
        return (route.segment,)
    if type(route) is Route:
        pattern = route.path
    elif type(route) is Mount:
        pattern = route.path + "/{path:path}"
    else:
        return None
    fixed = pattern.split("{", 1)[0]
    parts = fixed.split("/")[1:]
    if "{" in pattern:
        parts = parts[:-1]  # the last piece runs into a parameter: not a whole segment
    return tuple(parts)


def _matches_path(route: BaseRoute, path: str) -> bool:
    if isinstance(route, Route | Mount):
        return route.path_regex.match(path) is not None
    if isinstance(route, LazyRoutes):
        return route.covers(path)
    return True


#: The regular expressions of Starlette's ``str``, ``int``, ``float`` and ``uuid`` path
#: convertors: each matches within one segment (no ``/``).
_ONE_SEGMENT = frozenset({
    "[^/]+", "[0-9]+", r"[0-9]+(\.[0-9]+)?",
    "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"})


def _tail_shape(route: BaseRoute) -> tuple[str, str] | None:
    """``(head, name)`` for a plain route with methods whose pattern is a fixed ``head`` of at
    least two segments, then ``/{name}`` (a ``str`` parameter), compiled as Starlette does;
    else ``None``."""
    if type(route) is not Route or route.methods is None:
        return None
    head, slash, last = route.path.rpartition("/")
    if not slash or "{" in head or head.count("/") < 2:
        return None
    names = list(route.param_convertors)
    if len(names) != 1 or last not in (f"{{{names[0]}}}", f"{{{names[0]}:str}}"):
        return None
    name = names[0]
    expected = "^" + re.escape(head + "/") + "(?P<" + name + ">[^/]+)$"
    if route.path_regex.pattern != expected or route.param_convertors[name].regex != "[^/]+":
        return None
    return head, name


def _cannot_take(route: BaseRoute, head: str, method: str) -> bool:
    """Whether ``route`` matches no path ``head/<tail>`` fully for ``method``, where the path is
    no fixed route's path and ``tail`` is one segment without a line feed (the terms of
    :attr:`_Index.tail`). ``False`` when that cannot be seen from its pattern."""
    if type(route) is not Route:
        return False
    if route.methods is not None and method not in route.methods:
        return True  # at most a partial match, which a later full one overrides
    if "{" not in route.path:
        # Its regex matches its path, or its path and a line feed (``$``): neither is such
        # a path (no fixed route's path; the tail has no line feed).
        return True
    fixed = route.path.split("{", 1)[0]
    prefix = head + "/"
    if not fixed.startswith(prefix) and not prefix.startswith(fixed):
        return True  # the two fixed starts differ within both
    # Every parameter within one segment: it matches only paths with its own count of ``/``
    # (a path ending in no line feed: ``$`` matches only at its end).
    return (all(c.regex in _ONE_SEGMENT for c in route.param_convertors.values())
            and route.path_format.count("/") != prefix.count("/"))


def _key(path: str) -> _Key:
    parts = path.split("/", 3)
    return (parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else None)


class _Index:
    # A plain class: defining a dataclass costs more at import than this module's other work
    # (serve's start-up), and nothing here uses the methods it would generate.
    def __init__(self, source: list[BaseRoute], size: int) -> None:
        #: The router's route list (the object itself) and its length when the index was built.
        self.source = source
        self.size = size
        #: A route's fixed path -> every route whose pattern matches it, in order.
        self.exact: dict[str, list[BaseRoute]] = {}
        self.by_two: dict[tuple[str, str], list[BaseRoute]] = {}
        self.by_one: dict[str, list[BaseRoute]] = {}
        self.anywhere: list[BaseRoute] = []
        #: (fixed path, method) -> the plain parameterless route a full scan would pick for it,
        #: where every route before it in the scan is a plain route too (so none of them could
        #: match fully: they can only make a 405 candidate, which a full match overrides).
        self.direct: dict[tuple[str, str], Route] = {}
        #: (head, method) -> (route, parameter name): the route a full scan picks for any path
        #: ``head + "/" + tail`` that is no route's fixed path, where ``tail`` is one segment
        #: without a line feed. The route's pattern is ``head`` then one ``str`` parameter,
        #: and every route the scan tries before it can be seen not to match such a path
        #: fully (:func:`_cannot_take`): the parametrised counterpart of :attr:`direct`.
        self.tail: dict[tuple[str, str], tuple[Route, str]] = {}
        #: The first segments of the routes not loaded yet (:class:`LazyRoutes`).
        self.lazy: frozenset[str] = frozenset()

    @classmethod
    def build(cls, routes: list[BaseRoute]) -> _Index:
        index = cls(routes, len(routes))
        index.lazy = frozenset(r.segment for r in routes if type(r) is LazyRoutes)
        two: dict[tuple[str, str], list[tuple[int, BaseRoute]]] = {}
        one: dict[str, list[tuple[int, BaseRoute]]] = {}
        anywhere: list[tuple[int, BaseRoute]] = []
        for position, route in enumerate(routes):
            fixed = _fixed_segments(route)
            if fixed is None or not fixed:
                anywhere.append((position, route))
            elif len(fixed) == 1:
                one.setdefault(fixed[0], []).append((position, route))
            else:
                two.setdefault((fixed[0], fixed[1]), []).append((position, route))

        def merged(*groups: list[tuple[int, BaseRoute]]) -> list[BaseRoute]:
            return [route for _, route in sorted((item for g in groups for item in g),
                                                 key=lambda item: item[0])]

        index.anywhere = merged(anywhere)
        index.by_one = {first: merged(items, anywhere) for first, items in one.items()}
        index.by_two = {key: merged(items, one.get(key[0], []), anywhere)
                        for key, items in two.items()}
        for route in routes:
            path = route.path if type(route) is Route else "{"
            if "{" not in path and path not in index.exact:
                # Only a path's grouped candidates can match it: test those, not every route.
                index.exact[path] = [r for r in index.grouped(path) if _matches_path(r, path)]
        for path, candidates in index.exact.items():
            methods = {m for r in candidates if type(r) is Route for m in (r.methods or ())}
            for method in methods:
                for r in candidates:
                    if type(r) is not Route or r.methods is None:
                        break
                    if method in r.methods:
                        if "{" not in r.path:
                            index.direct[(path, method)] = r
                        break
        if not index.lazy:
            # With routes still to load, a path under their segment must reach ``candidates``
            # (which loads them): no tail table until then.
            index._build_tail()
        return index

    def _build_tail(self) -> None:
        seen: set[tuple[str, str]] = set()
        for route in self.source:
            shape = _tail_shape(route)
            if shape is None:
                continue
            head, name = shape
            assert type(route) is Route  # _tail_shape's terms
            assert route.methods is not None
            # Every path ``head/<segment>`` has these candidates (head fixes its two keys).
            candidates = self.grouped(head + "/x")
            before = candidates[:next(at for at, r in enumerate(candidates) if r is route)]
            for method in route.methods:
                if (head, method) in seen:
                    continue  # an earlier route of this shape serves it (or blocks it)
                seen.add((head, method))
                if all(_cannot_take(other, head, method) for other in before):
                    self.tail[(head, method)] = (route, name)

    def candidates(self, path: str) -> list[BaseRoute]:
        exact = self.exact.get(path)
        if exact is not None:
            return exact
        return self.grouped(path)

    def grouped(self, path: str) -> list[BaseRoute]:
        """The routes whose fixed leading segments fit ``path``, in order: every route that
        can match it, and others."""
        if path[-1:] == "\n":
            # A route's ``$`` also matches before a final line feed, so ``/v2/bookings\n``
            # is ``/v2/bookings``'s (under another key): such a path tries every route.
            return self.source
        first, second = _key(path)
        if second is not None:
            found = self.by_two.get((first, second))
            if found is not None:
                return found
        return self.by_one.get(first, self.anywhere)


class IndexedRouter(Router):
    """Starlette's router, trying only each path's candidate routes (see the module doc)."""

    _index: _Index | None = None
    _routes: list[BaseRoute]
    _expanding = threading.Lock()

    @property
    def routes(self) -> list[BaseRoute]:
        """Every route, in order; routes not loaded yet are loaded first."""
        if self._current().lazy:
            self.expand()
        return self._routes

    @routes.setter
    def routes(self, routes: list[BaseRoute]) -> None:
        self._routes = routes

    def expand(self) -> None:
        """Put every :class:`LazyRoutes` stand-in's routes in its place (the same list)."""
        with self._expanding:
            routes = self._routes
            at = 0
            while at < len(routes):
                route = routes[at]
                if type(route) is LazyRoutes:
                    loaded = list(route.load())
                    routes[at:at + 1] = loaded
                    at += len(loaded)
                else:
                    at += 1
            self._index = None

    def _current(self) -> _Index:
        index = self._index
        if index is None or index.source is not self._routes or index.size != len(self._routes):
            index = self._index = _Index.build(self._routes)
        return index

    def candidates(self, path: str) -> list[BaseRoute]:
        """The routes that may match ``path``, in declaration order."""
        index = self._index
        if index is None or index.source is not self._routes or index.size != len(self._routes):
            index = self._current()
        if index.lazy and _key(path)[0] in index.lazy:
            self.expand()
            index = self._current()
        return index.candidates(path)

    def _direct(self, path: str, method: str) -> Route | None:
        index = self._index
        if index is None or index.source is not self._routes or index.size != len(self._routes):
            return None
        return index.direct.get((path, method))

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        # get_route_path, with its common case (no root path) in this frame.
        route_path = scope["path"] if not scope.get("root_path") else get_route_path(scope)
        index = self._index
        if index is not None and index.source is self._routes and index.size == len(self._routes):
            # _direct, in this frame.
            method = scope["method"]
            direct = index.direct.get((route_path, method))
            if direct is not None:
                # What Route.matches would give: a full match with no parameters of its own.
                scope["route"] = direct
                scope["endpoint"] = direct.endpoint
                scope["path_params"] = dict(scope.get("path_params", {}))
                await direct.app(scope, receive, send)
                return
            # The tail table (_Index.tail), under its terms: a one-segment tail without a line
            # feed, and a path that is no fixed route's path.
            head, _, tail = route_path.rpartition("/")
            found = index.tail.get((head, method))
            if (found is not None and tail and "\n" not in tail
                    and route_path not in index.exact):
                taker, name = found
                # What Route.matches would give: a ``str`` parameter converts to itself.
                scope["route"] = taker
                scope["endpoint"] = taker.endpoint
                path_params = scope["path_params"] = dict(scope.get("path_params", {}))
                path_params[name] = tail
                await taker.app(scope, receive, send)
                return
        partial = partial_scope = None
        for route in self.candidates(route_path):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None and partial_scope is not None:
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        # No candidate matched: Starlette's own pass (slash redirects, then the 404).
        await super().app(scope, receive, send)
