"""Cal.com's OAuthService: authorize validation, code exchange, refresh, in Cal.com's order.

Every check here raises :class:`~mock_calcom.errors.OAuthError` with the status, ``error``
and ``error_description`` of the fact sheet's section 2 table; the order of the checks is part
of the behaviour (a redirect_uri mismatch wins over a wrong secret, a wrong secret leaves the
code alive, a failed PKCE check has already burned it).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import NamedTuple

from mock_calcom.errors import OAuthError
from mock_calcom.model.clients import ClientStatus, ClientStore, OAuthClient
from mock_calcom.model.codes import CodeStore
from mock_calcom.model.scopes import KNOWN_SCOPES, is_legacy_scope_set, parse_scope_param
from mock_calcom.model.tokens import Grant, TokenPair, TokenRejected, TokenService
from mock_calcom.secretvalues import SecretValues
from mock_calcom.settings import Settings


@dataclass(frozen=True)
class AuthorizeRequest:
    """The query of ``GET /auth/oauth2/authorize`` (``response_type`` is ignored by Cal.com)."""

    client_id: str | None
    redirect_uri: str | None
    scope: str | None = None
    state: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None


class ValidAuthorization(NamedTuple):
    """An authorize request that passed every check: what the consent page shows. A named
    tuple (immutable, as the frozen dataclass it was): made at every authorize, and a frozen
    dataclass sets each field through ``object.__setattr__``."""

    client: OAuthClient
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def zod_enum_message(received: str) -> str:
    """A tRPC input error's message: zod 3's ``ZodError.message``, its issue list as
    ``JSON.stringify(issues, null, 2)``, for ``codeChallengeMethod`` failing
    ``z.enum(["S256"])``."""
    issue = {"received": received, "code": "invalid_enum_value", "options": ["S256"],
             "path": ["codeChallengeMethod"],
             "message": f"Invalid enum value. Expected 'S256', received '{received}'"}
    return json.dumps([issue], indent=2, ensure_ascii=False)


class _ScopeRefusal(NamedTuple):
    reason: str
    redirectable: bool


def _judge_scopes(raw: str | None, registered: tuple[str, ...]) -> tuple[str, ...] | _ScopeRefusal:
    """The scopes an authorize request gets, or why it gets none, for a client registered
    with ``registered`` (``OAuthService._authorize_scopes``, which raises the refusal)."""
    requested = parse_scope_param(raw)
    is_legacy = is_legacy_scope_set(registered)  # OAuthClient.is_legacy
    if not requested and not is_legacy:
        return _ScopeRefusal("scope_required", False)
    if any(s not in KNOWN_SCOPES for s in requested):
        return _ScopeRefusal("unknown_scope", True)
    if not is_legacy and any(s not in registered for s in requested):
        return _ScopeRefusal("scope_exceeds_client_registration", True)
    # The token carries exactly the requested scopes, not the registered set; a legacy
    # client that asked for none gets its registered ones (resolveScopesForTokens,
    # apps/web/modules/auth/oauth2/scopes.ts @23cde4ae).
    return tuple(requested) if requested else registered


#: ``scope`` parameters up to this length have their verdict remembered.
_REMEMBERED_SCOPE_PARAM = 1024
_scope_verdict = functools.lru_cache(maxsize=512)(_judge_scopes)


_APPROVED = ClientStatus.APPROVED
_new = tuple.__new__


def _client_not_found() -> OAuthError:
    return OAuthError(401, "invalid_client", "client_not_found")


class OAuthService:
    def __init__(self, clients: ClientStore, codes: CodeStore, tokens: TokenService,
                 settings: Settings, *, secret_values: SecretValues | None = None) -> None:
        self._clients = clients
        self._codes = codes
        self._tokens = tokens
        self._settings = settings
        self._secret_values = secret_values

    # -- authorize -------------------------------------------------------------------------

    def validate_authorize(self, request: AuthorizeRequest, user_id: int | None) -> ValidAuthorization:
        """Check an authorize request for the signed-in ``user_id`` as the page does when it
        loads (``getClientForAuthorization``, OAuthService.ts @027e9710): client, redirect URI,
        client status, scopes. PKCE waits for Allow (:meth:`approve`).

        Errors with ``redirectable=False`` (unknown client, not approved, rejected,
        redirect_uri mismatch, scope required: ``NON_REDIRECTABLE_REASONS``,
        oauth2-error.service.ts @742882da, and the page renders any error of this call as
        text, FACTS §11.6) must be shown on the page; the others go back to the redirect_uri.
        """
        client = self._clients.get(request.client_id) if request.client_id else None
        if client is None:
            raise _client_not_found()
        if request.redirect_uri is None or not client.has_redirect_uri(request.redirect_uri):
            raise OAuthError(400, "invalid_request", "redirect_uri_mismatch")
        self._ensure_access(client, user_id)
        scopes = self._authorize_scopes(client, request.scope)
        return ValidAuthorization(
            client=client,
            redirect_uri=request.redirect_uri,
            scopes=scopes,
            state=request.state,
            code_challenge=request.code_challenge or None,
            code_challenge_method=request.code_challenge_method or None,
        )

    def _authorize_scopes(self, client: OAuthClient, raw: str | None) -> tuple[str, ...]:
        scope_error = self._settings.authorize_scope_error
        key = tuple(client.scopes)
        # The verdict is a pure function of the parameter and the client's scopes: a client
        # asks for the same scopes at every authorize, so it is judged once (long parameters
        # are judged every time, keeping the remembered ones small).
        verdict = (_scope_verdict(raw, key) if raw is None or len(raw) <= _REMEMBERED_SCOPE_PARAM
                   else _judge_scopes(raw, key))
        if isinstance(verdict, _ScopeRefusal):
            raise OAuthError(400, scope_error, verdict.reason, redirectable=verdict.redirectable)
        return verdict

    def approve(self, authorization: ValidAuthorization, user_id: int) -> str:
        """The user pressed Allow (or the client is trusted): check PKCE, then issue a code.

        The page's tRPC input schema comes first: a ``code_challenge_method`` other than
        ``S256`` fails ``z.enum(["S256"])`` (generateAuthCode.schema.ts @059ae832), whose
        message is the zod issue list as JSON. Then ``generateAuthorizationCode``
        (OAuthService.ts @027e9710): a public client needs a challenge and the method, a
        confidential one the method when it sent a challenge. All are redirected.
        """
        method = authorization.code_challenge_method
        if method is not None and method != "S256":
            raise OAuthError(400, "invalid_request", zod_enum_message(method), redirectable=True)
        challenge = authorization.code_challenge
        public = authorization.client.is_public  # read once: the client is under the model lock
        if public and not challenge:
            raise OAuthError(400, "invalid_request", "pkce_required", redirectable=True)
        if (public or challenge) and method != "S256":
            raise OAuthError(400, "invalid_request", "invalid_code_challenge_method",
                             redirectable=True)
        code = self._codes.issue(
            client_id=authorization.client.client_id,
            user_id=user_id,
            scopes=authorization.scopes,
            code_challenge=challenge,
            code_challenge_method=method if challenge else None,
        )
        if self._secret_values is not None:
            self._secret_values.add(code.code, "code")  # redacted by value wherever it goes
        return code.code

    # -- token endpoint --------------------------------------------------------------------

    def exchange(self, *, client_id: str, code: str, redirect_uri: str,
                 client_secret: str | None, code_verifier: str | None) -> TokenPair:
        client = self._clients.get(client_id)
        if client is None:
            raise _client_not_found()
        # Checked against every registered URI, before the secret (AccessCode stores none).
        # Guarded by ``redirectUri &&`` in OAuthService.exchangeCodeForTokens (@027e9710), so an
        # empty redirect_uri skips the check (the G2 pipe only asks for a string; G1 refuses "").
        if redirect_uri and not client.has_redirect_uri(redirect_uri):
            raise OAuthError(400, "invalid_grant", "redirect_uri_mismatch")
        self._authenticate(client, client_secret)
        found = self._codes.take(code, client_id)
        if found is None:
            raise OAuthError(400, "invalid_grant", "code_invalid_or_expired")
        # From here on the code is gone, whatever fails next.
        if client.status is not _APPROVED:  # (an approved client passes _ensure_access)
            self._ensure_access(client, found.user_id)
        if found.code_challenge or client.is_public:
            if not code_verifier or found.code_challenge_method != "S256":
                raise OAuthError(400, "invalid_request", "pkce_missing_parameters_or_invalid_method")
            if not hmac.compare_digest(s256(code_verifier), found.code_challenge or ""):
                raise OAuthError(400, "invalid_grant", "pkce_verification_failed")
        # (tuple.__new__: the named tuple's own __new__ is a Python frame around it.)
        grant = _new(Grant, (client.client_id, found.user_id, found.team_id, found.scopes))
        return self._tokens.mint_pair(grant, code_challenge=found.code_challenge,
                                      code_challenge_method=found.code_challenge_method)

    def refresh(self, *, client_id: str, refresh_token: str,
                client_secret: str | None) -> TokenPair:
        client = self._clients.get(client_id)
        if client is None:
            raise _client_not_found()
        self._authenticate(client, client_secret)
        try:
            claims = self._tokens.verify_refresh(refresh_token)
        except TokenRejected:
            raise OAuthError(400, "invalid_grant", "invalid_refresh_token") from None
        if claims.grant.client_id != client.client_id:
            raise OAuthError(400, "invalid_grant", "client_id_mismatch")
        # Status before the row lookup (refreshAccessToken @027e9710): a revoked token of a
        # rejected client answers client_rejected. Tokens minted before rotation existed carry
        # no ``secret`` and skip the lookup.
        if client.status is not _APPROVED:  # (an approved client passes _ensure_access)
            self._ensure_access(client, claims.grant.user_id)
        # Rotation: every refresh row of (client, user) goes, then one new pair is minted.
        pair = self._tokens.rotate(claims)
        if pair is None:
            raise OAuthError(400, "invalid_grant", "refresh_token_revoked")
        return pair

    # -- shared checks ---------------------------------------------------------------------

    @staticmethod
    def _authenticate(client: OAuthClient, client_secret: str | None) -> None:
        """A confidential client must present a matching secret. Public clients are not
        authenticated at all: ``validateClient`` only looks at CONFIDENTIAL ones (@027e9710),
        so a secret a public client sends is ignored."""
        if client.is_public:
            return
        if not client_secret or not client.verify_secret(client_secret):
            raise OAuthError(401, "invalid_client", "invalid_client_credentials")

    @staticmethod
    def _ensure_access(client: OAuthClient, user_id: int | None) -> None:
        """``ensureClientAccessAllowed``: REJECTED never works, PENDING only for its owner
        (issue #26474). At authorize neither is redirected: the page shows them."""
        if client.status is ClientStatus.REJECTED:
            raise OAuthError(401, "unauthorized_client", "client_rejected")
        if client.status is ClientStatus.PENDING and (
            user_id is None or user_id != client.owner_user_id
        ):
            raise OAuthError(401, "unauthorized_client", "client_not_approved")
