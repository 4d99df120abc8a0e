"""Issue 9, item 5: everything that grows with traffic stays bounded over a long run.

A soak through ``serve`` watches RSS; these tests watch the structures themselves
(``fake.state_sizes()``): first on a clock too slow for anything to expire (one second per
round; codes live 600), so each bound must come from a cap; then with the clock moved on,
where expiry must empty them.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.model import ratelimit, tokens

CODE_CAP = 40
ROWS_CAP = 15
CACHE_CAP = 32
COUNTER_CAP = 16
COUNTER_SWEEP = 8
SECRET_CAP = 50
JOURNAL_CAP = 100
ROUNDS = 150


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockCalcom]:
    # Fixed caches lowered so that 150 rounds overflow every one of them.
    monkeypatch.setattr(tokens, "_VERIFIED_CACHE_SIZE", CACHE_CAP)
    monkeypatch.setattr(ratelimit, "MAX_COUNTERS", COUNTER_CAP)
    monkeypatch.setattr(ratelimit, "_SWEEP_EVERY", COUNTER_SWEEP)
    settings = Settings(seed=5, max_pending_codes=CODE_CAP, max_refresh_tokens_per_user=ROWS_CAP,
                        journal_limit=JOURNAL_CAP)
    with MockCalcom(settings) as fake:
        fake.model.secret_values.limit = SECRET_CAP
        fake.set_consent("approve")
        yield fake


class Traffic:
    """The soak's mix, in process: authorize, exchange two codes in three, use the token,
    an unknown route, a bad bearer, a malformed token request."""

    def __init__(self, fake: MockCalcom) -> None:
        self.fake = fake
        demo = fake.seed_demo()
        self.client_id = demo.client.client_id
        self.secret = demo.client.client_secret or ""
        self.redirect_uri = demo.redirect_uri
        self.http = fake.client()
        self.authorize = fake.authorize_url(self.client_id, self.redirect_uri,
                                            ["PROFILE_READ", "BOOKING_READ"], state="s")

    def code(self) -> str:
        location = self.http.get(self.authorize).headers["location"]
        return parse_qs(urlsplit(location).query)["code"][0]

    def exchange(self, code: str) -> httpx.Response:
        return self.http.post("/v2/auth/oauth2/token", data={
            "grant_type": "authorization_code", "client_id": self.client_id,
            "client_secret": self.secret, "code": code, "redirect_uri": self.redirect_uri})

    def refresh(self, refresh_token: str) -> httpx.Response:
        return self.http.post("/v2/auth/oauth2/token", data={
            "grant_type": "refresh_token", "client_id": self.client_id,
            "client_secret": self.secret, "refresh_token": refresh_token})

    def round(self, number: int) -> None:
        code = self.code()
        bearer = "nope"
        if number % 3 != 2:  # one code in three is never exchanged
            answer = self.exchange(code)
            assert answer.status_code == 200, answer.text
            bearer = answer.json()["access_token"]
        assert self.http.get("/v2/me", headers={"authorization": f"Bearer {bearer}"}
                             ).status_code in (200, 401)
        assert self.http.get("/v2/nowhere").status_code == 404
        assert self.http.get("/v2/me", headers={"authorization": "Bearer eyJ.bad.token"}
                             ).status_code == 401
        assert self.http.post("/v2/auth/oauth2/token",
                              data={"grant_type": "authorization_code"}).status_code == 400


def _within_bounds(sizes: dict[str, int]) -> None:
    assert sizes["pending_codes"] <= CODE_CAP
    # The expiry index: rebuilt past 2 x codes + 64, swept every 256 issues.
    assert sizes["code_expiry_index"] <= 2 * CODE_CAP + 64 + 256
    assert sizes["refresh_rows"] <= ROWS_CAP * sizes["refresh_owners"]
    assert sizes["refresh_owners"] == 1
    assert sizes["refresh_expiry_index"] <= 2 * ROWS_CAP + 64 + 1
    assert sizes["verified_tokens"] <= CACHE_CAP
    assert sizes["rate_limit_counters"] <= COUNTER_CAP + COUNTER_SWEEP
    assert sizes["secret_values"] <= SECRET_CAP
    assert sizes["journal_entries"] <= JOURNAL_CAP


def test_a_long_run_without_expiry_keeps_every_structure_within_its_cap(
        fake: MockCalcom) -> None:
    traffic = Traffic(fake)
    seen: dict[str, int] = {}
    for number in range(ROUNDS):
        traffic.round(number)
        fake.advance(1)  # distinct tokens (same second, same claims, same JWT)
        sizes = fake.state_sizes()
        _within_bounds(sizes)
        for name, size in sizes.items():
            seen[name] = max(seen.get(name, 0), size)
    # Each cap was reached (so the run really overflowed it), and nothing expired meanwhile.
    assert seen["pending_codes"] == CODE_CAP
    assert seen["refresh_rows"] == ROWS_CAP
    assert seen["verified_tokens"] == CACHE_CAP
    assert seen["secret_values"] == SECRET_CAP
    assert seen["journal_entries"] == JOURNAL_CAP
    assert seen["rate_limit_counters"] > COUNTER_CAP


def test_expiry_on_the_fake_clock_empties_codes_and_refresh_rows(fake: MockCalcom) -> None:
    traffic = Traffic(fake)
    for number in range(12):
        traffic.round(number)
    assert fake.state_sizes()["pending_codes"] > 0
    fake.advance(fake.settings.refresh_token_ttl + 1)  # past every code's and row's expiry
    traffic.round(0)  # an exchange sweeps codes and purges rows before it mints
    sizes = fake.state_sizes()
    assert sizes["pending_codes"] == 0
    assert sizes["refresh_rows"] == 1  # only the one just minted


def test_beyond_the_refresh_cap_the_oldest_refresh_token_is_revoked(fake: MockCalcom) -> None:
    traffic = Traffic(fake)
    minted = [traffic.exchange(traffic.code()).json()["refresh_token"]
              for _ in range(ROWS_CAP + 1)]
    oldest = traffic.refresh(minted[0])
    assert oldest.status_code == 400
    assert oldest.json()["error_description"] == "refresh_token_revoked"
    assert traffic.refresh(minted[-1]).status_code == 200


def test_beyond_the_code_cap_the_oldest_code_no_longer_exchanges(fake: MockCalcom) -> None:
    traffic = Traffic(fake)
    codes = [traffic.code() for _ in range(CODE_CAP + 1)]
    assert traffic.exchange(codes[0]).json()["error"] == "invalid_grant"
    assert traffic.exchange(codes[1]).status_code == 200


def test_tokens_expired_early_are_forgotten_once_they_expire_anyway(fake: MockCalcom) -> None:
    traffic = Traffic(fake)
    for _ in range(70):
        token = traffic.exchange(traffic.code()).json()["access_token"]
        fake.expire_token(token)
        fake.advance(1)
    assert fake.state_sizes()["force_expired_tokens"] == 70
    fake.advance(fake.settings.access_token_ttl)
    for _ in range(130):  # the amortised sweep runs once the set passes 2 x 65 + 64
        fake.expire_token(traffic.exchange(traffic.code()).json()["access_token"])
        fake.advance(1)
    assert fake.state_sizes()["force_expired_tokens"] <= 130  # the first 70 are gone
    assert traffic.http.get("/v2/me", headers={"authorization": f"Bearer {token}"}
                            ).status_code == 401
