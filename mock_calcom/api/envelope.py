"""API v2's success envelope: ``{"status": "success", "data": ...}`` (SUCCESS_STATUS).

Errors are not built here: handlers raise :class:`~mock_calcom.errors.ApiError` and ``app.py``
renders the ``{"status": "error", "timestamp", "path", "error"}`` envelope.
"""

from __future__ import annotations

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


def success_json(data: bytes | Sequence[bytes], *, status_code: int = 200,
                 pagination: dict[str, Any] | None = None) -> Response:
    """:func:`success` for data already serialised with :func:`to_json` (one value, or the
    items of a list): the same bytes, without serialising unchanged objects again."""
    parts = [b'{"status":"success","data":']
    parts.append(data if isinstance(data, bytes) else b"[" + b",".join(data) + b"]")
    if pagination is not None:
        parts += [b',"pagination":', to_json(pagination)]
    parts.append(b"}")
    return Response(b"".join(parts), status_code=status_code, media_type=JSONResponse.media_type)


def status_only(status_code: int = 200) -> JSONResponse:
    """Bodies with no ``data`` (DELETE /v2/schedules/{id}, calendar check)."""
    return JSONResponse({"status": SUCCESS}, status_code=status_code)


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
