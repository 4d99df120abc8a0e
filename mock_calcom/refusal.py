"""Who a request was for and which Cal.com rule answered it, read off the wire.

Shared by ``serve``'s request log and the journal viewer: the client (``client_id`` in the
query or body, ``x-cal-client-id``, or the bearer token's ``clientId`` claim), the user (the
token's ``userId``; for a token response, the minted access token's) and the rule (the OAuth
``error``/``error_description``, the v2 envelope's code and message, or the ``error`` of an
authorize redirect). Token payloads are read unverified: this only labels, never decides.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWT, unverified; ``{}`` if it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return payload if isinstance(payload, dict) else {}


def bearer_claims(authorization: str | None) -> dict[str, Any]:
    scheme, _, credentials = (authorization or "").partition(" ")
    return jwt_claims(credentials.strip()) if scheme.lower() == "bearer" else {}


def client_in(fields: Any) -> str | None:
    """``client_id`` (or ``clientId``) of a parsed query, form or JSON object."""
    if not isinstance(fields, dict):
        return None
    value = fields.get("client_id", fields.get("clientId"))
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def user_of(claims: dict[str, Any]) -> int | None:
    value = claims.get("userId")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rule_of(status: int | None, location: str | None, body: Any) -> str | None:
    """What Cal.com's answer names when it refuses (``None`` for a success). ``body`` is the
    parsed JSON response, or anything else when it was not JSON."""
    if status is None:
        return "connection dropped"
    if location and 300 <= status < 400:
        query = parse_qs(urlsplit(location).query)
        if "error" in query:
            said = query.get("error_description", [""])[0]
            return f"{query['error'][0]}: {said}" if said else query["error"][0]
        return None
    if status < 400:
        return None
    if not isinstance(body, dict):
        return f"HTTP {status}"
    error = body.get("error")
    if isinstance(error, dict):  # the v2 envelope
        message = error.get("message")
        return f"{error.get('code')}: {message}" if message else str(error.get("code"))
    if isinstance(error, str):
        told = body.get("error_description") or body.get("message")
        return f"{error}: {told}" if isinstance(told, str) and told else error
    message = body.get("message")
    return str(message) if message else f"HTTP {status}"
