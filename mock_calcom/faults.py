"""Fault injection, as a model: which requests a test wants to go wrong, and how.

A *fault* matches requests by method, path (glob or regex), and optionally the bearer token or
the OAuth client id, then does one of:

* **respond** with a canned status, body (JSON or text) and headers, without reaching the fake;
* **drop** the connection, either ``"before"`` the fake sees the request or ``"after"`` it has
  processed it (the work is done, e.g. a refresh token rotated, but the answer is lost);
* only **delay**: sleep ``latency`` real seconds and/or move the fake's clock by
  ``advance_clock`` seconds, then let the request through.

Latency and clock advance combine with respond and drop. A fault fires ``times`` times
(``None``: forever) and each time with ``probability``, drawn from the fake's seeded randomness,
so a flaky run replays exactly. At most one fault fires per request: the first one registered
that matches and wins its draw. Paths under ``/_mock`` are never faulted, so a test can always
reach the control plane to clean up.

Path patterns match the request path without its query string. A glob is
:func:`fnmatch.fnmatchcase` over the whole path, where ``*`` also crosses ``/``:
``/v2/bookings*`` matches ``/v2/bookings`` and ``/v2/bookings/abc/cancel``. A regex
(``path_regex``) must match the whole path (:func:`re.fullmatch`).

This module knows no HTTP; the middleware in :mod:`mock_calcom.middleware` carries faults out.
"""

from __future__ import annotations

import fnmatch
import json
import re
import re._parser as _sre_parser  # type: ignore[import-not-found]  # re's own parser: the guard reads its tree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mock_calcom.errors import InvalidControlInput
from mock_calcom.faultregistry import FaultRegistry as FaultRegistry
from mock_calcom.inputs import (
    MAX_COUNT,
    MAX_ITEMS,
    MAX_TTL,
    TOKEN_PATTERN,
    Field,
    Inputs,
    is_header_name,
    is_header_value,
)

if TYPE_CHECKING:
    from mock_calcom.model.randomness import Randomness

DropMode = Literal["before", "after"]

#: Real seconds a latency fault may sleep: enough to trip any client timeout, bounded so that a
#: typo cannot hang a suite.
MAX_LATENCY = 30.0
#: Longest path glob or regex a fault takes.
MAX_PATTERN = 512
#: Largest canned text body (JSON bodies are bounded by the control plane's body limit).
MAX_FAULT_BODY = 256 * 1024
#: Unbounded repeats a path_regex may hold: k of them can cost ~len(path)**k steps.
MAX_REGEX_REPEATS = 2
#: Paths longer than this never match a path_regex (the HTTP parser already bounds them).
MAX_REGEX_PATH = 2048
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})

_HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class FaultResponse:
    """A canned answer: ``body`` is sent as JSON, ``text`` as plain text (at most one)."""

    status: int
    body: Any = None
    text: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def render(self) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and bytes; a content type is added unless the fault sets one."""
        headers = list(self.headers)
        has_type = any(name.lower() == "content-type" for name, _ in headers)
        if self.text is not None:
            content = self.text.encode("utf-8")
            default_type = "text/plain; charset=utf-8"
        elif self.body is not None:
            content = json.dumps(self.body, separators=(",", ":")).encode("utf-8")
            default_type = "application/json"
        else:
            content, default_type = b"", ""
        if default_type and not has_type:
            headers.append(("content-type", default_type))
        return self.status, headers, content


@dataclass(frozen=True)
class FaultSpec:
    """What a fault matches and what it does (validated on construction)."""

    path: str = "*"
    path_regex: str | None = None
    methods: frozenset[str] | None = None
    token: str | None = None
    client_id: str | None = None
    response: FaultResponse | None = None
    latency: float = 0.0
    advance_clock: float = 0.0
    drop: DropMode | None = None
    times: int | None = None
    probability: float = 1.0
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.path_regex is not None:
            if self.path != "*":
                raise InvalidControlInput("give a fault either path (glob) or path_regex, not both")
            pattern = guarded_regex(self.path_regex)
        else:
            if not self.path:
                raise InvalidControlInput("a fault's path glob must not be empty")
            pattern = re.compile(fnmatch.translate(self.path))
        object.__setattr__(self, "_pattern", pattern)
        if self.response is not None and self.drop is not None:
            raise InvalidControlInput("a fault either responds (status) or drops, not both")
        if self.drop not in (None, "before", "after"):
            raise InvalidControlInput("drop must be 'before' or 'after'")
        if not 0 <= self.latency <= MAX_LATENCY:
            raise InvalidControlInput(f"latency must be between 0 and {MAX_LATENCY:g} seconds")
        if not 0 <= self.advance_clock <= MAX_TTL:
            raise InvalidControlInput(f"advance_clock must be between 0 and {MAX_TTL} seconds")
        if self.response is None and self.drop is None and not (self.latency or self.advance_clock):
            raise InvalidControlInput(
                "a fault needs an action: status (respond), drop, latency or advance_clock")
        if len(self.path) > MAX_PATTERN:
            raise InvalidControlInput(f"path is longer than {MAX_PATTERN} characters")
        if self.times is not None and not 1 <= self.times <= MAX_COUNT:
            raise InvalidControlInput(
                f"times must be between 1 and {MAX_COUNT} (or null for every request)")
        if not 0 < self.probability <= 1:
            raise InvalidControlInput("probability must be in (0, 1]")

    def matches(self, method: str, path: str, token: str | None) -> bool:
        if self.methods is not None and method.upper() not in self.methods:
            return False
        if self.token is not None and token != self.token:
            return False
        if self.path_regex is not None and len(path) > MAX_REGEX_PATH:
            return False
        return self._pattern.fullmatch(path) is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": sorted(self.methods) if self.methods is not None else None,
            "path": self.path if self.path_regex is None else None,
            "path_regex": self.path_regex,
            "token": self.token,
            "client_id": self.client_id,
            "status": None, "body": None, "text": None, "headers": {},
            "latency": self.latency,
            "advance_clock": self.advance_clock,
            "drop": self.drop,
            "times": self.times,
            "probability": self.probability,
        }
        if self.response is not None:
            out.update(status=self.response.status, body=self.response.body,
                       text=self.response.text, headers=dict(self.response.headers))
        return out


@dataclass(frozen=True)
class Fault:
    """A registered fault and what it has done so far (a snapshot)."""

    id: str
    spec: FaultSpec
    #: Requests that matched while the fault was active (fired or lost the draw).
    matched: int
    #: Times it fired.
    hits: int

    @property
    def remaining(self) -> int | None:
        """Firings left; ``None`` means unlimited."""
        return None if self.spec.times is None else self.spec.times - self.hits

    @property
    def exhausted(self) -> bool:
        return self.remaining == 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, **self.spec.to_json(), "matched": self.matched, "hits": self.hits,
                "remaining": self.remaining, "exhausted": self.exhausted}


@dataclass(frozen=True)
class Firing:
    """What the middleware must do for one request: a fault that fired."""

    fault_id: str
    response: FaultResponse | None
    latency: float
    advance_clock: float
    drop: DropMode | None


@dataclass
class _Entry:
    id: str
    spec: FaultSpec
    rng: Randomness
    matched: int = 0
    hits: int = 0

    def snapshot(self) -> Fault:
        return Fault(self.id, self.spec, self.matched, self.hits)

    @property
    def active(self) -> bool:
        return self.spec.times is None or self.hits < self.spec.times

    def firing(self) -> Firing:
        spec = self.spec
        return Firing(self.id, spec.response, spec.latency, spec.advance_clock, spec.drop)


# -- building specs from loose input (Python keywords, control-plane JSON) ------------------

def build_spec(*, method: str | Sequence[str] | None = None, path: str | None = None,
               path_regex: str | None = None, token: str | None = None,
               client_id: str | None = None, status: int | None = None, body: Any = None,
               text: str | None = None, headers: Mapping[str, str] | None = None,
               latency: float = 0.0, advance_clock: float = 0.0, drop: str | None = None,
               times: int | None = None, probability: float = 1.0) -> FaultSpec:
    """A :class:`FaultSpec` from the flat keywords the Python API and ``POST /_mock/faults``
    share; every type is checked, since the control plane's input is arbitrary JSON."""
    response = None
    if status is not None:
        # 1xx are interim answers, not responses: a fault sending one leaves the client
        # waiting for a final answer that never comes.
        if not _is_int(status) or not 200 <= status <= 599:
            raise InvalidControlInput("status must be a final HTTP status code (200-599)")
        if text is not None and isinstance(text, str) and len(text) > MAX_FAULT_BODY:
            raise InvalidControlInput(f"text is longer than {MAX_FAULT_BODY} characters")
        if body is not None and text is not None:
            raise InvalidControlInput("give a fault's response a JSON body or a text, not both")
        if text is not None and not isinstance(text, str):
            raise InvalidControlInput("text must be a string")
        response = FaultResponse(status, body, text, _headers(headers))
    elif body is not None or text is not None or headers:
        raise InvalidControlInput("body, text and headers need a status")
    for name, value in (("path", path), ("path_regex", path_regex), ("token", token),
                        ("client_id", client_id), ("drop", drop)):
        if value is not None and not isinstance(value, str):
            raise InvalidControlInput(f"{name} must be a string")
    for name, number in (("latency", latency), ("advance_clock", advance_clock),
                         ("probability", probability)):
        if not _is_number(number):
            raise InvalidControlInput(f"{name} must be a number")
    if times is not None and not _is_int(times):
        raise InvalidControlInput("times must be an integer or null")
    return FaultSpec(
        path="*" if path is None else path,
        path_regex=path_regex,
        methods=_methods(method),
        token=token,
        client_id=client_id,
        response=response,
        latency=float(latency),
        advance_clock=float(advance_clock),
        drop=drop,  # type: ignore[arg-type]  # checked by FaultSpec
        times=times,
        probability=float(probability),
    )


_METHOD_SCHEMA = {"oneOf": [
    {"type": "string", "enum": ["*", *sorted(_HTTP_METHODS)]},
    {"type": "array", "minItems": 1, "maxItems": len(_HTTP_METHODS),
     "items": {"type": "string", "enum": sorted(_HTTP_METHODS)}}]}

#: ``POST /_mock/faults``'s body, declared once (checks and ``/_mock/openapi.json``).
FAULT_INPUTS = Inputs(
    Field("method", "any", "A method, a list of them, or '*' (default: any)",
          extra=_METHOD_SCHEMA),
    Field("path", "string", "Glob over the whole path; * crosses /", max_length=MAX_PATTERN),
    Field("path_regex", "string", "Regex that must match the whole path (no nested or "
          f"alternating repeats, at most {MAX_REGEX_REPEATS} unbounded repeats)",
          max_length=MAX_PATTERN),
    Field("token", "string", "Only requests with this bearer token"),
    Field("client_id", "string", "Only requests of this OAuth client (token claim, query, "
          "path or token-request body)"),
    Field("status", "integer", "Status of the canned response", minimum=200, maximum=599),
    Field("body", "any", "JSON body of the canned response"),
    Field("text", "string", "Plain-text body of the canned response", max_length=MAX_FAULT_BODY),
    Field("headers", "object", "Headers of the canned response (RFC 9110 names, visible-ASCII "
          "values; not Content-Length, Transfer-Encoding or Connection)",
          extra={"maxProperties": MAX_ITEMS, "propertyNames": {"pattern": TOKEN_PATTERN,
                                                               "maxLength": 256},
                 "additionalProperties": {"type": "string", "pattern": "^[\t\x20-\x7e]*$",
                                          "maxLength": 8192}}),
    Field("latency", "number", "Real seconds to sleep first", minimum=0, maximum=MAX_LATENCY),
    Field("advance_clock", "number", "Fake-clock seconds to advance first", minimum=0,
          maximum=MAX_TTL),
    Field("drop", "string", "Hang up before the fake sees the request, or after it has "
          "processed it", enum=("before", "after")),
    Field("times", "integer", "How many times it fires (null: always)", minimum=1,
          maximum=MAX_COUNT, nullable=True),
    Field("probability", "number", "Chance of firing on each match (seeded)", minimum=0,
          exclusive_minimum=True, maximum=1),
)


def spec_from_json(data: object) -> FaultSpec:
    """``POST /_mock/faults``'s body: the keywords of :func:`build_spec`; unknown keys are
    refused rather than ignored, so a misspelt ``probabilty`` is not a silent always-fault."""
    if not isinstance(data, dict):
        raise InvalidControlInput("a fault must be a JSON object")
    checked = FAULT_INPUTS.check(data)
    return build_spec(**{key: value for key, value in checked.items() if value is not None})


def _methods(method: str | Sequence[str] | None) -> frozenset[str] | None:
    if method is None or method == "*":
        return None
    if not isinstance(method, str | list | tuple):
        raise InvalidControlInput("method must be a method name, a list of them, or '*'")
    names = [method] if isinstance(method, str) else list(method)
    if not names or not all(isinstance(m, str) for m in names):
        raise InvalidControlInput("method must be a method name, a list of them, or '*'")
    upper = frozenset(m.upper() for m in names)
    unknown = sorted(upper - _HTTP_METHODS)
    if unknown:
        raise InvalidControlInput(f"unknown HTTP method(s): {', '.join(unknown)}")
    return upper


def _headers(headers: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    if not isinstance(headers, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise InvalidControlInput("headers must map names to string values")
    if len(headers) > MAX_ITEMS:
        raise InvalidControlInput(f"a fault takes at most {MAX_ITEMS} headers")
    for name, value in headers.items():
        if not is_header_name(name):
            raise InvalidControlInput("a header name must be an HTTP token (RFC 9110), "
                                      "at most 256 characters")
        if not is_header_value(value):
            raise InvalidControlInput(f"header {name!r}: the value must be visible ASCII, "
                                      "spaces or tabs, at most 8192 characters")
        if name.lower() in _FRAMING_HEADERS:
            # The server frames the canned answer itself; a second length or a chunked
            # encoding would make the response unreadable.
            raise InvalidControlInput(f"header {name!r} cannot be set by a fault")
    return tuple(headers.items())


def guarded_regex(source: str) -> re.Pattern[str]:
    """``source`` compiled, refused if long or if it can backtrack catastrophically.

    Python's ``re`` cannot be interrupted, so a pattern like ``(a+)+$`` would stall the event
    loop on a long path. Refused: a repeat inside a repeat (unbounded), alternation inside an
    unbounded repeat, and backreferences. What stays matches in time polynomial in the path,
    which the HTTP parser bounds."""
    if not isinstance(source, str) or len(source) > MAX_PATTERN:
        raise InvalidControlInput(f"path_regex must be a string of at most {MAX_PATTERN} characters")
    try:
        parsed = _sre_parser.parse(source)
        pattern = re.compile(source)
    except (re.error, RecursionError, OverflowError) as exc:
        raise InvalidControlInput(f"path_regex is not a regular expression: {exc}") from None
    problem = _backtracking_risk(parsed, inside_repeat=False)
    if problem is None and _unbounded_repeats(parsed) > MAX_REGEX_REPEATS:
        problem = f"more than {MAX_REGEX_REPEATS} unbounded repeats (each one multiplies the work)"
    if problem:
        raise InvalidControlInput(f"path_regex refused: {problem} can stall the server; "
                                  "use a glob (path) or a simpler pattern")
    return pattern


def _unbounded_repeats(items: Any) -> int:
    count = 0
    for op, arg in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            count += (arg[1] == _sre_parser.MAXREPEAT or arg[1] > 100) + _unbounded_repeats(arg[2])
        elif name == "SUBPATTERN":
            count += _unbounded_repeats(arg[-1])
        elif name == "BRANCH":
            count += sum(_unbounded_repeats(b) for b in arg[1])
        elif name in ("ASSERT", "ASSERT_NOT"):
            count += _unbounded_repeats(arg[1])
    return count


def _backtracking_risk(items: Any, *, inside_repeat: bool) -> str | None:
    for op, arg in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _, high, body = arg
            unbounded = high == _sre_parser.MAXREPEAT or high > 100
            if unbounded and inside_repeat:
                return "a repeat inside a repeat"
            found = _backtracking_risk(body, inside_repeat=inside_repeat or unbounded)
            if found:
                return found
        elif name == "BRANCH":
            if inside_repeat:
                return "alternation inside a repeat"
            for branch in arg[1]:
                found = _backtracking_risk(branch, inside_repeat=inside_repeat)
                if found:
                    return found
        elif name in ("GROUPREF", "GROUPREF_EXISTS"):
            return "a backreference"
        elif name == "SUBPATTERN":
            found = _backtracking_risk(arg[-1], inside_repeat=inside_repeat)
            if found:
                return found
        elif name in ("ASSERT", "ASSERT_NOT"):
            found = _backtracking_risk(arg[1], inside_repeat=inside_repeat)
            if found:
                return found
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
