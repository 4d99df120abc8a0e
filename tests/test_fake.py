"""The Python control API of ``MockCalcom``."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from mock_calcom import MockCalcom, Settings
from mock_calcom.demo import DEMO_REDIRECT_URI
from mock_calcom.errors import InvalidControlInput, UnknownObjectError
from mock_calcom.model import ClientStatus, ClientType, ConsentMode
from mock_calcom.model.scopes import USER_SCOPES
from mock_calcom.model.tokens import Grant

CB = "https://app.example/callback"


@pytest.fixture
def fake() -> Iterator[MockCalcom]:
    with MockCalcom(Settings(seed=11)) as fake:
        yield fake


def _code(fake: MockCalcom, client_id: str, scopes: list[str]) -> str:
    with fake.client() as http:
        response = http.get(fake.authorize_url(client_id, CB, scopes))
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


# -- users -----------------------------------------------------------------------------------

def test_create_user_returns_the_user_and_lists_it(fake: MockCalcom) -> None:
    alice = fake.create_user("alice", name="Alice A", time_zone="Europe/Paris")
    bob = fake.create_user("bob", "bob@corp.example")
    assert (alice.username, alice.email, alice.name, alice.time_zone) == (
        "alice", "alice@example.com", "Alice A", "Europe/Paris")
    assert bob.email == "bob@corp.example"
    assert [u.id for u in fake.users()] == [alice.id, bob.id]
    assert fake.get_user(bob.id) == bob


def test_an_unknown_user_id_is_a_404_error(fake: MockCalcom) -> None:
    with pytest.raises(UnknownObjectError):
        fake.get_user(99)


# -- clients ---------------------------------------------------------------------------------

def test_a_confidential_client_gets_a_plain_secret_once_and_only_its_hash_is_kept(fake: MockCalcom) -> None:
    registered = fake.create_client("App", [CB], ["BOOKING_READ"])
    assert registered.client_secret is not None
    client = fake.get_client(registered.client_id)
    assert client.verify_secret(registered.client_secret)
    assert registered.client_secret not in repr(client)
    assert (client.status, client.client_type) == (ClientStatus.APPROVED, ClientType.CONFIDENTIAL)


def test_a_public_client_has_no_secret(fake: MockCalcom) -> None:
    registered = fake.create_client("Spa", [CB], ["BOOKING_READ"], client_type="PUBLIC")
    assert registered.client_secret is None
    assert registered.client.is_public


def test_a_client_owner_must_be_a_user(fake: MockCalcom) -> None:
    with pytest.raises(UnknownObjectError):
        fake.create_client("App", [CB], owner_user_id=42)
    assert fake.clients() == []


def test_scopes_given_as_one_string_are_refused_not_split_into_letters(fake: MockCalcom) -> None:
    with pytest.raises(InvalidControlInput, match="list of strings"):
        fake.create_client("App", [CB], "BOOKING_READ")


def test_update_client_refuses_unknown_fields_and_changes_nothing(fake: MockCalcom) -> None:
    registered = fake.create_client("App", [CB], ["BOOKING_READ"])
    with pytest.raises(InvalidControlInput, match="colour"):
        fake.update_client(registered.client_id, name="New", colour="red")
    assert fake.get_client(registered.client_id).name == "App"


def test_a_bad_field_in_an_update_leaves_the_good_ones_unapplied(fake: MockCalcom) -> None:
    registered = fake.create_client("App", [CB], ["BOOKING_READ"])
    with pytest.raises(InvalidControlInput):
        fake.update_client(registered.client_id, name="New", redirect_uris=["ftp://nope"])
    client = fake.get_client(registered.client_id)
    assert (client.name, client.redirect_uris) == ("App", [CB])


def test_an_owner_edit_sends_the_client_back_to_pending_an_admin_edit_does_not(fake: MockCalcom) -> None:
    owner = fake.create_user("owner")
    registered = fake.create_client("App", [CB], ["BOOKING_READ"], owner_user_id=owner.id)
    fake.update_client(registered.client_id, name="Renamed by admin")
    assert fake.get_client(registered.client_id).status is ClientStatus.APPROVED
    fake.update_client(registered.client_id, as_owner=True, scopes=["BOOKING_READ", "BOOKING_WRITE"])
    assert fake.get_client(registered.client_id).status is ClientStatus.PENDING


def test_secret_rotation_accepts_both_secrets_until_one_is_deleted(fake: MockCalcom) -> None:
    registered = fake.create_client("App", [CB])
    assert registered.client_secret is not None
    first_id = fake.get_client(registered.client_id).secrets[0].id
    second_id, second = fake.add_client_secret(registered.client_id)
    client = fake.get_client(registered.client_id)
    assert client.verify_secret(registered.client_secret)
    assert client.verify_secret(second)
    fake.delete_client_secret(registered.client_id, first_id)
    assert not client.verify_secret(registered.client_secret)
    with pytest.raises(InvalidControlInput, match="last secret"):
        fake.delete_client_secret(registered.client_id, second_id)


# -- consent, clock, settings ----------------------------------------------------------------

def test_consent_mode_and_user_are_set_together(fake: MockCalcom) -> None:
    fake.create_user("alice")
    bob = fake.create_user("bob")
    consent = fake.set_consent("deny", bob.id)
    assert (consent.mode, consent.user_id) == (ConsentMode.DENY, bob.id)
    with pytest.raises(InvalidControlInput, match="approve, deny, interactive"):
        fake.set_consent("maybe")
    with pytest.raises(UnknownObjectError):
        fake.set_consent("approve", 77)
    assert fake.consent.mode is ConsentMode.DENY


def test_the_consent_user_signs_in_on_the_authorize_page(fake: MockCalcom) -> None:
    fake.create_user("alice")
    bob = fake.create_user("bob")
    registered = fake.create_client("App", [CB], ["PROFILE_READ"])
    fake.set_consent("approve", bob.id)
    code = _code(fake, registered.client_id, ["PROFILE_READ"])
    with fake.client() as http:
        token = http.post("/v2/auth/oauth2/token", data={
            "client_id": registered.client_id, "client_secret": registered.client_secret,
            "grant_type": "authorization_code", "code": code, "redirect_uri": CB}).json()
    claims = fake.model.tokens.verify_access(token["access_token"])
    assert claims.grant.user_id == bob.id


def test_the_clock_only_moves_forward(fake: MockCalcom) -> None:
    start = fake.now()
    assert fake.advance(90) == start + 90
    for bad in (-1, float("nan"), float("inf"), True, "10"):
        with pytest.raises(InvalidControlInput):
            fake.advance(bad)  # type: ignore[arg-type]
    assert fake.now() == start + 90


def test_a_code_expires_when_the_clock_passes_ten_minutes(fake: MockCalcom) -> None:
    fake.create_user("alice")
    registered = fake.create_client("App", [CB], ["BOOKING_READ"])
    code = _code(fake, registered.client_id, ["BOOKING_READ"])
    fake.advance(601)
    with fake.client() as http:
        response = http.post("/v2/auth/oauth2/token", data={
            "client_id": registered.client_id, "client_secret": registered.client_secret,
            "grant_type": "authorization_code", "code": code, "redirect_uri": CB})
    assert response.json()["error_description"] == "code_invalid_or_expired"


def test_updated_lifetimes_apply_to_the_next_tokens(fake: MockCalcom) -> None:
    fake.create_user("alice")
    registered = fake.create_client("App", [CB], ["BOOKING_READ"])
    fake.update_settings(access_token_ttl=60)
    code = _code(fake, registered.client_id, ["BOOKING_READ"])
    with fake.client() as http:
        token = http.post("/v2/auth/oauth2/token", data={
            "client_id": registered.client_id, "client_secret": registered.client_secret,
            "grant_type": "authorization_code", "code": code, "redirect_uri": CB}).json()
    assert token["expires_in"] == 60
    assert fake.settings.access_token_ttl == 60


def test_an_updated_secret_limit_applies_to_existing_clients(fake: MockCalcom) -> None:
    registered = fake.create_client("App", [CB])
    fake.update_settings(max_active_secrets=1)
    with pytest.raises(InvalidControlInput, match="at most 1 active"):
        fake.add_client_secret(registered.client_id)
    fake.update_settings(max_active_secrets=3)
    fake.add_client_secret(registered.client_id)
    fake.add_client_secret(registered.client_id)
    assert len(fake.get_client(registered.client_id).secrets) == 3


def test_update_settings_refuses_unknown_names_and_keeps_the_old_settings(fake: MockCalcom) -> None:
    with pytest.raises(InvalidControlInput):
        fake.update_settings(code_ttl=5, warp_speed=9)
    assert fake.settings.code_ttl == 600


# -- reset, demo -----------------------------------------------------------------------------

def test_reset_forgets_state_keeps_consent_mode_and_mints_the_same_ids(fake: MockCalcom) -> None:
    fake.create_user("alice")
    first = fake.create_client("App", [CB])
    fake.set_consent("interactive")
    with fake.client() as http:
        http.get("/v2/auth/oauth2/clients/" + first.client_id)
    fake.reset()
    assert (fake.users(), fake.clients(), len(fake.journal)) == ([], [], 0)
    assert fake.consent.mode is ConsentMode.INTERACTIVE
    fake.create_user("alice")
    again = fake.create_client("App", [CB])
    assert (again.client_id, again.client_secret) == (first.client_id, first.client_secret)


def test_a_seed_set_at_runtime_takes_effect_at_the_next_reset() -> None:
    with MockCalcom(Settings(seed=1)) as one, MockCalcom(Settings(seed=2)) as two:
        two.update_settings(seed=1)
        two.reset()
        assert one.create_client("A", [CB]).client_id == two.create_client("A", [CB]).client_id


def test_the_demo_is_a_user_and_an_approved_client_with_every_user_scope(fake: MockCalcom) -> None:
    demo = fake.seed_demo()
    assert demo.redirect_uri == DEMO_REDIRECT_URI
    client = fake.get_client(demo.client.client_id)
    assert client.status is ClientStatus.APPROVED
    assert client.scopes == list(USER_SCOPES)
    assert client.owner_user_id == demo.user.id
    assert fake.seed_demo() is demo


def test_the_demo_client_can_register_extra_redirect_uris(fake: MockCalcom) -> None:
    demo = fake.seed_demo(extra_redirect_uris=["http://127.0.0.1:9/_mock/callback"])
    assert fake.get_client(demo.client.client_id).redirect_uris == [
        DEMO_REDIRECT_URI, "http://127.0.0.1:9/_mock/callback"]


# -- URLs, isolation -------------------------------------------------------------------------

def test_the_authorize_url_is_built_as_calcoms_own_client_builds_it(fake: MockCalcom) -> None:
    url = fake.authorize_url("cid", CB, ["BOOKING_READ", "PROFILE_READ"], state="s 1",
                             code_challenge="abc")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "app.cal.com", "/auth/oauth2/authorize")
    assert parse_qs(parts.query) == {
        "client_id": ["cid"], "redirect_uri": [CB], "response_type": ["code"],
        "scope": ["BOOKING_READ PROFILE_READ"], "state": ["s 1"], "code_challenge": ["abc"],
        "code_challenge_method": ["S256"]}
    assert "%20" in parts.query
    local = fake.authorize_url("cid", CB, "BOOKING_READ", base_url="http://127.0.0.1:9/")
    assert local.startswith("http://127.0.0.1:9/auth/oauth2/authorize?")


def test_two_fakes_in_one_process_share_nothing() -> None:
    with MockCalcom() as one, MockCalcom() as two:
        one.create_user("alice")
        registered = one.create_client("App", [CB])
        assert two.users() == []
        # The lookup needs a token (of two's own making): two has no such client.
        with two.model.lock:
            bob = two.model.create_user("bob")
            token = two.model.tokens.mint_pair(Grant("any", bob.id, None, ())).access_token
        with two.client() as http:
            response = http.get(f"/v2/auth/oauth2/clients/{registered.client_id}",
                                headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 404
        assert len(one.journal) == 0
        assert len(two.journal) == 1


def test_close_stops_every_sync_transport_handed_out(fake: MockCalcom) -> None:
    http = fake.client()
    http.get("/v2/auth/oauth2/clients/x")
    fake.close()
    with pytest.raises(RuntimeError, match="closed"):
        http.get("/v2/auth/oauth2/clients/x")


def test_close_reaches_a_transport_whose_client_was_dropped_unclosed() -> None:
    import gc
    import threading

    def portal_threads() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "mock-calcom-transport"}

    before = portal_threads()
    fake = MockCalcom()
    fake.client().get("/v2/auth/oauth2/clients/x")  # the client is garbage at once
    gc.collect()
    started = portal_threads() - before
    assert len(started) == 1
    fake.close()
    [thread] = started
    thread.join(5)
    assert not thread.is_alive()
