"""The G2 token endpoint's input pipe: a parsed body in, a typed request or an OAuthError out.

Mirrors ``OAuth2TokenInputPipe`` (apps/api/v2/src/modules/auth/oauth2/inputs/
token.input.pipe.ts @d61c5fdf) and the class-validator run it makes with ``whitelist`` and
``forbidNonWhitelisted``, down to the wording and order of the error description, because
integrators log (and sometimes match on) that text. The body is a JSON-like value: what
body-parser or ``qs`` produced, so JavaScript's truthiness rules apply to it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mock_calcom.errors import OAuthError

AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"


class ExchangeInput(NamedTuple):
    """``grant_type=authorization_code``; exactly one of the two credentials is set. (Named
    tuples: immutable like a frozen dataclass, and built per token request at a quarter of
    its cost.)"""

    client_id: str
    code: str
    redirect_uri: str
    client_secret: str | None
    code_verifier: str | None


class RefreshInput(NamedTuple):
    """``grant_type=refresh_token``; ``client_secret`` is ``None`` for public clients."""

    client_id: str
    refresh_token: str
    client_secret: str | None


TokenInput = ExchangeInput | RefreshInput

#: The four DTOs, properties in declaration order (class-validator reports in this order).
#: Every property is ``@IsString()`` and required; the schema is chosen by whether the key
#: ``client_secret`` is present, so a confidential request cannot carry ``code_verifier``
#: (FACTS §1.2, §6: the live client's comment confirms mixed requests are rejected).
_SCHEMAS: dict[tuple[str, bool], tuple[str, ...]] = {
    (AUTHORIZATION_CODE, True): ("client_id", "grant_type", "code", "redirect_uri", "client_secret"),
    (AUTHORIZATION_CODE, False): ("client_id", "grant_type", "code", "redirect_uri", "code_verifier"),
    (REFRESH_TOKEN, True): ("client_id", "grant_type", "refresh_token", "client_secret"),
    (REFRESH_TOKEN, False): ("client_id", "grant_type", "refresh_token"),
}

#: The same, as sets: the check of a well-formed request (see _class_validator_errors).
_DECLARED = {key: frozenset(props) for key, props in _SCHEMAS.items()}

_ONLY_STR = {str}

_new = tuple.__new__


#: Each schema's key set -> its grant type.
_GRANT_OF_KEYS = {frozenset(props): grant for (grant, _), props in _SCHEMAS.items()}

_MAX_ARRAY_INDEX = 2**32 - 2


def invalid_request(description: str) -> OAuthError:
    return OAuthError(400, "invalid_request", description)


def parse_token_input(body: Any) -> TokenInput:
    """Validate a token request body as Cal.com does, or raise ``invalid_request``."""
    if type(body) is dict:
        # A well-formed request: exactly one schema's keys (the four key sets differ), that
        # schema's grant type, a client_id that is not empty and only strings. It has no
        # errors, so it is answered at once (the schema the checks below would choose is
        # the one its keys name).
        grant = _GRANT_OF_KEYS.get(frozenset(body))
        if grant is not None and body["grant_type"] == grant and body["client_id"]:
            for value in body.values():
                if not isinstance(value, str):
                    break
            else:  # every value a string (a loop: "".join copied a refresh token to say so)
                # (tuple.__new__: the named tuples' own __new__ is a Python frame around it.)
                if grant == REFRESH_TOKEN:
                    return _new(RefreshInput, (body["client_id"], body["refresh_token"],
                                               body.get("client_secret")))
                return _new(ExchangeInput, (
                    body["client_id"], body["code"], body["redirect_uri"],
                    body.get("client_secret"), body.get("code_verifier")))
        fields: dict[str, Any] = body  # an object, and every object is truthy
    else:
        if _js_falsy(body):
            raise invalid_request("Body is required")
        if not isinstance(body, dict | list):  # typeof [] === "object" in JavaScript
            raise invalid_request("Body should be an object")
        fields = body if isinstance(body, dict) else {}
    client_id = fields.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise invalid_request("client_id is required")
    grant_type = fields.get("grant_type")
    if grant_type not in (AUTHORIZATION_CODE, REFRESH_TOKEN):
        # Not unsupported_grant_type: the pipe answers invalid_request (FACTS §10.3).
        raise invalid_request("grant_type must be 'authorization_code' or 'refresh_token'")
    schema = (grant_type, "client_secret" in fields)
    declared = _SCHEMAS[schema]
    # A well-formed request (exactly the declared keys, every value a string) has no errors;
    # only a malformed one needs class-validator's ordered list.
    if not (fields.keys() == _DECLARED[schema] and {*map(type, fields.values())} == _ONLY_STR):
        errors = _class_validator_errors(fields, declared)
        if errors:
            raise invalid_request(format_errors(errors))
    if grant_type == AUTHORIZATION_CODE:
        return ExchangeInput(client_id, fields["code"], fields["redirect_uri"],
                             fields.get("client_secret"), fields.get("code_verifier"))
    return RefreshInput(client_id, fields["refresh_token"], fields.get("client_secret"))


def _class_validator_errors(fields: dict[str, Any],
                            declared: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """``validateSync(dto, {whitelist, forbidNonWhitelisted})``: first one error per
    undeclared property, in ``Object.keys`` order, then the declared properties in
    declaration order. (``@Equals`` on grant_type cannot fail here: the pipe checked it.)"""
    errors: list[tuple[str, list[str]]] = [
        (key, [f"property {key} should not exist"])
        for key in js_key_order(fields) if key not in declared
    ]
    errors.extend((prop, [f"{prop} must be a string"])
                  for prop in declared if not isinstance(fields.get(prop), str))
    return errors


def format_errors(errors: list[tuple[str, list[str]]]) -> str:
    """The pipe's ``formatErrors``: ``"<prop> property is wrong,<constraints> "`` joined by
    ``", "`` (the trailing space is where an empty children list goes)."""
    return ", ".join(f"{prop} property is wrong,{', '.join(messages)} "
                     for prop, messages in errors)


def js_key_order(fields: dict[str, Any]) -> list[str]:
    """``Object.keys`` order: array-index keys ascending first, then the rest as inserted."""
    indices = sorted((k for k in fields if _is_array_index(k)), key=int)
    return indices + [k for k in fields if not _is_array_index(k)]


def _is_array_index(key: str) -> bool:
    return key.isascii() and key.isdigit() and str(int(key)) == key and int(key) <= _MAX_ARRAY_INDEX


def _js_falsy(value: Any) -> bool:
    """``!value`` in JavaScript for a JSON value: null, false, 0 and "" (not {} or [])."""
    if value is None or value is False or value == "":
        return True
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0
