"""Authorization codes: 10 minutes, single use, burned on the first lookup."""

from __future__ import annotations

from dataclasses import dataclass

from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness


@dataclass(frozen=True)
class AuthorizationCode:
    """An ``AccessCode`` row. Note what is *not* stored: the redirect_uri used at authorize,
    which is why the token endpoint checks redirect_uri against every registered URI."""

    code: str
    client_id: str
    user_id: int | None
    team_id: int | None
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float


class CodeStore:
    def __init__(self, clock: Clock, rng: Randomness, ttl: int) -> None:
        self._clock = clock
        self._rng = rng
        self.ttl = ttl
        self._codes: dict[str, AuthorizationCode] = {}

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
        self._codes[code.code] = code
        return code

    def take(self, code: str, client_id: str) -> AuthorizationCode | None:
        """Find a live code of ``client_id`` and delete it, with every expired code.

        Cal.com deletes the row right after the lookup, before PKCE and client-status checks,
        so whatever fails after this point has already burned the code.
        """
        now = self._clock.now()
        for key in [k for k, c in self._codes.items() if c.expires_at <= now]:
            del self._codes[key]
        found = self._codes.get(code)
        if found is None or found.client_id != client_id:
            return None
        del self._codes[code]
        return found

    def __len__(self) -> int:
        return len(self._codes)
