"""API v2 resources in the model: deterministic seed data, availability, booking lifecycle."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_calcom.errors import BadRequestError, ForbiddenError, NotFoundError
from mock_calcom.model.resources import Attendee, BookingQuery, BookingStatus, NewBooking
from mock_calcom.model.resources.schedules import Availability, Override, Schedule
from mock_calcom.model.resources.timeutil import iso_ms, parse_iso
from mock_calcom.model.state import CalcomModel
from mock_calcom.model.users import User
from mock_calcom.settings import Settings

MONDAY_9 = 1_767_603_600.0  # 2026-01-05T09:00:00Z, the frozen clock's start


def _model(seed: int = 11) -> CalcomModel:
    return CalcomModel(Settings(seed=seed))


def _snapshot(model: CalcomModel, user: User) -> list[tuple[object, ...]]:
    bookings = model.resources.bookings
    return sorted((b.uid, b.start, b.status, b.attendees[0].email)
                  for b in bookings._by_uid.values() if b.host_id == user.id)


def test_the_same_seed_gives_the_same_seed_data() -> None:
    first, second = _model(), _model()
    assert _snapshot(first, first.create_user("alice")) == _snapshot(second, second.create_user("alice"))


def test_a_users_seed_data_does_not_depend_on_what_happened_before() -> None:
    plain, busy = _model(), _model()
    plain.create_user("bob")
    busy.clients.create(name="x", redirect_uris=["https://a.example/cb"])
    bob = busy.create_user("bob")
    busy.resources.bookings.create(_book(busy, bob, "2026-01-06T13:00:00Z"), bob,
                                   busy.resources.schedules.get(bob.default_schedule_id or 0))
    busy_alice, plain_alice = busy.create_user("alice"), plain.create_user("alice")
    assert busy_alice.id == plain_alice.id
    assert _snapshot(busy, busy_alice) == _snapshot(plain, plain_alice)


def test_different_seeds_give_different_uids() -> None:
    one, two = _model(1), _model(2)
    assert _snapshot(one, one.create_user("a")) != _snapshot(two, two.create_user("a"))


def test_a_new_user_gets_schedule_event_types_bookings_and_apps() -> None:
    model = _model()
    user = model.create_user("alice")
    resources = model.resources
    assert [s.id for s in resources.schedules.of_user(user.id)] == [user.default_schedule_id]
    assert [e.slug for e in resources.event_types.of_user(user.id)] == ["15min", "30min", "secret"]
    statuses = sorted(b.status.value for b in resources.bookings._by_uid.values())
    assert statuses == ["accepted", "accepted", "accepted", "cancelled", "pending"]
    assert all(b.created_at <= model.clock.now() for b in resources.bookings._by_uid.values())
    assert resources.apps.calendar(user.id, "google") is not None
    assert [a.type for a in resources.apps.conferencing_of(user.id)] == ["google_video"]


def test_ids_are_unique_across_users_and_tables_stay_apart() -> None:
    model = _model()
    a, b = model.create_user("a"), model.create_user("b")
    event_ids = [e.id for e in model.resources.event_types]
    assert len(set(event_ids)) == 6
    assert a.default_schedule_id != b.default_schedule_id
    assert not set(event_ids) & {a.default_schedule_id, b.default_schedule_id}


def _schedule(tz: str = "Europe/London") -> Schedule:
    return Schedule(1, 1, "w", tz, [Availability(["Monday", "Tuesday"], "09:00", "17:00")],
                    [Override("2026-01-06", "12:00", "13:00")])


def _at(text: str) -> float:
    value = parse_iso(text)
    assert value is not None
    return value


@pytest.mark.parametrize(("start", "end", "covered"), [
    ("2026-01-05T09:00:00Z", "2026-01-05T17:00:00Z", True),
    ("2026-01-05T16:45:00Z", "2026-01-05T17:15:00Z", False),
    ("2026-01-05T08:30:00Z", "2026-01-05T09:30:00Z", False),
    ("2026-01-06T10:00:00Z", "2026-01-06T10:30:00Z", False),  # the override replaces Tuesday's hours
    ("2026-01-06T12:00:00Z", "2026-01-06T13:00:00Z", True),
    ("2026-01-07T10:00:00Z", "2026-01-07T10:30:00Z", False),  # Wednesday: no hours
])
def test_a_schedule_covers_only_its_windows(start: str, end: str, covered: bool) -> None:
    assert _schedule().covers(_at(start), _at(end)) is covered


def test_schedule_hours_are_local_to_the_schedules_time_zone() -> None:
    tokyo = _schedule("Asia/Tokyo")  # 09:00-17:00 JST is 00:00-08:00 UTC
    assert tokyo.covers(_at("2026-01-05T00:00:00Z"), _at("2026-01-05T08:00:00Z"))
    assert not tokyo.covers(_at("2026-01-05T09:00:00Z"), _at("2026-01-05T09:30:00Z"))


@settings(max_examples=40, deadline=None)
@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31))
       .map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000, tzinfo=dt.UTC)))
def test_iso_ms_and_parse_iso_round_trip(moment: dt.datetime) -> None:
    text = iso_ms(moment.timestamp())
    assert parse_iso(text) == pytest.approx(moment.timestamp())


@pytest.mark.parametrize("text", ["2026-02-30", "tomorrow", "2026-01-05T25:00:00Z", "", "2026-1-5"])
def test_parse_iso_refuses_what_strict_iso_8601_refuses(text: str) -> None:
    assert parse_iso(text) is None


def _book(model: CalcomModel, user: User, start: str, slug: str = "30min") -> NewBooking:
    event_type = model.resources.event_types.by_slug(user.id, slug)
    assert event_type is not None
    return NewBooking(event_type=event_type, start=_at(start),
                      attendee=Attendee("Pat", "pat@example.org", "UTC"))


def test_a_failed_booking_changes_nothing() -> None:
    model = _model()
    user = model.create_user("alice")
    before = len(model.resources.bookings)
    with pytest.raises(BadRequestError):
        model.resources.bookings.create(_book(model, user, "2026-01-06T20:00:00Z"), user,
                                        model.resources.schedules.get(user.default_schedule_id or 0))
    assert len(model.resources.bookings) == before


def test_buffers_keep_bookings_apart() -> None:
    model = _model()
    user = model.create_user("alice")
    store = model.resources.bookings
    schedule = model.resources.schedules.get(user.default_schedule_id or 0)
    first = _book(model, user, "2026-01-06T13:00:00Z")
    first.event_type.after_event_buffer = 15
    store.create(first, user, schedule)
    with pytest.raises(BadRequestError):
        store.create(_book(model, user, "2026-01-06T13:40:00Z"), user, schedule)
    store.create(_book(model, user, "2026-01-06T13:45:00Z"), user, schedule)


def test_reschedule_links_old_and_new_and_frees_the_old_slot() -> None:
    model = _model()
    user = model.create_user("alice")
    store = model.resources.bookings
    schedule = model.resources.schedules.get(user.default_schedule_id or 0)
    booking = store.create(_book(model, user, "2026-01-06T13:00:00Z"), user, schedule)
    event_type = model.resources.event_types.get(booking.event_type_id)
    assert event_type is not None
    new = store.reschedule(booking, event_type, user, schedule, _at("2026-01-06T14:00:00Z"),
                           reason="r", rescheduled_by=None)
    assert (booking.status, booking.rescheduled_to_uid) == (BookingStatus.CANCELLED, new.uid)
    assert (new.rescheduled_from_uid, new.end - new.start) == (booking.uid, 1800)
    store.create(_book(model, user, "2026-01-06T13:00:00Z"), user, schedule)


def test_listing_pages_and_counts_only_the_users_bookings() -> None:
    model = _model()
    alice, bob = model.create_user("alice"), model.create_user("bob")
    query = BookingQuery(take=2, skip=1, sort=("start", "asc"))
    page, total = model.resources.bookings.list_for(alice, query)
    assert total == 5
    assert len(page) == 2
    assert all(b.host_id == alice.id for b in page)
    everyone = model.resources.bookings.list_for(bob, BookingQuery())[0]
    assert not {b.uid for b in everyone} & {b.uid for b in page}


def test_schedule_and_event_type_ownership_checks() -> None:
    model = _model()
    alice, bob = model.create_user("alice"), model.create_user("bob")
    with pytest.raises(ForbiddenError):
        model.resources.schedules.owned(alice.id, bob.default_schedule_id or 0)
    with pytest.raises(NotFoundError):
        model.resources.schedules.owned(alice.id, 1)
    with pytest.raises(BadRequestError):
        model.resources.schedules.owned(alice.id, 1, missing_is_bad_request=True)
    bob_event = model.resources.event_types.of_user(bob.id)[0]
    with pytest.raises(NotFoundError):
        model.resources.event_types.owned(alice.id, bob_event.id)
    with pytest.raises(ForbiddenError):
        model.resources.event_types.changeable(alice.id, bob_event.id)


def test_reset_forgets_resources_and_reseeds_the_same_way() -> None:
    model = _model()
    first = _snapshot(model, model.create_user("alice"))
    model.reset()
    assert len(model.resources.bookings) == 0
    assert _snapshot(model, model.create_user("alice")) == first


_TABLES = ("event_types", "schedules", "bookings", "apps", "webhooks", "reservations",
           "private_links", "verified", "teams")


def _first_draws(model: CalcomModel) -> dict[str, list[object]]:
    """Each table's next id and next random bytes (what its first new row would get)."""
    from mock_calcom.model.randomness import Randomness
    from mock_calcom.model.resources.ids import IdSequence

    draws: dict[str, list[object]] = {}
    for name in _TABLES:
        for value in vars(getattr(model.resources, name)).values():
            if isinstance(value, IdSequence):
                draws.setdefault(name, []).append(value.next())
            elif isinstance(value, Randomness):
                draws.setdefault(name, []).append(value.token_bytes(8))
    return draws


def test_resource_tables_are_made_on_first_use_and_their_order_changes_nothing() -> None:
    fresh, touched = _model(), _model()
    assert not set(_TABLES) & set(vars(fresh.resources))  # nothing made yet
    for name in reversed(_TABLES):
        getattr(touched.resources, name)
    assert set(_TABLES) <= set(vars(touched.resources))
    alice = fresh.create_user("alice")
    assert _snapshot(fresh, alice) == _snapshot(touched, touched.create_user("alice"))
    draws = _first_draws(fresh)
    assert draws == _first_draws(touched)
    assert set(draws) == set(_TABLES)  # every table has an id range or a stream
