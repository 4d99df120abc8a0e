"""Declared inputs of the control plane: each field once, with its type, range and meaning.

A :class:`Field` both checks a value (raising :class:`~mock_calcom.errors.InvalidControlInput`)
and states itself as JSON Schema for ``/_mock/openapi.json``; an :class:`Inputs` does the same
for a whole JSON object or query. The document therefore states exactly the constraints the
handlers enforce, and the two cannot drift apart.

The bounds keep the fake working whatever is sent: a clock or lifetime that would carry a
timestamp past what :mod:`datetime` can represent, a limit that would not fit a C ``ssize_t``,
a header that HTTP cannot carry, are refused when given instead of breaking every later
request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mock_calcom.errors import InvalidControlInput

Kind = Literal["integer", "number", "string", "boolean", "string_list", "object", "any"]

#: The latest time the fake's clock may show: 9000-01-01. Every lifetime is at most
#: :data:`MAX_TTL`, so ``now + ttl`` and every date the fake derives from ``now`` (bookings,
#: slots weeks ahead) stay well inside year 9999, the end of :mod:`datetime`.
MAX_CLOCK = 221_845_392_000.0
#: Ten years: the longest lifetime a setting may give anything.
MAX_TTL = 10 * 366 * 24 * 60 * 60
#: The largest count any limit may take (journal entries, rate-limit requests, ...).
MAX_COUNT = 10_000_000
#: Longest string a control field takes, unless it declares its own.
MAX_STRING = 4096
#: Most items in a list field.
MAX_ITEMS = 100
#: RFC 9110 token characters: what a header name may contain.
TOKEN_PATTERN = r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$"
_TOKEN = re.compile(TOKEN_PATTERN)
#: A header value HTTP/1.1 can carry: visible ASCII, space and tab, no CR/LF/NUL (RFC 9110
#: §5.5). Latin-1 bytes are legal but obsolete; the fake refuses them to stay portable.
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")


def is_header_name(name: str) -> bool:
    return bool(_TOKEN.fullmatch(name)) and len(name) <= 256


def is_header_value(value: str) -> bool:
    return bool(_FIELD_VALUE.fullmatch(value)) and len(value) <= 8192


@dataclass(frozen=True)
class Field:
    """One input: its name, JSON type, range and meaning.

    ``minimum``/``maximum`` bound numbers (inclusive; ``exclusive_minimum`` for "> 0"),
    ``max_length`` strings and list items, ``enum`` the allowed strings, ``nullable`` lets
    JSON ``null`` through as "absent"."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    max_length: int = MAX_STRING
    max_items: int = MAX_ITEMS
    enum: tuple[str, ...] | None = None
    nullable: bool = False
    #: Extra JSON Schema keywords (formats, item schemas of ``object`` fields).
    extra: Mapping[str, Any] = field(default_factory=dict)

    # -- checking --------------------------------------------------------------------------

    def check(self, value: Any) -> Any:
        """``value`` if it fits this field, else :class:`InvalidControlInput` naming it."""
        if value is None:
            if self.nullable or not self.required:
                return None
            raise InvalidControlInput(f"missing field: {self.name}")
        kind = self.kind
        if kind == "any":
            return value
        if kind == "boolean":
            if not isinstance(value, bool):
                raise InvalidControlInput(f"{self.name} must be a boolean")
            return value
        if kind in ("integer", "number"):
            return self._number(value)
        if kind == "string":
            return self._string(value, self.name)
        if kind == "string_list":
            if not isinstance(value, list):
                raise InvalidControlInput(f"{self.name} must be a list of strings")
            if len(value) > self.max_items:
                raise InvalidControlInput(f"{self.name} takes at most {self.max_items} items")
            return [self._string(item, f"{self.name} item") for item in value]
        if not isinstance(value, dict):
            raise InvalidControlInput(f"{self.name} must be an object")
        return value

    def type_fits(self, value: Any) -> bool:
        """Whether ``value`` has this field's JSON type (ranges aside)."""
        if value is None:
            return self.nullable or not self.required
        if isinstance(value, bool):
            return self.kind in ("boolean", "any")
        return {"integer": isinstance(value, int), "number": isinstance(value, int | float),
                "string": isinstance(value, str), "boolean": False,
                "string_list": isinstance(value, list), "object": isinstance(value, dict),
                "any": True}[self.kind]

    def _number(self, value: Any) -> int | float:
        integer = self.kind == "integer"
        if isinstance(value, bool) or not isinstance(value, int if integer else int | float):
            raise InvalidControlInput(f"{self.name} must be {'an integer' if integer else 'a number'}")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidControlInput(f"{self.name} must be a finite number")
        low, high = self.minimum, self.maximum
        too_low = low is not None and (value <= low if self.exclusive_minimum else value < low)
        if too_low or (high is not None and value > high):
            raise InvalidControlInput(f"{self.name} must be {self.range_text()}")
        return value

    def _string(self, value: Any, label: str) -> str:
        if not isinstance(value, str):
            raise InvalidControlInput(f"{label} must be a string")
        if len(value) > self.max_length:
            raise InvalidControlInput(f"{label} is longer than {self.max_length} characters")
        if self.enum is not None and value not in self.enum:
            raise InvalidControlInput(f"{label} must be one of {', '.join(self.enum)}")
        pattern = self.extra.get("pattern")
        if self.kind == "string" and isinstance(pattern, str) and not re.search(pattern, value):
            raise InvalidControlInput(f"{label} must match {pattern}")
        return value

    def range_text(self) -> str:
        low, high = self.minimum, self.maximum
        lower = f"{'>' if self.exclusive_minimum else '>='} {_num(low)}" if low is not None else ""
        upper = f"<= {_num(high)}" if high is not None else ""
        return " and ".join(p for p in (lower, upper) if p) or "a number"

    # -- the document ----------------------------------------------------------------------

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any]
        if self.kind == "string_list":
            out = {"type": "array", "maxItems": self.max_items,
                   "items": {"type": "string", "maxLength": self.max_length}}
        elif self.kind == "string":
            out = {"type": "string", "maxLength": self.max_length}
            if self.enum is not None:
                out = {"type": "string", "enum": list(self.enum)}
        elif self.kind == "any":
            out = {}
        else:
            out = {"type": self.kind}
            if self.minimum is not None:
                out["exclusiveMinimum" if self.exclusive_minimum else "minimum"] = _num(self.minimum)
            if self.maximum is not None:
                out["maximum"] = _num(self.maximum)
        out.update(self.extra)
        if self.nullable and "type" in out:
            out["type"] = [out["type"], "null"]
        if self.description:
            out["description"] = self.description
        return out


def _num(value: float | None) -> float | int | None:
    if value is not None and float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return value


@dataclass(frozen=True)
class Inputs:
    """The fields of one JSON body (or query): checks a whole object, states its schema."""

    fields: tuple[Field, ...]
    #: Whether a control request may come with no body at all (read as ``{}``).
    optional: bool = False

    def __init__(self, *fields: Field, optional: bool = False) -> None:
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "optional", optional)

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def check(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Every declared field's checked value (``None`` when absent); unknown names refused."""
        allowed = {f.name: f for f in self.fields}
        unknown = sorted(k for k in data if k not in allowed)
        if unknown:
            raise InvalidControlInput(
                f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(allowed)) or 'none'})")
        missing = [f.name for f in self.fields if f.required and data.get(f.name) is None]
        if missing:
            raise InvalidControlInput(
                f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
        return {f.name: f.check(data.get(f.name)) for f in self.fields}

    def schema(self) -> dict[str, Any]:
        required = [f.name for f in self.fields if f.required]
        out: dict[str, Any] = {"type": "object",
                               "properties": {f.name: f.schema() for f in self.fields},
                               "additionalProperties": False}
        if required:
            out["required"] = required
        return out

    def query_parameters(self) -> list[dict[str, Any]]:
        """OpenAPI ``in: query`` parameters for these fields."""
        return [{"name": f.name, "in": "query", "required": f.required, "schema": f.schema(),
                 "description": f.description} for f in self.fields]

    def check_query(self, params: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """Query parameters, converted by each field's kind; repeats and unknowns refused."""
        seen: dict[str, Any] = {}
        for key, raw in params:
            if key in seen:
                raise InvalidControlInput(f"query parameter given twice: {key}")
            seen[key] = raw
        by_name = {f.name: f for f in self.fields}
        converted: dict[str, Any] = {}
        for key, raw in seen.items():
            spec = by_name.get(key)
            if spec is None or spec.kind not in ("integer", "number"):
                converted[key] = raw
                continue
            try:
                converted[key] = int(raw) if spec.kind == "integer" else float(raw)
            except ValueError:
                what = "an integer" if spec.kind == "integer" else "a number"
                raise InvalidControlInput(f"{key} must be {what}") from None
        return self.check(converted)
