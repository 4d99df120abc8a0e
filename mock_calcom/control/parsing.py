"""Strict reading of control-plane requests: a malformed request is refused whole, with a
400 that says what is wrong, before anything changes."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, TypeVar

from starlette.requests import Request

from mock_calcom.bodylimit import MAX_JSON_DEPTH, has_lone_surrogate, json_too_deep
from mock_calcom.errors import InvalidControlInput

_T = TypeVar("_T")


def _refuse_constant(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity; JSON does not, and a clock cannot use them.
    raise InvalidControlInput(f"request body is not valid JSON ({name} is not a JSON number)")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two parsers may keep different copies of a repeated key (Python the last, others the
    # first): a control request says one thing or is refused.
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise InvalidControlInput(f"request body repeats the key {repeated!r}")
    return data


def parse_json_object(raw: bytes, *, allow_empty: bool = False) -> dict[str, Any]:
    """``raw`` as a JSON object: no NaN/Infinity, no repeated keys, no lone surrogates, at
    most :data:`~mock_calcom.bodylimit.MAX_JSON_DEPTH` levels deep."""
    if not raw.strip():
        if allow_empty:
            return {}
        raise InvalidControlInput("request body must be a JSON object")
    if json_too_deep(raw):
        raise InvalidControlInput(f"request body is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except InvalidControlInput:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidControlInput("request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidControlInput("request body must be a JSON object")
    if has_lone_surrogate(data):
        raise InvalidControlInput("request body holds a lone UTF-16 surrogate (\\ud800-\\udfff)")
    return data


async def json_object(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    """The body as a JSON object. ``allow_empty``: no body at all reads as ``{}``."""
    return parse_json_object(await request.body(), allow_empty=allow_empty)


def check_keys(data: Mapping[str, Any], allowed: Iterable[str], required: Iterable[str] = ()) -> None:
    allowed_set = set(allowed)
    unknown = sorted(k for k in data if k not in allowed_set)
    if unknown:
        raise InvalidControlInput(
            f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(allowed_set)) or 'none'})")
    missing = [k for k in required if data.get(k) is None]
    if missing:
        raise InvalidControlInput(f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")


def check_query(request: Request, allowed: Iterable[str]) -> dict[str, str]:
    allowed_set = set(allowed)
    params = request.query_params
    unknown = sorted(k for k in params if k not in allowed_set)
    if unknown:
        raise InvalidControlInput(f"unknown query parameter: {', '.join(unknown)}")
    repeated = sorted(k for k in params if len(params.getlist(k)) > 1)
    if repeated:
        raise InvalidControlInput(f"query parameter given twice: {', '.join(repeated)}")
    return dict(params)


# Field readers. ``None`` means absent (or JSON null, which optional fields treat the same).

def opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidControlInput(f"{key} must be a string")
    return value


def opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidControlInput(f"{key} must be an integer")
    return value


def opt_bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise InvalidControlInput(f"{key} must be a boolean")
    return value


def opt_number(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidControlInput(f"{key} must be a number")
    return float(value)


def opt_str_list(data: Mapping[str, Any], key: str) -> list[str] | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, list)
                              or not all(isinstance(v, str) for v in value)):
        raise InvalidControlInput(f"{key} must be a list of strings")
    return value


def query_int(params: Mapping[str, str], key: str, *, minimum: int = 0) -> int | None:
    raw = params.get(key)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidControlInput(f"{key} must be an integer") from None
    if value < minimum:
        raise InvalidControlInput(f"{key} must be >= {minimum}")
    return value


def _present(value: _T | None, key: str) -> _T:
    if value is None:
        raise InvalidControlInput(f"missing field: {key}")
    return value


def req_str(data: Mapping[str, Any], key: str) -> str:
    return _present(opt_str(data, key), key)


def req_str_list(data: Mapping[str, Any], key: str) -> list[str]:
    return _present(opt_str_list(data, key), key)


def req_number(data: Mapping[str, Any], key: str) -> float:
    return _present(opt_number(data, key), key)
