"""Access and refresh tokens: HS256 JWTs shaped like Cal.com's, refresh rows that rotate."""

from __future__ import annotations

import hashlib
import heapq
import json
import math
from collections import deque
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from typing import Any, NamedTuple

from mock_calcom.model.clock import Clock
from mock_calcom.model.jws import HS256, InvalidToken, SignedPrefix
from mock_calcom.model.randomness import Randomness, urlsafe_texts

ACCESS_TOKEN_TYPE = "Access Token"
REFRESH_TOKEN_TYPE = "Refresh Token"
#: Token payloads in jwt.encode's compact JSON (one encoder, not one per token).
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))
#: How many verified tokens a service remembers (a client sends the same bearer many times).
_VERIFIED_CACHE_SIZE = 1024
#: Random bytes in a refresh row's secret (``token_urlsafe(32)``).
_SECRET_BYTES = 32
#: How many grants' serialised payload heads a service keeps (see TokenService._encode).
_PAYLOAD_HEADS_SIZE = 1024


_new = tuple.__new__


class TokenRejected(Exception):
    """A token failed verification; ``reason`` is ``invalid``, ``expired`` or ``wrong_type``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Grant(NamedTuple):
    """Who a token speaks for and what it may do: the claims shared by both token kinds.
    (A named tuple: immutable, and hashed in C, which the per-grant caches of
    :class:`TokenService` do at every mint.)"""

    client_id: str
    user_id: int | None
    team_id: int | None
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class AccessClaims:
    grant: Grant
    issued_at: int
    expires_at: int
    token: str


class RefreshClaims(NamedTuple):
    """(A named tuple: built with every refresh row, at a quarter of a frozen dataclass's
    cost.)"""

    grant: Grant
    secret: str | None
    expires_at: int


class TokenPair(NamedTuple):
    """(A named tuple: immutable, built at every mint at a quarter of a frozen dataclass's
    cost.)"""

    access_token: str
    refresh_token: str
    expires_in: int
    scopes: tuple[str, ...]
    access_expires_at: int


class MintedPair(TokenPair):
    """A pair :meth:`TokenService.mint_pair` signed: both tokens are compact JWS strings
    (:meth:`HS256.sign_after`), the base64url alphabet and dots only, so nothing in them is
    escaped by a JSON encoder (the token endpoint writes them as they are)."""

    __slots__ = ()


class _RefreshRow(NamedTuple):
    """``OAuthRefreshToken{secret, clientId, userId|teamId, expiresAt}``. (A named tuple:
    rows are never changed, and one is built at every mint.)"""

    secret: str
    client_id: str
    user_id: int | None
    team_id: int | None
    expires_at: float
    #: The refresh token this row was minted with and its claims: while the row lives, the
    #: token verifies from here (see TokenService.verify_refresh).
    token: str = ""
    claims: RefreshClaims | None = None


class TokenService:
    """Mints and verifies tokens; owns the refresh-token rows.

    The signing key is per fake (from its seeded randomness), so a token minted by one fake
    is garbage to another: tenants stay isolated.
    """

    def __init__(self, clock: Clock, rng: Randomness, *, access_ttl: int, refresh_ttl: int,
                 epoch: bytes = b"", max_rows_per_user: int = 1000) -> None:
        self._clock = clock
        key = rng.token_hex(32).encode("ascii")
        # The refresh rows' secrets, ``rng.token_urlsafe(32)`` one after another: drawn in
        # blocks, the same bytes in the same order, as nothing else draws from ``rng`` (the
        # service's own stream) after the key.
        self._secrets = rng.blocks(_SECRET_BYTES)
        # ... and as text (``urlsafe_text``), encoded a batch at a time, next first.
        self._secret_texts: deque[str] = deque()
        if epoch:
            # A new signing epoch (a reset, a restarted server): same seed, different key, so
            # tokens of an earlier epoch fail the signature instead of authenticating as
            # whoever now holds their user id.
            key = hashlib.sha256(key + b"|" + epoch).hexdigest().encode("ascii")
        # HS256 only: ``alg: none`` and every other algorithm are refused (see jws.py).
        self._jws = HS256(key)
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        #: Rows kept per (client, user); beyond it the oldest goes (Settings'
        #: ``max_refresh_tokens_per_user``: a bound of the fake, Cal.com has none).
        self.max_rows_per_user = max_rows_per_user
        # Refresh rows by secret, and the secrets of each (client, user) in minting order:
        # rotation revokes a (client, user)'s rows without looking at anyone else's, and the
        # cap drops the oldest first.
        self._rows: dict[str, _RefreshRow] = {}
        self._rows_of: dict[tuple[str, int | None], dict[str, None]] = {}
        # (expires_at, secret) of every row, earliest first, for the purge by expiry.
        self._row_expiry: list[tuple[float, str]] = []
        # Tokens a test expired early (force_expire) -> their own exp: dropped once the
        # clock passes exp, when they would answer "expired" anyway.
        self._forced_expired: dict[str, int] = {}
        self._forced_sweep_at = 64
        # Access tokens whose signature and claims checked out: token -> (claims,
        # AccessClaims, or None when it is some other kind of token). Only what does not
        # change is remembered; expiry (on the fake's clock) and force_expire are judged at
        # every use. The cache belongs to this service and its
        # key, so a fake with a new key (a reset) starts with none.
        self._verified: dict[str, tuple[dict[str, Any], AccessClaims | None]] = {}
        # Refresh tokens this service minted whose row still exists -> the row. Such a token
        # is exactly the string this key signed, so its signature and claims are known
        # without decoding it again; a token whose row is gone takes the full verification.
        self._by_token: dict[str, _RefreshRow] = {}
        # Access tokens minted in the current second, by (grant, exp): an access token is a
        # pure function of its grant and times, so a grant refreshed or exchanged again
        # within the same second gets the same string (as jsonwebtoken would sign it)
        # without signing it again. Emptied when the second changes or it is full.
        self._access_second = -1
        self._recent_access: dict[tuple[Grant, int], str] = {}
        self._payload_heads: dict[tuple[Grant, str], SignedPrefix] = {}

    # -- minting ---------------------------------------------------------------------------

    def mint_pair(self, grant: Grant, *, code_challenge: str | None = None,
                  code_challenge_method: str | None = None) -> TokenPair:
        instant = self._clock.now()  # one reading: the tokens' times and the purge agree
        now = math.floor(instant)
        access_exp = now + self.access_ttl
        recent = self._recent_access
        if now != self._access_second or len(recent) >= _VERIFIED_CACHE_SIZE:
            self._access_second = now
            recent.clear()
        access = recent.get((grant, access_exp))
        if access is None:
            access = recent[grant, access_exp] = self._encode(grant, ACCESS_TOKEN_TYPE, now,
                                                              access_exp)
        texts = self._secret_texts
        if not texts:
            texts.extend(urlsafe_texts(self._secrets.batch(), _SECRET_BYTES))
        secret = texts.popleft()
        refresh_exp = now + self.refresh_ttl
        prefix = self._payload_heads.get((grant, REFRESH_TOKEN_TYPE))
        if prefix is not None and code_challenge is None and type(refresh_exp) is int:
            # _encode's tail with no extras; a secret is base64url text, which the encoder
            # writes between quotes as it is. The times are ints (``now`` is a floor), which
            # ``{:d}`` writes as ``str`` does: without a format spec, an f-string writes an
            # int without looking up and calling its ``__format__``.
            refresh = self._jws.sign_after(
                prefix, f',"iat":{now},"exp":{refresh_exp},"secret":"{secret}"}}'.encode())
        else:
            pkce = None if code_challenge is None else {
                "codeChallenge": code_challenge, "codeChallengeMethod": code_challenge_method}
            refresh = self._encode(grant, REFRESH_TOKEN_TYPE, now, refresh_exp, pkce,
                                   secret=secret)
        expiry = self._row_expiry
        if (expiry and expiry[0][0] <= instant) or len(expiry) > 2 * len(self._rows) + 64:
            self._purge_expired_rows(instant)  # only when it has something to do
        # (tuple.__new__: the named tuples' own __new__ is a Python frame around it.)
        row = self._rows[secret] = _new(_RefreshRow, (
            secret, grant.client_id, grant.user_id, grant.team_id, refresh_exp, refresh,
            _new(RefreshClaims, (grant, secret, refresh_exp))))
        self._by_token[refresh] = row
        owned = self._rows_of.setdefault((grant.client_id, grant.user_id), {})
        owned[secret] = None
        heapq.heappush(self._row_expiry, (refresh_exp, secret))
        while len(owned) > self.max_rows_per_user:
            self._drop_row(next(iter(owned)))  # the oldest of this (client, user)
        return _new(MintedPair, (access, refresh, self.access_ttl, grant.scopes, access_exp))

    def _encode(self, grant: Grant, token_type: str, iat: int, exp: int,
                extra: dict[str, Any] | None = None, *, secret: str | None = None) -> str:
        # mintTokens writes both ids, the absent one as the database's null: a user's token
        # carries ``"teamId": null``, not a missing key (FACTS §11.12). What jsonwebtoken's
        # sign does: compact JSON under a {"alg":"HS256","typ":"JWT"} header.
        #
        # The payload is byte for byte ``_COMPACT_JSON.encode`` of ``{userId, teamId, scope,
        # token_type, clientId, iat, exp, **extra}``. The part fixed by the grant and the kind
        # is serialised, encoded and hashed once per (grant, kind) and kept (a client
        # refreshes the same grant over and over; HS256.prefix); only the times and extras
        # are written, encoded and hashed per token.
        key = (grant, token_type)
        prefix = self._payload_heads.get(key)
        if prefix is None:
            fixed = {"userId": grant.user_id, "teamId": grant.team_id, "scope": list(grant.scopes),
                     "token_type": token_type, "clientId": grant.client_id}
            head = _COMPACT_JSON.encode(fixed)[:-1]  # without the closing brace
            if len(self._payload_heads) >= _PAYLOAD_HEADS_SIZE:
                del self._payload_heads[next(iter(self._payload_heads))]  # the oldest entry
            prefix = self._payload_heads[key] = self._jws.prefix(head.encode())
        tail = f',"iat":{iat:d},"exp":{exp:d}'
        if secret is not None:
            # A refresh token's ``secret`` comes first of the extras, a string written as
            # the encoder writes it.
            tail += ',"secret":' + encode_basestring_ascii(secret)
        if extra:
            tail += "," + _COMPACT_JSON.encode(extra)[1:-1]
        return self._jws.sign_after(prefix, f"{tail}}}".encode())

    # -- verification ----------------------------------------------------------------------

    def _decode(self, token: str) -> dict[str, Any]:
        # Only access tokens are remembered (verify_access): a refresh token is used once.
        cached = self._verified.get(token)
        claims = cached[0] if cached is not None else self._verify_signature(token)
        # jsonwebtoken: expired when now >= exp, so a token is valid exactly while now < exp.
        if self._clock.now() >= claims["exp"] or token in self._forced_expired:
            raise TokenRejected("expired")
        return claims

    def _verify_signature(self, token: str) -> dict[str, Any]:
        try:
            claims: Any = json.loads(self._jws.verify(token))
        except (InvalidToken, ValueError, RecursionError) as exc:
            raise TokenRejected("invalid") from exc
        # Only this fake's tokens pass the signature, and it mints no aud/iss/sub/jti/nbf, so
        # there are no other claims to check; expiry is checked against the fake's
        # clock in _decode, at every use, never against the wall clock.
        if (not isinstance(claims, dict) or not isinstance(claims.get("clientId"), str)
                or not isinstance(claims.get("exp"), int)):
            raise TokenRejected("invalid")
        return claims

    def _remember(self, token: str, claims: dict[str, Any], access: AccessClaims | None) -> None:
        cache = self._verified
        if token not in cache and len(cache) >= _VERIFIED_CACHE_SIZE:
            del cache[next(iter(cache))]  # the oldest entry
        cache[token] = (claims, access)

    @staticmethod
    def _grant(claims: dict[str, Any]) -> Grant:
        scope = claims.get("scope") or []
        user_id, team_id = claims.get("userId"), claims.get("teamId")
        if (not isinstance(scope, list) or not all(isinstance(s, str) for s in scope)
                or not isinstance(user_id, int | None) or not isinstance(team_id, int | None)):
            raise TokenRejected("invalid")
        return Grant(claims["clientId"], user_id, team_id, tuple(scope))

    def verify_access(self, token: str) -> AccessClaims:
        cached = self._verified.get(token)
        if cached is not None and cached[1] is not None:
            # _decode's checks of a remembered token: expiry and force_expire.
            if self._clock.now() >= cached[0]["exp"] or token in self._forced_expired:
                raise TokenRejected("expired")
            return cached[1]
        claims = self._decode(token)
        if claims.get("token_type") != ACCESS_TOKEN_TYPE:
            self._remember(token, claims, None)
            raise TokenRejected("wrong_type")
        access = AccessClaims(self._grant(claims), int(claims.get("iat", 0)), claims["exp"], token)
        self._remember(token, claims, access)
        return access

    def verify_refresh(self, token: str) -> RefreshClaims:
        row = self._by_token.get(token)
        if row is not None and row.claims is not None:
            # What _decode and the checks below would find, without decoding: only expiry
            # (on the fake's clock) and force_expire can change, and they are judged here.
            if self._clock.now() >= row.claims.expires_at or token in self._forced_expired:
                raise TokenRejected("expired")
            return row.claims
        claims = self._decode(token)
        if claims.get("token_type") != REFRESH_TOKEN_TYPE:
            raise TokenRejected("wrong_type")
        secret = claims.get("secret")
        if secret is not None and not isinstance(secret, str):
            raise TokenRejected("invalid")
        return RefreshClaims(self._grant(claims), secret, claims["exp"])

    # -- refresh rows ----------------------------------------------------------------------

    def refresh_row_exists(self, claims: RefreshClaims) -> bool:
        row = self._rows.get(claims.secret) if claims.secret else None
        return row is not None and row.expires_at > self._clock.now()

    def revoke_refresh_tokens(self, client_id: str, user_id: int | None,
                              team_id: int | None = None) -> int:
        """Delete every refresh row of (client, user) or (client, team); returns how many.

        Rotation does exactly this before minting, which is why only one refresh token per
        user per client is ever valid (OAuthRefreshTokenRepository.ts @a0b47ffc).
        """
        secrets = self._rows_of.get((client_id, user_id))
        if not secrets:
            return 0
        doomed = [k for k in secrets if self._rows[k].team_id == team_id]
        for key in doomed:
            self._drop_row(key)
        return len(doomed)

    def rotate(self, claims: RefreshClaims) -> TokenPair | None:
        """A refresh of verified ``claims``: ``None`` when they name a row that is gone
        (:meth:`refresh_row_exists`; claims without a secret name none and skip the check),
        else every row of the grant's (client, user) and team revoked
        (:meth:`revoke_refresh_tokens`) and a new pair minted (:meth:`mint_pair`).

        When the presented row is its owner's only one, as in a refresh chain, it is
        dropped here directly. ``tests/model/test_tokens.py`` compares it with the three
        steps one by one."""
        grant = claims.grant
        secret = claims.secret
        owned = self._rows_of.get((grant.client_id, grant.user_id))
        if secret is not None:
            row = self._rows.get(secret)  # ("" names no row: every secret is 43 characters)
            if row is None or row.expires_at <= self._clock.now():
                return None
            # (The row of a token's secret was minted with the token's grant: its team is
            # the grant's, so revoking the grant's (client, user) and team drops it.)
            if owned is not None and len(owned) == 1 and secret in owned:
                del self._rows[secret]
                self._by_token.pop(row.token, None)
                del self._rows_of[grant.client_id, grant.user_id]
                return self.mint_pair(grant)
        if owned:
            self.revoke_refresh_tokens(grant.client_id, grant.user_id, grant.team_id)
        return self.mint_pair(grant)

    def valid_refresh_count(self, client_id: str, user_id: int | None) -> int:
        now = self._clock.now()
        return sum(1 for k in self._rows_of.get((client_id, user_id), ())
                   if self._rows[k].expires_at > now)

    def _drop_row(self, secret: str) -> None:
        row = self._rows.pop(secret)
        self._by_token.pop(row.token, None)
        owner = (row.client_id, row.user_id)
        secrets = self._rows_of[owner]
        secrets.pop(secret, None)
        if not secrets:
            del self._rows_of[owner]

    def _purge_expired_rows(self, now: float) -> None:
        """Delete rows whose expiry has passed (no refresh can use them again): amortised
        O(log n) per row. The clock never moves backward, so an expired row stays expired."""
        expiry, rows = self._row_expiry, self._rows
        while expiry and expiry[0][0] <= now:
            _, secret = heapq.heappop(expiry)
            row = rows.get(secret)
            if row is not None and row.expires_at <= now:
                self._drop_row(secret)
        # Rotation deletes rows long before they expire: drop their heap entries once they
        # outnumber the live rows, so the heap stays proportional to what is stored.
        if len(expiry) > 2 * len(rows) + 64:
            self._row_expiry = [(r.expires_at, r.secret) for r in rows.values()]
            heapq.heapify(self._row_expiry)

    def sizes(self) -> dict[str, int]:
        """How much of each structure that traffic fills is held (each is bounded: rows by
        expiry and ``max_rows_per_user``, their expiry index by 2 x rows + 64, the cache of
        verified tokens by its size, early-expired tokens by their own expiry)."""
        return {"refresh_rows": len(self._rows), "refresh_owners": len(self._rows_of),
                "refresh_expiry_index": len(self._row_expiry),
                "verified_tokens": len(self._verified),
                "force_expired_tokens": len(self._forced_expired)}

    def __len__(self) -> int:
        """Refresh rows stored (live, or expired and not yet purged)."""
        return len(self._rows)

    def force_expire(self, token: str) -> None:
        """Make a token answer as expired from now on (a test hook: Cal.com cannot revoke an
        access token, but a test may want the 30 minutes to be over for one token only)."""
        claims = self._decode(token)
        forced = self._forced_expired
        forced[token] = claims["exp"]
        if len(forced) > self._forced_sweep_at:
            # Amortised: only tokens not yet expired on the fake clock need remembering.
            now = self._clock.now()
            self._forced_expired = {t: exp for t, exp in forced.items() if exp > now}
            self._forced_sweep_at = 2 * len(self._forced_expired) + 64
