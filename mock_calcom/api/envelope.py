"""API v2's success envelope: ``{"status": "success", "data": ...}`` (SUCCESS_STATUS).

Errors are not built here: handlers raise :class:`~mock_calcom.errors.ApiError` and ``app.py``
renders the ``{"status": "error", "timestamp", "path", "error"}`` envelope.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from starlette.responses import JSONResponse, Response

from mock_calcom.settings import PaginationField

SUCCESS = "success"


def success(data: Any, *, status_code: int = 200, pagination: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": SUCCESS, "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    return JSONResponse(body, status_code=status_code)


#: JSONResponse.render's json.dumps options, as one encoder (dumps builds one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def to_json(value: Any) -> bytes:
    """``value`` exactly as :class:`JSONResponse` renders it (compact, UTF-8, no NaN)."""
    return _ENCODER.encode(value).encode("utf-8")


class JsonBytes(Response):
    """A :class:`JSONResponse` of bytes already serialised: the same status, headers (in the
    same order) and body, without Response's generic header building."""

    media_type = JSONResponse.media_type

    def __init__(self, body: bytes, status_code: int = 200) -> None:
        if status_code < 200 or status_code in (204, 304):
            super().__init__(body, status_code=status_code)
            return
        self.status_code = status_code
        self.background = None
        self.body = body
        self.raw_headers = [(b"content-length", str(len(body)).encode("latin-1")),
                            (b"content-type", b"application/json")]


def success_json(data: bytes | Sequence[bytes], *, status_code: int = 200,
                 pagination: dict[str, Any] | bytes | None = None) -> Response:
    """:func:`success` for data already serialised with :func:`to_json` (one value, or the
    items of a list): the same bytes, without serialising unchanged objects again.
    ``pagination`` may be serialised already too (:func:`pagination_json`)."""
    return JsonBytes(success_body(data, pagination=pagination), status_code=status_code)


def success_body(data: bytes | Sequence[bytes], *, pagination: dict[str, Any] | bytes | None = None) -> bytes:
    """The body of :func:`success_json`. The items are joined once and the body assembled
    once (two copies of a listing's bytes, not four)."""
    if isinstance(data, bytes):
        head, inner, tail = _DATA, data, b""
    else:
        head, inner, tail = _DATA_LIST, b",".join(data), b"]"
    if pagination is None:
        return b"".join((head, inner, tail, b"}"))
    page = pagination if isinstance(pagination, bytes) else to_json(pagination)
    return b"".join((head, inner, tail, b',"pagination":', page, b"}"))


_DATA = b'{"status":"success","data":'
_DATA_LIST = b'{"status":"success","data":['


def status_only(status_code: int = 200) -> JSONResponse:
    """Bodies with no ``data`` (DELETE /v2/schedules/{id}, calendar check)."""
    return JSONResponse({"status": SUCCESS}, status_code=status_code)


@functools.lru_cache(maxsize=512)
def pagination_json(skip: int, take: int, total: int, field: PaginationField) -> bytes:
    """:func:`pagination` serialised (a pure function of its arguments: listings of the same
    size and page reuse the bytes)."""
    return to_json(pagination(skip=skip, take=take, total=total, field=field))


def pagination(*, skip: int, take: int, total: int, field: PaginationField) -> dict[str, Any]:
    """``getPagination`` (apps/api/v2/src/lib/pagination/pagination.ts @b8b90810), including its
    ``currentPage: 0`` when nothing matched. The code names the page count ``itemsReturned``,
    the OpenAPI document ``returnedItems``; ``field`` picks one or both (UNCONFIRMED which is
    live)."""
    safe_skip = max(0, min(skip, total))
    total_pages = -(-total // take) if take else 0
    current_page = 0 if total_pages == 0 else max(1, min(safe_skip // take + 1, total_pages))
    returned = max(0, min(total - safe_skip, take))
    meta: dict[str, Any] = {
        "totalItems": total,
        "remainingItems": max(0, min(total - (safe_skip + take), total)),
    }
    if field in ("both", "returnedItems"):
        meta["returnedItems"] = returned
    if field in ("both", "itemsReturned"):
        meta["itemsReturned"] = returned
    meta.update({
        "itemsPerPage": take,
        "currentPage": current_page,
        "totalPages": total_pages,
        "hasNextPage": safe_skip + take < total,
        "hasPreviousPage": safe_skip > 0,
    })
    return meta
