"""``MockCalcom``: one fake Cal.com, its app, and the typed Python control API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from starlette.applications import Starlette

from mock_calcom.app import create_app
from mock_calcom.errors import InvalidControlInput
from mock_calcom.faults import Fault, build_spec
from mock_calcom.model.clock import Clock
from mock_calcom.model.ratelimit import RateLimitRule, token_tracker
from mock_calcom.model.state import CalcomModel
from mock_calcom.model.tokens import TokenRejected
from mock_calcom.settings import Settings


class MockCalcom:
    """A fake Cal.com. Create as many as you like: nothing is shared between two of them.

    ``fake.app`` is the ASGI app (authorize page, token endpoints, API v2, ``/_mock``);
    the methods below are the control plane as Python.
    """

    def __init__(self, settings: Settings | None = None, *, clock: Clock | None = None) -> None:
        self.model = CalcomModel(settings, clock)
        self.app: Starlette = create_app(self)

    @property
    def settings(self) -> Settings:
        return self.model.settings

    # -- faults, rate limits, token controls (owner: faults/rate-limit; mirrors /_mock/faults,
    # -- /_mock/rate-limits and /_mock/tokens; see mock_calcom/faults.py, model/ratelimit.py) --

    def add_fault(self, path: str | None = None, *, method: str | Sequence[str] | None = None,
                  path_regex: str | None = None, token: str | None = None,
                  client_id: str | None = None, status: int | None = None, body: Any = None,
                  text: str | None = None, headers: Mapping[str, str] | None = None,
                  latency: float = 0.0, advance_clock: float = 0.0,
                  drop: Literal["before", "after"] | None = None, times: int | None = None,
                  probability: float = 1.0) -> Fault:
        """Make matching requests go wrong; see :mod:`mock_calcom.faults` for the rules.

        ``fake.add_fault("/v2/bookings*", method="GET", status=503, times=1)`` answers the next
        booking read with a bare 503; ``drop="after"`` lets the fake do the work but loses the
        answer; ``latency=0.2`` sleeps first; ``probability=0.3`` fires on a seeded draw.
        """
        spec = build_spec(method=method, path=path, path_regex=path_regex, token=token,
                          client_id=client_id, status=status, body=body, text=text,
                          headers=headers, latency=latency, advance_clock=advance_clock,
                          drop=drop, times=times, probability=probability)
        return self.model.faults.add(spec)

    @property
    def faults(self) -> list[Fault]:
        """Every registered fault with its ``hits`` and ``remaining`` count, oldest first."""
        return self.model.faults.list()

    def remove_fault(self, fault_id: str) -> Fault:
        return self.model.faults.remove(fault_id)

    def clear_faults(self) -> int:
        """Remove every fault; returns how many there were."""
        return self.model.faults.clear()

    def set_rate_limit(self, token: str, limit: int, *, window: float | None = None,
                       block: float | None = None) -> RateLimitRule:
        """Give one bearer token its own API v2 limit (window and block default to the
        settings'). Like Cal.com's per-key limits, a new limit starts a fresh counter."""
        settings = self.settings
        rule = RateLimitRule(limit, settings.rate_limit_window if window is None else window,
                             settings.rate_limit_block if block is None else block)
        self.model.ratelimits.set_rule(token_tracker(token), rule)
        return rule

    def clear_rate_limit(self, token: str) -> bool:
        """Put a token back on the default limit; ``False`` if it had none of its own."""
        return self.model.ratelimits.clear_rule(token_tracker(token))

    def reset_rate_limits(self) -> None:
        """Forget every request count and block (per-token limits stay)."""
        self.model.ratelimits.reset_counters()

    def revoke_refresh_tokens(self, client_id: str, user_id: int | None = None, *,
                              team_id: int | None = None) -> int:
        """Delete every refresh token of (client, user) or (client, team), as a rotation
        does; returns how many were valid rows. Access tokens live on (they are stateless)."""
        with self.model.lock:
            self.model.clients.require(client_id)
            return self.model.tokens.revoke_refresh_tokens(client_id, user_id, team_id)

    def expire_token(self, token: str) -> None:
        """Make one access or refresh token answer as expired from now on. A token that has
        already expired is left as it is; a token this fake never minted is refused."""
        with self.model.lock:
            try:
                self.model.tokens.force_expire(token)
            except TokenRejected as exc:
                if exc.reason != "expired":
                    raise InvalidControlInput("not a token minted by this fake") from exc
