"""OAuth clients: registration rules, secrets, the approval lifecycle (FACTS §4)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from mock_calcom.errors import InvalidControlInput, UnknownObjectError
from mock_calcom.model.clients import (
    MAX_REDIRECT_URIS,
    ClientStatus,
    ClientStore,
    ClientType,
    validate_redirect_uris,
)
from mock_calcom.model.clock import FrozenClock
from mock_calcom.model.randomness import Randomness

REDIRECT = "https://app.example.com/callback"


@pytest.fixture
def store() -> ClientStore:
    return ClientStore(FrozenClock(), Randomness(7), max_active_secrets=2)


# -- redirect URIs ---------------------------------------------------------------------------


@pytest.mark.parametrize("uri", [
    "https://app.example.com/cb", "https://app.example.com:8443/cb?tenant=1",
    "http://localhost/cb", "http://localhost:3000/cb", "http://127.0.0.1:8000/cb",
    "http://[::1]:8000/cb", "http://my-laptop.local/cb", "http://LOCALHOST/cb",
    "https://x.example",
])
def test_allowed_redirect_uris(uri: str) -> None:
    assert validate_redirect_uris([uri]) == [uri]


@pytest.mark.parametrize("uri", [
    "http://app.example.com/cb",      # http only for loopback and *.local
    "http://localhost.example.com/cb",
    "http://127.0.0.2/cb",
    "ftp://app.example.com/cb",
    "https://app.example.com/cb#frag",  # no fragment
    "https://app.example.com/cb#",
    "/relative/cb",
    "app.example.com/cb",
    "https://",
    "http://[::1/cb",
])
def test_refused_redirect_uris(uri: str) -> None:
    with pytest.raises(InvalidControlInput):
        validate_redirect_uris([uri])


def test_between_one_and_ten_redirect_uris() -> None:
    ten = [f"https://app.example.com/cb{i}" for i in range(MAX_REDIRECT_URIS)]
    assert validate_redirect_uris(ten) == ten
    with pytest.raises(InvalidControlInput):
        validate_redirect_uris([*ten, "https://app.example.com/cb10"])
    with pytest.raises(InvalidControlInput):
        validate_redirect_uris([])


def test_redirect_uris_must_not_repeat() -> None:
    with pytest.raises(InvalidControlInput):
        validate_redirect_uris([REDIRECT, REDIRECT])


@pytest.mark.parametrize("value", [REDIRECT, None, [REDIRECT, 3], {"uri": REDIRECT}])
def test_redirect_uris_must_be_a_list_of_strings(value: object) -> None:
    with pytest.raises(InvalidControlInput):
        validate_redirect_uris(value)


def test_redirect_uri_matching_is_exact(store: ClientStore) -> None:
    client, _ = store.create(name="A", redirect_uris=[REDIRECT, "http://localhost:3000/cb"])
    assert client.has_redirect_uri(REDIRECT)
    assert client.has_redirect_uri("http://localhost:3000/cb")
    for near in (REDIRECT + "/", REDIRECT.upper(), REDIRECT + "?a=1", "https://app.example.com/call"):
        assert not client.has_redirect_uri(near)


# -- creation --------------------------------------------------------------------------------


def test_client_ids_are_64_hex_chars_and_reproducible() -> None:
    first = ClientStore(FrozenClock(), Randomness(7), 2).create(name="A", redirect_uris=[REDIRECT])
    again = ClientStore(FrozenClock(), Randomness(7), 2).create(name="A", redirect_uris=[REDIRECT])
    assert len(first[0].client_id) == 64
    int(first[0].client_id, 16)
    assert first[0].client_id == again[0].client_id
    assert first[1] == again[1]


def test_public_clients_have_no_secret(store: ClientStore) -> None:
    client, secret = store.create(name="A", redirect_uris=[REDIRECT], client_type="PUBLIC")
    assert secret is None
    assert client.secrets == []
    assert client.client_type is ClientType.PUBLIC
    with pytest.raises(InvalidControlInput):
        store.add_secret(client.client_id)


@pytest.mark.parametrize("options", [
    {"name": ""}, {"name": "  "}, {"client_type": "SECRET"}, {"status": "DONE"},
    {"scopes": ["BOOKING_READ", "TELEPORT"]}, {"scopes": "BOOKING_READ"}, {"is_trusted": "yes"},
])
def test_bad_client_fields_are_refused(store: ClientStore, options: dict[str, object]) -> None:
    fields: dict[str, object] = {"name": "A", "redirect_uris": [REDIRECT]}
    fields.update(options)
    with pytest.raises(InvalidControlInput):
        store.create(**fields)  # type: ignore[arg-type]
    assert store.all() == []


def test_duplicate_client_ids_are_refused(store: ClientStore) -> None:
    store.create(name="A", redirect_uris=[REDIRECT], client_id="fixed")
    with pytest.raises(InvalidControlInput):
        store.create(name="B", redirect_uris=[REDIRECT], client_id="fixed")


# -- secrets ---------------------------------------------------------------------------------


def test_only_the_sha256_of_a_secret_is_stored(store: ClientStore) -> None:
    client, secret = store.create(name="A", redirect_uris=[REDIRECT])
    assert secret is not None
    assert len(secret) == 64
    assert client.secrets[0].hashed == hashlib.sha256(secret.encode()).hexdigest()
    assert client.secrets[0].hint == secret[-4:]
    assert secret not in repr(client)


def test_a_secret_verifies_and_others_do_not(store: ClientStore) -> None:
    client, secret = store.create(name="A", redirect_uris=[REDIRECT])
    assert secret is not None
    assert client.verify_secret(secret)
    assert not client.verify_secret(secret.upper())
    assert not client.verify_secret("")
    assert not client.verify_secret(client.secrets[0].hashed)


def test_every_stored_hash_is_compared_in_constant_time(
    store: ClientStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, secret = store.create(name="A", redirect_uris=[REDIRECT])
    store.add_secret(client.client_id)
    assert secret is not None
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert client.verify_secret(secret)  # matches the first; the second is still compared
    assert len(calls) == 2


def test_two_active_secrets_both_work_and_a_third_is_refused(store: ClientStore) -> None:
    client, first = store.create(name="A", redirect_uris=[REDIRECT])
    _, second = store.add_secret(client.client_id)
    assert first is not None
    assert client.verify_secret(first)
    assert client.verify_secret(second)
    with pytest.raises(InvalidControlInput):
        store.add_secret(client.client_id)


def test_deleting_a_secret_rotates_it_out_but_the_last_stays(store: ClientStore) -> None:
    client, first = store.create(name="A", redirect_uris=[REDIRECT])
    row, second = store.add_secret(client.client_id)
    old_id = client.secrets[0].id
    store.delete_secret(client.client_id, old_id)
    assert first is not None
    assert not client.verify_secret(first)
    assert client.verify_secret(second)
    with pytest.raises(InvalidControlInput):
        store.delete_secret(client.client_id, row.id)
    assert client.verify_secret(second)
    with pytest.raises(UnknownObjectError):
        store.delete_secret(client.client_id, old_id)


def test_a_secret_verified_before_its_rotation_is_refused_after_it(store: ClientStore) -> None:
    """The digests of presented secrets are kept; what they match is judged anew each time."""
    client, first = store.create(name="A", redirect_uris=[REDIRECT])
    assert first is not None
    assert client.verify_secret(first)
    assert client.verify_secret(first)
    _, second = store.add_secret(client.client_id)
    store.delete_secret(client.client_id, client.secrets[0].id)
    assert not client.verify_secret(first)
    assert client.verify_secret(second)
    for i in range(20):  # more distinct secrets than are kept: still judged right
        assert not client.verify_secret(f"guess-{i}")
    assert client.verify_secret(second)
    assert not client.verify_secret(first)
    assert first not in repr(client)


# -- lifecycle -------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [
    {"name": "Renamed"}, {"logo": "https://cdn.example.com/new.png"},
    {"redirect_uris": [REDIRECT, "https://app.example.com/other"]},
    {"scopes": ["BOOKING_READ", "SCHEDULE_READ"]},
])
def test_owner_edits_send_an_approved_client_back_to_pending(
    store: ClientStore, change: dict[str, object],
) -> None:
    client, _ = store.create(name="A", redirect_uris=[REDIRECT], scopes=["BOOKING_READ"])
    store.update(client.client_id, as_owner=True, **change)  # type: ignore[arg-type]
    assert client.status is ClientStatus.PENDING


@pytest.mark.parametrize("change", [
    {"name": "A"}, {"scopes": ["BOOKING_WRITE"]}, {"scopes": ["BOOKING_WRITE", "BOOKING_READ"]},
    {"redirect_uris": [REDIRECT]}, {"is_trusted": True},
])
def test_owner_edits_that_broaden_nothing_keep_the_status(
    store: ClientStore, change: dict[str, object],
) -> None:
    client, _ = store.create(name="A", redirect_uris=[REDIRECT], scopes=["BOOKING_WRITE"])
    store.update(client.client_id, as_owner=True, **change)  # type: ignore[arg-type]
    assert client.status is ClientStatus.APPROVED


def test_editing_a_rejected_client_resubmits_it(store: ClientStore) -> None:
    client, _ = store.create(name="A", redirect_uris=[REDIRECT])
    store.update(client.client_id, status="REJECTED", rejection_reason="Spam")
    assert client.rejection_reason == "Spam"
    store.update(client.client_id, as_owner=True, name="A")
    assert client.status is ClientStatus.PENDING
    assert client.rejection_reason is None


def test_admins_set_the_status_and_owners_cannot(store: ClientStore) -> None:
    client, _ = store.create(name="A", redirect_uris=[REDIRECT], status="PENDING")
    with pytest.raises(InvalidControlInput):
        store.update(client.client_id, as_owner=True, status="APPROVED")
    store.update(client.client_id, status="APPROVED", name="Renamed")
    assert client.status is ClientStatus.APPROVED


def test_a_bad_update_changes_nothing(store: ClientStore) -> None:
    client, _ = store.create(name="A", redirect_uris=[REDIRECT])
    with pytest.raises(InvalidControlInput):
        store.update(client.client_id, as_owner=True, name="B", redirect_uris=["http://x.example"])
    assert client.name == "A"
    assert client.status is ClientStatus.APPROVED


def test_legacy_clients_have_no_scopes_or_only_legacy_ones(store: ClientStore) -> None:
    assert store.create(name="A", redirect_uris=[REDIRECT])[0].is_legacy
    assert store.create(name="B", redirect_uris=[REDIRECT], scopes=["READ_PROFILE"])[0].is_legacy
    assert not store.create(name="C", redirect_uris=[REDIRECT],
                            scopes=["READ_PROFILE", "BOOKING_READ"])[0].is_legacy
