"""Everything ``mock_calcom`` raises.

Hierarchy::

    MockCalcomError                  root: catch this to catch anything from the fake
    ├── CalcomError                  an answer Cal.com itself gives; carries its wire status and body
    │   ├── OAuthError               RFC 6749 ``{"error", "error_description"}`` (token endpoint, authorize)
    │   └── ApiError                 API v2 envelope ``{"status": "error", "timestamp", "path", "error"}``
    │       ├── BadRequestError      400 ``BadRequestException``
    │       ├── UnauthorizedError    401 ``UnauthorizedException``
    │       ├── ForbiddenError       403 ``ForbiddenException``
    │       ├── NotFoundError        404 ``NotFoundException``
    │       ├── ConflictError        409 ``ConflictException``
    │       ├── HttpExceptionError   any status, ``HttpException`` with a string ``details``
    │       └── ThrottledError       429 ``ThrottlerException``
    └── ControlError                 misuse of the fake's own control plane (``/_mock``, Python API)
        ├── UnknownObjectError       404: no such user, client, fault, ...
        └── InvalidControlInput      400: the request to the control plane is malformed
    ConnectionDropped                (under MockCalcomError) the app hangs up without answering

Cal.com's errors are data: a handler never decides a status code, it renders the error's
``status_code`` and ``body()``. The model raises them without knowing about HTTP.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

#: Human-readable reasons, as Cal.com shows them on the authorize page and in tRPC messages
#: (``OAUTH_ERROR_REASONS``, OAuthService.ts @9d29dd7c).
REASON_MESSAGES: dict[str, str] = {
    "client_not_found": "OAuth client with ID not found",
    "client_not_approved": "OAuth client is not approved",
    "client_rejected": "OAuth client has been rejected",
    "redirect_uri_mismatch": (
        "redirect_uri does not match any of the OAuth client's registered redirect URIs"
    ),
    "pkce_required": "code_challenge required for public clients",
    "invalid_code_challenge_method": "code_challenge_method must be S256",
    "team_not_found_or_no_access": "Team not found or user is not an admin/owner",
    "scope_required": "scope parameter is required for this OAuth client",
    "unknown_scope": "Requested scope is not a recognized scope",
    "scope_exceeds_client_registration": "Requested scope exceeds the client's registered scopes",
}


class MockCalcomError(Exception):
    """Root of every error raised by ``mock_calcom``."""


class CalcomError(MockCalcomError):
    """An error response Cal.com itself would send: status code plus JSON body."""

    status_code: int = 500

    def body(self) -> Any:
        raise NotImplementedError


class OAuthError(CalcomError):
    """An RFC 6749 error as Cal.com's G2 token endpoint writes it.

    ``description`` is the wire ``error_description``: for service errors it is the reason
    code itself (``client_not_found``), for input errors a sentence. ``redirectable`` tells the
    authorize page whether it may send the browser back to the client with this error.
    """

    def __init__(
        self,
        status_code: int,
        error: str,
        description: str,
        *,
        redirectable: bool = False,
    ) -> None:
        super().__init__(f"{status_code} {error}: {description}")
        self.status_code = status_code
        self.error = error
        self.description = description
        self.redirectable = redirectable

    @property
    def message(self) -> str:
        """The sentence a person sees for this error (the page, the redirect's description)."""
        return REASON_MESSAGES.get(self.description, self.description)

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}

    def legacy_body(self) -> dict[str, str]:
        """The G1 web endpoints answer the bare RFC code, with no description."""
        return {"error": self.error}


class ApiError(CalcomError):
    """An API v2 error, rendered in Cal.com's global envelope (http-exception.filter.ts)."""

    code: ClassVar[str] = "HttpException"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if details is None:
            # NestJS's HttpException(message) response, which the filter copies to details.
            details = {"message": message, "error": HTTPStatus(self.status_code).phrase,
                       "statusCode": self.status_code}
        self.details = details

    def body(self, *, path: str = "", timestamp: str = "") -> dict[str, Any]:
        return {
            "status": "error",
            "timestamp": timestamp,
            "path": path,
            "error": {"code": self.code, "message": self.message, "details": self.details},
        }


class BadRequestError(ApiError):
    status_code = 400
    code = "BadRequestException"


class PayloadTooLargeError(ApiError):
    """413: body-parser's ``entity.too.large`` (limit 100 KiB), as Nest renders it."""

    status_code = 413
    code = "PayloadTooLargeException"


class UnauthorizedError(ApiError):
    status_code = 401
    code = "UnauthorizedException"


class ForbiddenError(ApiError):
    status_code = 403
    code = "ForbiddenException"


class NotFoundError(ApiError):
    status_code = 404
    code = "NotFoundException"


class ConflictError(ApiError):
    status_code = 409
    code = "ConflictException"


class UnprocessableEntityError(ApiError):
    status_code = 422
    code = "UnprocessableEntityException"


class ThrottledError(ApiError):
    status_code = 429
    code = "ThrottlerException"


class HttpExceptionError(ApiError):
    """``new HttpException(message, status)``: any status, ``code "HttpException"``, and the
    string response as ``details`` (legacy booking handlers rethrow booking errors this way,
    bookings.controller.ts @d3367926 ``handleBookingErrors``)."""

    code = "HttpException"

    def __init__(self, message: str, status_code: int, details: Any = None) -> None:
        self.status_code = status_code
        super().__init__(message, details=message if details is None else details)


class ControlError(MockCalcomError):
    """The fake's own control plane was used wrongly; answered as ``{"error": message}``."""

    status_code: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, str]:
        return {"error": self.message}


class UnknownObjectError(ControlError):
    status_code = 404


class InvalidControlInput(ControlError):
    status_code = 400


class ConnectionDropped(MockCalcomError):
    """Raised inside the app to hang up without any response (a "drop the connection" fault).

    The in-process transports turn it into ``httpx.RemoteProtocolError``, as a real socket
    closed mid-request would; the live server aborts the TCP connection.
    """
