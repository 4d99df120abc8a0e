"""Cal.com's OAuthService: authorize validation, code exchange, refresh, in Cal.com's order.

Every check here raises :class:`~mock_calcom.errors.OAuthError` with the status, ``error``
and ``error_description`` of the fact sheet's section 2 table; the order of the checks is part
of the behaviour (a redirect_uri mismatch wins over a wrong secret, a wrong secret leaves the
code alive, a failed PKCE check has already burned it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from mock_calcom.errors import OAuthError
from mock_calcom.model.clients import ClientStatus, ClientStore, OAuthClient
from mock_calcom.model.codes import CodeStore
from mock_calcom.model.scopes import KNOWN_SCOPES, parse_scope_param
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


@dataclass(frozen=True)
class ValidAuthorization:
    """An authorize request that passed every check: what the consent page shows."""

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
        requested = parse_scope_param(raw)
        scope_error = self._settings.authorize_scope_error
        if not requested and not client.is_legacy:
            raise OAuthError(400, scope_error, "scope_required")
        if any(s not in KNOWN_SCOPES for s in requested):
            raise OAuthError(400, scope_error, "unknown_scope", redirectable=True)
        if not client.is_legacy and any(s not in client.scopes for s in requested):
            raise OAuthError(400, scope_error, "scope_exceeds_client_registration",
                             redirectable=True)
        # The token carries exactly the requested scopes, not the registered set; a legacy
        # client that asked for none gets its registered ones (resolveScopesForTokens,
        # apps/web/modules/auth/oauth2/scopes.ts @23cde4ae).
        return tuple(requested) if requested else tuple(client.scopes)

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
        if authorization.client.is_public and not challenge:
            raise OAuthError(400, "invalid_request", "pkce_required", redirectable=True)
        if (authorization.client.is_public or challenge) and method != "S256":
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
        self._ensure_access(client, found.user_id)
        if found.code_challenge or client.is_public:
            if not code_verifier or found.code_challenge_method != "S256":
                raise OAuthError(400, "invalid_request", "pkce_missing_parameters_or_invalid_method")
            if not hmac.compare_digest(s256(code_verifier), found.code_challenge or ""):
                raise OAuthError(400, "invalid_grant", "pkce_verification_failed")
        grant = Grant(client.client_id, found.user_id, found.team_id, found.scopes)
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
        self._ensure_access(client, claims.grant.user_id)
        if claims.secret is not None and not self._tokens.refresh_row_exists(claims):
            raise OAuthError(400, "invalid_grant", "refresh_token_revoked")
        # Rotation: every refresh row of (client, user) goes, then one new pair is minted.
        self._tokens.revoke_refresh_tokens(client.client_id, claims.grant.user_id,
                                           claims.grant.team_id)
        return self._tokens.mint_pair(claims.grant)

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
