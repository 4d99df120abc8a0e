"""Input validation the way API v2's global ``ValidationPipe`` does it (bootstrap.ts @129e5ad7).

Cal.com validates bodies and queries with class-validator under ``whitelist: true``: unknown
properties are stripped, not rejected; every failing constraint of a property is reported; the
error is ``new BadRequestException({errors})``, so the v2 envelope carries
``code: "BadRequestException"``, ``message: "Bad Request Exception"`` (Nest's message for an
object response without ``message``) and ``details: {errors: [ValidationError...]}`` where each
error is ``{target, value, property, children, constraints}`` (``validationError: {target: true,
value: true}``). A missing property has no ``value`` key, as ``undefined`` vanishes in JSON.

Schemas here are data: a :class:`Schema` of :class:`Prop` with :class:`Rule` constraints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from mock_calcom.errors import BadRequestError
from mock_calcom.model.resources.timeutil import is_time_zone, parse_iso

#: Nest's ``message`` for ``new BadRequestException({errors})``: the class name, split.
VALIDATION_MESSAGE = "Bad Request Exception"


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


@dataclass(frozen=True)
class Rule:
    """One class-validator constraint: its key, its test, its message (``{p}`` = property)."""

    key: str
    test: Callable[[Any], bool]
    message: str

    def text(self, prop: str) -> str:
        return self.message.replace("{p}", prop)


@dataclass(frozen=True)
class Prop:
    name: str
    rules: tuple[Rule, ...] = ()
    #: ``@IsOptional()``: ``undefined`` and ``null`` skip every rule.
    optional: bool = False
    #: Keep an explicit ``null`` (for fields a PATCH may clear).
    nullable: bool = False
    #: class-transformer step run before validation (``@Transform`` / ``@Type``).
    transform: Callable[[Any], Any] | None = None
    #: ``@ValidateNested()`` of an object, or of each item of an array (``each=True``).
    nested: Schema | None = None
    each: bool = False


@dataclass(frozen=True)
class Schema:
    props: tuple[Prop, ...]
    #: Class-level checks after the property ones pass: (clean values) -> error message.
    checks: tuple[Callable[[dict[str, Any]], str | None], ...] = field(default=())
    #: ``forbidNonWhitelisted``: an unknown property is an error, not stripped.
    forbid_unknown: bool = False

    def validate(self, raw: object) -> dict[str, Any]:
        """The whitelisted, transformed values, or :class:`BadRequestError` with Cal.com's
        validation details."""
        clean, errors = self._run(raw)
        if errors:
            raise BadRequestError(VALIDATION_MESSAGE, details={"errors": _as_json(errors)})
        self._run_checks(clean)
        return clean

    def validate_pipe(self, raw: object) -> dict[str, Any]:
        """Validation the way Cal.com's hand-written input pipes report it (get-slots-input.pipe.ts
        @683e0006): one string, ``"<prop> property is wrong,<constraints> <children>"`` per error,
        joined by ``", "``, as the message of a plain ``BadRequestException``."""
        clean, errors = self._run(raw)
        if errors:
            raise BadRequestError(pipe_message(errors))
        self._run_checks(clean)
        return clean

    def _run_checks(self, clean: dict[str, Any]) -> None:
        for check in self.checks:
            message = check(clean)
            if message is not None:
                raise BadRequestError(message)

    def _run(self, raw: object) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        if not isinstance(raw, Mapping):
            # forbidUnknownValues: anything but an object is refused as a whole.
            return {}, [{"value": raw, "children": [], "constraints": {
                "unknownValue": "an unknown value was passed to the validate function"}}]
        target: dict[str, Any] = {}
        for prop in self.props:
            if prop.name in raw:
                value = raw[prop.name]
                target[prop.name] = prop.transform(value) if prop.transform and value is not None else value
        clean: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        if self.forbid_unknown:
            known = {p.name for p in self.props}
            errors.extend({"target": target, "value": raw[key], "property": key, "children": [],
                           "constraints": {"whitelistValidation": f"property {key} should not exist"}}
                          for key in raw if key not in known)
        for prop in self.props:
            value = target.get(prop.name, MISSING)
            if prop.optional and (value is MISSING or value is None):
                if value is None and prop.nullable:
                    clean[prop.name] = None
                continue
            failed = {r.key: r.text(prop.name) for r in prop.rules if not _safe(r.test, value)}
            children: list[dict[str, Any]] = []
            nested_value = value
            if prop.nested is not None and not failed:
                nested_value, children, failed = _nested(prop, value)
            if failed or children:
                error: dict[str, Any] = {"target": target}
                if value is not MISSING:
                    error["value"] = value
                error["property"] = prop.name
                error["children"] = children
                if failed:
                    error["constraints"] = failed
                errors.append(error)
            elif value is not MISSING:
                clean[prop.name] = nested_value
        return clean, errors


def pipe_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors:
        constraints = ", ".join(error.get("constraints", {}).values())
        children = pipe_message(error["children"]) if error.get("children") else ""
        # A whole-value error has no property: the template literal prints ``undefined``.
        prop = error.get("property", "undefined")
        parts.append(f"{prop} property is wrong,{constraints} {children}")
    return ", ".join(parts)


def pipe_value(body: Any, *, parsed: bool, empty_body: str) -> Any:
    """The opening checks of Cal.com's hand-written input pipes (create-booking-input.pipe.ts
    @51442f5e and its cancel/reschedule twins): ``if (!value) Body is required``, ``if (typeof
    value !== "object") Body should be an object``. ``value`` is ``req.body``: what a body
    parser produced, or for a request none parsed ``undefined`` / ``{}`` by ``empty_body``."""
    value = body if parsed or empty_body == "empty_object" else None
    if value is None or value is False or value == "" or (
            isinstance(value, int | float) and not isinstance(value, bool) and value == 0):
        raise BadRequestError("Body is required")
    if not isinstance(value, Mapping | list):  # typeof [] === "object"
        raise BadRequestError("Body should be an object")
    return value


def _as_json(value: Any) -> Any:
    """``JSON.stringify``'s view: NaN and infinities (from ``parseInt``/``Number``) are null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    return value


def _nested(prop: Prop, value: Any) -> tuple[Any, list[dict[str, Any]], dict[str, str]]:
    assert prop.nested is not None
    not_nested = {"nestedValidation": f"nested property {prop.name} must be either object or array"}
    if prop.each:
        if not isinstance(value, list):
            return value, [], not_nested
        out: list[Any] = []
        children: list[dict[str, Any]] = []
        for index, item in enumerate(value):
            clean, errors = prop.nested._run(item)
            out.append(clean)
            if errors:
                children.append({"target": value, "value": item, "property": str(index),
                                 "children": errors})
        return out, children, {}
    if not isinstance(value, Mapping):
        return value, [], not_nested
    clean, errors = prop.nested._run(value)
    return clean, errors, {}


def _safe(test: Callable[[Any], bool], value: Any) -> bool:
    if value is MISSING:
        value = None
    try:
        return bool(test(value))
    except (TypeError, ValueError):
        return False


# -- class-validator's constraints, with their default messages -------------------------------

def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return _is_number(v) and float(v).is_integer()


IS_STRING = Rule("isString", lambda v: isinstance(v, str), "{p} must be a string")
IS_BOOLEAN = Rule("isBoolean", lambda v: isinstance(v, bool), "{p} must be a boolean value")
IS_INT = Rule("isInt", _is_int, "{p} must be an integer number")
IS_NUMBER = Rule("isNumber", _is_number, "{p} must be a number conforming to the specified constraints")
IS_OBJECT = Rule("isObject", lambda v: isinstance(v, dict), "{p} must be an object")
IS_ARRAY = Rule("isArray", lambda v: isinstance(v, list), "{p} must be an array")
IS_TIME_ZONE = Rule("isTimeZone", is_time_zone, "{p} must be a valid IANA time-zone")
IS_ISO8601 = Rule("isIso8601", lambda v: isinstance(v, str) and parse_iso(v) is not None,
                  "{p} must be a valid ISO 8601 date string")
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]{2,}$")
IS_EMAIL = Rule("isEmail", lambda v: isinstance(v, str) and bool(_EMAIL.match(v)), "{p} must be an email")
EACH_EMAIL = Rule("isEmail", lambda v: isinstance(v, list) and all(
    isinstance(i, str) and _EMAIL.match(i) for i in v), "each value in {p} must be an email")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
IS_URL = Rule("isUrl", lambda v: isinstance(v, str) and bool(_URL.match(v)), "{p} must be a URL address")


def min_value(low: float) -> Rule:
    return Rule("min", lambda v: _is_number(v) and v >= low, f"{{p}} must not be less than {_num(low)}")


def max_value(high: float) -> Rule:
    return Rule("max", lambda v: _is_number(v) and v <= high, f"{{p}} must not be greater than {_num(high)}")


def one_of(options: Sequence[str], message: str | None = None) -> Rule:
    text = message or f"{{p}} must be one of the following values: {', '.join(options)}"
    return Rule("isEnum", lambda v: v in options, text)


def each_one_of(options: Sequence[str], message: str) -> Rule:
    return Rule("isEnum", lambda v: isinstance(v, list) and all(i in options for i in v), message)


def matches(pattern: str, message: str) -> Rule:
    compiled = re.compile(pattern)
    return Rule("matches", lambda v: isinstance(v, str) and bool(compiled.match(v)), message)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# -- class-transformer steps, with JavaScript's conversions ------------------------------------

_JS_INT = re.compile(r"^\s*([+-]?)(0[xX][0-9a-fA-F]+|\d+)")


def js_parse_int(value: Any) -> float:
    """``parseInt(value)``: the leading integer of a string (hex with ``0x``), else NaN."""
    match = _JS_INT.match(str(value))
    if not match:
        return math.nan
    sign, digits = match.groups()
    number = int(digits, 16) if digits[:2].lower() == "0x" else int(digits)
    return -number if sign == "-" else number


def js_number(value: Any) -> float:
    """``Number(value)``: the whole string as a number ("" is 0), else NaN."""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    if text == "":
        return 0
    try:
        number = float(int(text, 0)) if re.match(r"^[+-]?0[xXoObB]", text) else float(text)
    except ValueError:
        return math.nan
    return int(number) if number.is_integer() else number


def parse_int_when_truthy(value: Any) -> Any:
    """``@Transform(({value}) => value && parseInt(value))``: an empty string stays empty."""
    if value == "" or value is None:
        return value
    return js_parse_int(value)


def split_comma(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")]
    return value


def split_ints(value: Any) -> Any:
    if isinstance(value, str):
        return [js_parse_int(part) for part in value.split(",")]
    if isinstance(value, list):
        return [js_number(item) for item in value]
    return value


def query_dict(items: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Express's query object: a repeated key becomes an array of its values."""
    out: dict[str, Any] = {}
    for key, value in items:
        if key in out:
            existing = out[key]
            out[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[key] = value
    return out


def numeric_id(raw: str) -> int:
    """``ParseIntPipe``: a path id that is not a numeric string is a 400."""
    if not re.fullmatch(r"-?\d+", raw):
        raise BadRequestError("Validation failed (numeric string is expected)")
    return int(raw)
