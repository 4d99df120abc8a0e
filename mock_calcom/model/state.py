"""One fake Cal.com's whole state, with no HTTP in it."""

from __future__ import annotations

import threading

from mock_calcom.faultregistry import FaultRegistry
from mock_calcom.model.clients import ClientStore
from mock_calcom.model.clock import Clock, FrozenClock
from mock_calcom.model.codes import CodeStore
from mock_calcom.model.consent import Consent
from mock_calcom.model.oauth import OAuthService
from mock_calcom.model.randomness import Randomness
from mock_calcom.model.ratelimit import RateLimiter
from mock_calcom.model.requestids import RequestIds
from mock_calcom.model.resources.store import ResourceStore
from mock_calcom.model.tokens import TokenService
from mock_calcom.model.users import User, UserStore
from mock_calcom.secretvalues import SecretValues
from mock_calcom.settings import Settings


class CalcomModel:
    """Users, clients, codes, tokens and resources of one fake, on one clock and one seed.

    Handlers and the Python API call into this object while holding :attr:`lock`, so a sync
    client's threads, the server's event loop and a test thread see one consistent state.
    """

    def __init__(self, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings if settings is not None else Settings()
        self.settings.validate()
        self.clock: Clock = clock if clock is not None else FrozenClock()
        self.lock = threading.RLock()
        #: Signing epoch: 0 at creation, one more per :meth:`reset`; with :attr:`_salt` it
        #: makes the token key, so a token never outlives the state it was minted for.
        self.epoch = 0
        self._salt = b""
        #: Secret values issued or received (redaction by value); kept across resets, as
        #: old values may still arrive.
        self.secret_values = SecretValues()
        self._build()

    def _build(self) -> None:
        self.rng = Randomness(self.settings.seed)
        # Sub-streams per concern: adding a feature never shifts the ids another one mints.
        self.users = UserStore()
        self.clients = ClientStore(self.clock, self.rng.fork("clients"),
                                   self.settings.max_active_secrets)
        self.codes = CodeStore(self.clock, self.rng.fork("codes"), self.settings.code_ttl,
                               self.settings.max_pending_codes)
        self.tokens = TokenService(self.clock, self.rng.fork("tokens"),
                                   access_ttl=self.settings.access_token_ttl,
                                   refresh_ttl=self.settings.refresh_token_ttl,
                                   epoch=self._epoch_context(),
                                   max_rows_per_user=self.settings.max_refresh_tokens_per_user)
        self.oauth = OAuthService(self.clients, self.codes, self.tokens, self.settings,
                                  secret_values=self.secret_values)
        self.consent = Consent()
        # API v2 resources (event types, schedules, bookings, apps) of every user.
        self.resources = ResourceStore(self.clock, self.rng.fork("resources"))
        # API v2's throttler counters and the test's faults (middleware.py carries both out).
        self.ratelimits = RateLimiter()
        self.faults = FaultRegistry(self.rng.fork("faults"))
        # API v2's X-Request-Id values (the edge's, and the token endpoint's error rule).
        self.request_ids = RequestIds(self.rng.fork("request-id"))

    def _epoch_context(self) -> bytes:
        # Epoch 0 without a salt keeps the seed's own key (same seed, same tokens).
        return f"{self.epoch}".encode("ascii") + self._salt if self.epoch or self._salt else b""

    def salt_signing_key(self, salt: bytes) -> None:
        """Mix ``salt`` into the token key from now on: ``serve`` passes fresh random bytes,
        so a restarted server refuses the tokens of its previous run even with the same
        seed. Tokens minted before are refused at once."""
        with self.lock:
            self._salt = salt
            self.tokens = TokenService(self.clock, self.rng.fork("tokens"),
                                       access_ttl=self.settings.access_token_ttl,
                                       refresh_ttl=self.settings.refresh_token_ttl,
                                       epoch=self._epoch_context(),
                                   max_rows_per_user=self.settings.max_refresh_tokens_per_user)
            self.oauth = OAuthService(self.clients, self.codes, self.tokens, self.settings,
                                  secret_values=self.secret_values)

    def reset(self) -> None:
        """Forget everything (users, clients, tokens, resources); keep settings, seed and
        clock, so a reset fake mints the same ids again. A new signing epoch starts: tokens
        minted before the reset are refused (their user ids may belong to new users)."""
        with self.lock:
            seed = self.settings.seed if self.settings.seed is not None else self.rng.seed
            self.settings = self.settings.replace(seed=seed)
            self.epoch += 1
            self._build()

    def apply_settings(self, settings: Settings) -> None:
        """Switch to ``settings`` keeping all state: lifetimes apply to what is minted from now
        on, limits to the next request; a new ``seed`` takes effect at the next :meth:`reset`."""
        settings.validate()
        with self.lock:
            self.settings = settings
            self.tokens.access_ttl = settings.access_token_ttl
            self.tokens.refresh_ttl = settings.refresh_token_ttl
            self.codes.ttl = settings.code_ttl
            self.codes.max_pending = settings.max_pending_codes
            self.tokens.max_rows_per_user = settings.max_refresh_tokens_per_user
            self.clients.max_active_secrets = settings.max_active_secrets
            self.oauth = OAuthService(self.clients, self.codes, self.tokens, settings,
                                      secret_values=self.secret_values)

    def sizes(self) -> dict[str, int]:
        """Entries held by every structure that grows with traffic (codes, refresh rows,
        caches, throttler counters, the secret-value registry), for a soak or a test that
        checks they stay bounded."""
        with self.lock:
            return {"pending_codes": len(self.codes), "code_expiry_index": self.codes.index_size(),
                    **self.tokens.sizes(), "rate_limit_counters": len(self.ratelimits),
                    "secret_values": len(self.secret_values)}

    def create_user(self, username: str, email: str | None = None, *, name: str | None = None,
                    time_zone: str = "Europe/London") -> User:
        """Create a user together with everything Cal.com gives a new account."""
        with self.lock:
            user = self.users.create(username, email, name=name, time_zone=time_zone)
            # The user's own random stream: same seed, same seed data, whatever came before.
            self.resources.seed_user(user, self.rng.fork(f"user:{user.id}"))
            return user

    def signed_in_user(self) -> User | None:
        """The user the consent page acts for: the chosen one, else the first user."""
        if self.consent.user_id is not None:
            return self.users.get(self.consent.user_id)
        return self.users.first()
