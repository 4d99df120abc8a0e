"""Authorization codes: 10 minutes, single use, burned on the first lookup."""

from __future__ import annotations

import heapq
from typing import NamedTuple

from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness

#: Also sweep expired codes on issue after this many issues, so codes that are never
#: exchanged (a user who closes the tab) do not pile up in a server that only issues.
_SWEEP_ON_ISSUE_EVERY = 256


class AuthorizationCode(NamedTuple):
    """An ``AccessCode`` row. Note what is *not* stored: the redirect_uri used at authorize,
    which is why the token endpoint checks redirect_uri against every registered URI.

    A named tuple (immutable, as the frozen dataclass it was): one is made at every
    authorize, and a frozen dataclass sets each field through ``object.__setattr__``."""

    code: str
    client_id: str
    user_id: int | None
    team_id: int | None
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float


class CodeStore:
    def __init__(self, clock: Clock, rng: Randomness, ttl: int, max_pending: int = 10_000) -> None:
        self._clock = clock
        self._rng = rng
        self.ttl = ttl
        #: Codes kept waiting for their exchange; beyond it the oldest is deleted (Settings'
        #: ``max_pending_codes``). Cal.com keeps every row until it is used; on a frozen
        #: clock nothing would ever expire, so a loop of authorizations would grow forever.
        self.max_pending = max_pending
        # In issue order (dict order), which the cap relies on to find the oldest.
        self._codes: dict[str, AuthorizationCode] = {}
        # (expires_at, code) of every stored code, earliest first: the sweep pops only what
        # has expired instead of scanning every outstanding code. The clock never moves
        # backward, so a popped code stays expired. Entries of codes already taken are
        # skipped when popped (and dropped by a rebuild when they outnumber the live ones).
        self._expiry: list[tuple[float, str]] = []
        self._issued_since_sweep = 0

    def issue(
        self,
        *,
        client_id: str,
        user_id: int | None,
        scopes: tuple[str, ...],
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
        team_id: int | None = None,
    ) -> AuthorizationCode:
        # 40 random bytes, base64url without padding (about 54 characters), as Cal.com.
        code = AuthorizationCode(
            code=self._rng.token_urlsafe(40),
            client_id=client_id,
            user_id=user_id,
            team_id=team_id,
            scopes=scopes,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            expires_at=self._clock.now() + self.ttl,
        )
        codes = self._codes
        codes[code.code] = code
        heapq.heappush(self._expiry, (code.expires_at, code.code))
        while len(codes) > self.max_pending:
            del codes[next(iter(codes))]  # the oldest (its heap entry is skipped when popped)
        self._issued_since_sweep += 1
        if self._issued_since_sweep >= _SWEEP_ON_ISSUE_EVERY:
            self._sweep(self._clock.now())
        return code

    def peek(self, code: str) -> AuthorizationCode | None:
        """A code still waiting for its exchange, left in place (the callback debugger shows
        whose it is and when it expires)."""
        found = self._codes.get(code)
        return found if found is not None and found.expires_at > self._clock.now() else None

    def take(self, code: str, client_id: str) -> AuthorizationCode | None:
        """Find a live code of ``client_id`` and delete it, with every expired code.

        Cal.com deletes the row right after the lookup, before PKCE and client-status checks,
        so whatever fails after this point has already burned the code.
        """
        now = self._clock.now()
        expiry = self._expiry
        if (expiry and expiry[0][0] <= now) or len(expiry) > 2 * len(self._codes) + 64:
            self._sweep(now)
        else:
            self._issued_since_sweep = 0  # all a sweep with nothing to delete would do
        found = self._codes.get(code)
        if found is None or found.client_id != client_id:
            return None
        del self._codes[code]
        return found

    def _sweep(self, now: float) -> None:
        """Delete every expired code: amortised O(log n) per code, whatever is outstanding."""
        self._issued_since_sweep = 0
        expiry, codes = self._expiry, self._codes
        while expiry and expiry[0][0] <= now:
            _, key = heapq.heappop(expiry)
            stored = codes.get(key)
            if stored is not None and stored.expires_at <= now:
                del codes[key]
        if len(expiry) > 2 * len(codes) + 64:
            self._expiry = [(c.expires_at, c.code) for c in codes.values()]
            heapq.heapify(self._expiry)

    def __len__(self) -> int:
        return len(self._codes)

    def index_size(self) -> int:
        """Entries of the expiry index (at most 2 x codes + 64 after a sweep, plus the
        codes issued since, at most 256)."""
        return len(self._expiry)
