"""A booking's serialised form is reused only while nothing it shows has changed."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom import MockCalcom, Settings
from mock_calcom.api.bookings import ENDPOINTS, booking_json, booking_out, bookings_json
from mock_calcom.api.envelope import pagination, success_body, to_json
from mock_calcom.model.resources.bookings import Attendee, Booking, BookingQuery
from mock_calcom.model.tokens import Grant
from mock_calcom.model.users import User
from tests.api.conftest import TokenFactory, headers_for


async def _listed(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await http.get("/v2/bookings", headers=headers_for("/v2/bookings", token))
    assert response.status_code == 200, response.text
    return {b["uid"]: b for b in response.json()["data"]}


def _past_booking_uid(fake: MockCalcom, user: User) -> str:
    now = fake.model.clock.now()
    return next(b.uid for b in fake.model.resources.bookings._by_uid.values()
                if b.host_id == user.id and b.end < now and b.status.value == "accepted")


async def test_marking_absent_twice_in_one_frozen_instant_shows_the_second_mark(
        http: httpx.AsyncClient, fake: MockCalcom, alice: User, mint: TokenFactory) -> None:
    token = mint(alice, ["BOOKING_READ", "BOOKING_WRITE"])
    uid = _past_booking_uid(fake, alice)
    email = fake.model.resources.bookings.require(uid).attendees[0].email
    path = f"/v2/bookings/{uid}/mark-absent"
    for absent in (True, False, True):
        response = await http.post(path, headers=headers_for(path, token),
                                   json={"attendees": [{"email": email, "absent": absent}]})
        assert response.status_code == 200, response.text
        assert (await _listed(http, token))[uid]["attendees"][0]["absent"] is absent


async def test_a_hosts_new_name_shows_on_bookings_listed_before(
        http: httpx.AsyncClient, alice: User, mint: TokenFactory) -> None:
    token = mint(alice, ["BOOKING_READ", "PROFILE_WRITE", "PROFILE_READ"])
    before = await _listed(http, token)
    response = await http.patch("/v2/me", headers=headers_for("/v2/me", token), json={"name": "Alice B"})
    assert response.status_code == 200, response.text
    after = await _listed(http, token)
    assert {b["hosts"][0]["name"] for b in before.values()} == {"Alice Host"}
    assert {b["hosts"][0]["name"] for b in after.values()} == {"Alice B"}


def test_the_cached_form_is_the_booking_serialised_and_follows_assignments(
        fake: MockCalcom, alice: User) -> None:
    booking = fake.model.resources.bookings.require(_past_booking_uid(fake, alice))
    first = booking_json(booking, alice)
    assert booking_json(booking, alice) is first
    assert json.loads(first) == booking_out(booking, alice)
    booking.title = "Renamed"
    assert json.loads(booking_json(booking, alice))["title"] == "Renamed"


def _fresh(fake: MockCalcom, bookings: list[Booking]) -> list[bytes]:
    """The slow path: every booking serialised from scratch."""
    return [to_json(booking_out(b, fake.model.users.get(b.host_id))) for b in bookings]


def test_a_listings_forms_are_the_bookings_serialised_through_every_kind_of_change(
        fake: MockCalcom, alice: User, bob: User) -> None:
    store = fake.model.resources.bookings
    mine = store.involving(alice)
    assert mine
    first = bookings_json(mine, fake.model.users)
    assert first == _fresh(fake, mine)
    assert all(a is b for a, b in zip(bookings_json(mine, fake.model.users), first, strict=True))
    mine[0].title = "Renamed"  # the booking changes
    alice.name = "Alice Renamed"  # a shown field of the host changes
    assert bookings_json(mine, fake.model.users) == _fresh(fake, mine)
    alice.time_zone = "America/New_York"
    assert bookings_json(mine, fake.model.users) == _fresh(fake, mine)
    # Another host object with the same id (the store replaced it): its fields are shown.
    with fake.model.lock:
        twin = User(id=alice.id, username="alice2", email="twin@example.com", name="Twin")
        # At the same revision as the host it replaces: only its identity tells them apart.
        object.__setattr__(twin, "revision", alice.revision)
        fake.model.users._users[alice.id] = twin
    assert bookings_json(mine, fake.model.users) == _fresh(fake, mine)
    assert booking_json(mine[0], twin) == _fresh(fake, mine)[0]
    # A booking whose host is unknown shows getHost's placeholder.
    assert booking_json(mine[0], None) == to_json(booking_out(mine[0], None))


def test_every_assignment_to_a_user_moves_its_revision(alice: User) -> None:
    before = alice.revision
    alice.name = "Other"
    alice.email = "other@example.com"
    assert alice.revision == before + 2


# -- a whole listing's serialised form --------------------------------------------------------

_LIST = next(e for e in ENDPOINTS if (e.method, e.path) == ("GET", "/v2/bookings"))


def _served_listing(fake: MockCalcom, user: User) -> bytes:
    with fake.model.lock:  # a token valid now, whatever the clock did
        token = fake.model.tokens.mint_pair(Grant("c", user.id, None, ("BOOKING_READ",))).access_token
    scope = {"type": "http", "method": "GET", "path": "/v2/bookings", "query_string": b"",
             "headers": [(b"authorization", f"Bearer {token}".encode()),
                         (b"cal-api-version", b"2024-08-13")], "app": fake.app}
    with fake.model.lock:
        response = _LIST.run(scope, None, body_parsed=False)
    assert response.status_code == 200, response.body
    return bytes(response.body)


def _fresh_listing(fake: MockCalcom, user: User) -> bytes:
    """The slow path: the page looked up and every booking serialised from scratch."""
    model = fake.model
    with model.lock:
        page, total = model.resources.bookings.list_for(user, BookingQuery())
        return success_body([to_json(booking_out(b, model.users.get(b.host_id))) for b in page],
                            pagination=pagination(skip=0, take=100, total=total,
                                                  field=model.settings.pagination_field))


def _copy(booking: Booking, **changes: Any) -> Booking:
    """Another booking like ``booking`` sharing none of its mutable parts."""
    parts: dict[str, Any] = {
        "attendees": [dataclasses.replace(a, id=None) for a in booking.attendees],
        "guests": list(booking.guests), "responses": dict(booking.responses),
        "metadata": dict(booking.metadata)}
    return dataclasses.replace(booking, **{**parts, **changes})


_CHANGES = ("title", "cancel", "start", "host_name", "email", "attend", "other_host_name",
            "new_user", "field", "advance", "new_booking", "unknown_host")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_CHANGES), st.integers(0, 1000)), max_size=12))
def test_a_listing_served_again_is_the_listing_made_afresh_after_any_change(
        changes: list[tuple[str, int]]) -> None:
    fake = MockCalcom(Settings(seed=20240813))
    model = fake.model
    alice = model.create_user("alice", "alice@example.com", name="Alice Host")
    bob = model.create_user("bob", "bob@example.com", name="Bob Other")
    store = model.resources.bookings
    assert _served_listing(fake, alice) == _fresh_listing(fake, alice)
    for change, n in changes:
        with model.lock:
            everyone = list(store._by_uid.values())
            booking = everyone[n % len(everyone)]
            if change == "title":
                booking.title = f"Title {n}"
            elif change == "cancel" and booking.status.value != "cancelled":
                store.cancel(booking, f"reason {n}", None)
            elif change == "start":
                booking.start, booking.end = booking.start - 86_400 * n, booking.end - 86_400 * n
            elif change == "host_name":
                alice.name = f"Alice {n}"
            elif change == "email":
                alice.email = f"alice{n % 3}@example.com"
            elif change == "attend":
                bobs = store.hosted_by(bob.id)
                store.add_attendees(bobs[n % len(bobs)], [Attendee(name="A", email=alice.email,
                                                                   time_zone="UTC")])
            elif change == "other_host_name":
                bob.name = f"Bob {n}"
            elif change == "new_user":
                model.create_user(f"user{n}-{len(model.users.all())}")
            elif change == "field":
                model.apply_settings(model.settings.replace(
                    pagination_field=("both", "returnedItems", "itemsReturned")[n % 3]))
            elif change == "advance":
                model.clock.advance(3600 * n)
            elif change == "new_booking":
                store.add(_copy(booking, id=store.new_id(), uid=f"new-{n}-{len(store)}", host_id=alice.id))
            elif change == "unknown_host":
                # Attended by alice, hosted by the user created next (getHost's placeholder
                # until then).
                upcoming = max(u.id for u in model.users.all()) + 1
                store.add(_copy(booking, id=store.new_id(), uid=f"orphan-{n}-{len(store)}",
                                host_id=upcoming,
                                attendees=[Attendee(name="A", email=alice.email, time_zone="UTC")]))
        fresh = _fresh_listing(fake, alice)
        assert _served_listing(fake, alice) == fresh, change
        assert _served_listing(fake, alice) == fresh, change  # and once more, from the cache


def test_a_reset_fake_lists_its_new_bookings() -> None:
    fake = MockCalcom(Settings(seed=7))
    for _ in range(2):
        alice = fake.model.create_user("alice", "alice@example.com")
        assert _served_listing(fake, alice) == _fresh_listing(fake, alice)
        assert _served_listing(fake, alice) == _fresh_listing(fake, alice)
        fake.model.reset()


def test_a_stored_bookings_assignment_moves_its_stores_change_count(fake: MockCalcom, alice: User) -> None:
    store = fake.model.resources.bookings
    booking = store.involving(alice)[0]
    before = store.changes.count
    booking.title = "Another"
    booking.rendered = None  # the API layer's own attachment: no change of the booking
    assert store.changes.count == before + 1
    users_before = fake.model.users.generation
    fake.model.users.create("newcomer")
    assert fake.model.users.generation == users_before + 1


def test_a_listing_shows_a_host_created_after_it_was_served() -> None:
    fake = MockCalcom(Settings(seed=7))
    model = fake.model
    alice = model.create_user("alice", "alice@example.com")
    store = model.resources.bookings
    with model.lock:
        upcoming = max(u.id for u in model.users.all()) + 1
        store.add(dataclasses.replace(store.involving(alice)[0], id=store.new_id(), uid="orphan",
                                      host_id=upcoming,
                                      attendees=[Attendee(name="A", email=alice.email, time_zone="UTC")]))
    listed = _served_listing(fake, alice)
    assert b'"id":"unknown"' in listed  # getHost's placeholder
    with model.lock:
        model.users.create("latecomer")  # the store alone: no bookings seeded with it
    assert _served_listing(fake, alice) == _fresh_listing(fake, alice) != listed


def test_a_listing_follows_its_users_new_address_when_they_host_nothing() -> None:
    fake = MockCalcom(Settings(seed=7))
    model = fake.model
    bob = model.create_user("bob", "bob@example.com")
    with model.lock:
        guest = model.users.create("guest", "guest@example.com")  # no bookings of its own
        store = model.resources.bookings
        store.add_attendees(store.hosted_by(bob.id)[0],
                            [Attendee(name="G", email="guest@example.com", time_zone="UTC")])
    assert b'"totalItems":1' in _served_listing(fake, guest)
    with model.lock:
        guest.email = "elsewhere@example.com"
    assert _served_listing(fake, guest) == _fresh_listing(fake, guest)
    assert b'"totalItems":0' in _served_listing(fake, guest)
