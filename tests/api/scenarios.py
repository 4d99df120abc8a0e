"""Requests that succeed on every served API v2 operation, for the conformance and scope tests.

Each scenario acts as the context's user (whose seed data it relies on) with the context's
token, and names the status Cal.com documents for success.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.resources import BookingStatus
from mock_calcom.model.users import User
from tests.api.conftest import headers_for


@dataclass
class Ctx:
    fake: MockCalcom
    http: httpx.AsyncClient
    user: User
    token: str

    def uid(self, status: BookingStatus, *, past: bool = False) -> str:
        now = self.fake.model.clock.now()
        return next(b.uid for b in sorted(self.fake.model.resources.bookings._by_uid.values(),
                                          key=lambda b: b.start)
                    if b.status is status and b.host_id == self.user.id and (b.end < now) == past)

    def event_type(self, slug: str) -> int:
        found = self.fake.model.resources.event_types.by_slug(self.user.id, slug)
        assert found is not None
        return found.id

    def slot(self, days: int = 1, hour: int = 13) -> str:
        day = dt.datetime.fromtimestamp(self.fake.model.clock.now(), tz=dt.UTC).date()
        day += dt.timedelta(days=days)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return f"{day.isoformat()}T{hour:02d}:00:00.000Z"

    def webhook(self, event_type_slug: str | None = None) -> str:
        """A webhook of the user (or of one of their event types), made in the model."""
        values = {"subscriberUrl": "https://hooks.example/seeded", "triggers": ["BOOKING_CREATED"],
                  "active": True}
        store = self.fake.model.resources.webhooks
        with self.fake.model.lock:
            if event_type_slug is None:
                return store.create_for_user(self.user.id, values).id
            return store.create_for_event_type(self.event_type(event_type_slug), values).id

    def attendee_id(self, uid: str) -> int:
        booking = self.fake.model.resources.bookings.get(uid)
        assert booking is not None
        found = booking.attendees[0].id
        assert found is not None
        return found

    def with_guest(self, uid: str) -> str:
        """``uid`` after adding a second attendee (so one may be removed)."""
        from mock_calcom.model.resources.bookings import Attendee
        booking = self.fake.model.resources.bookings.get(uid)
        assert booking is not None
        with self.fake.model.lock:
            self.fake.model.resources.bookings.add_attendees(
                booking, [Attendee("Second Person", "second@example.org", "UTC")])
        return uid

    def reservation(self) -> str:
        event_type = self.fake.model.resources.event_types.get(self.event_type("30min"))
        assert event_type is not None
        start = dt.datetime.fromisoformat(self.slot(days=3)).timestamp()
        with self.fake.model.lock:
            return self.fake.model.resources.reservations.reserve(event_type.id, start, start + 1800, 5,
                                                                  None).uid

    def team(self) -> int:
        """A team the user owns, seeded in the model."""
        from mock_calcom.model.resources.teams import Role
        with self.fake.model.lock:
            team = self.fake.model.resources.teams.create("Scenario Team")
            self.fake.model.resources.teams.add_member(team, self.user.id, Role.OWNER)
        return team.id

    def other_user(self) -> int:
        """A second user of the fake (made once), for membership writes."""
        found = next((u for u in self.fake.model.users.all() if u.username == "scenario-member"), None)
        return found.id if found is not None else self.fake.model.create_user("scenario-member").id

    def membership(self) -> tuple[int, int]:
        """(team id, membership id) of a second user in a team the user owns."""
        team_id = self.team()
        other = self.other_user()
        with self.fake.model.lock:
            team = self.fake.model.resources.teams.get(team_id)
            assert team is not None
            return team_id, self.fake.model.resources.teams.add_member(team, other).id

    def private_link(self) -> str:
        with self.fake.model.lock:
            return self.fake.model.resources.private_links.create(self.event_type("30min"), None, 2).link_id

    def code(self, kind: str, value: str) -> str:
        with self.fake.model.lock:
            return self.fake.model.resources.verified.request(self.user.id, kind, value)

    def verified(self, kind: str, value: str) -> int:
        store = self.fake.model.resources.verified
        with self.fake.model.lock:
            return store.verify(self.user.id, kind, value, store.request(self.user.id, kind, value)).id

    @property
    def google(self) -> tuple[int, str]:
        """(credential id, external id) of the user's seeded Google calendar."""
        connection = self.fake.model.resources.apps.calendar(self.user.id, "google")
        assert connection is not None
        return connection.credential_id, connection.external_id

    def ics_feed(self) -> int:
        with self.fake.model.lock:
            feed = self.fake.model.resources.apps.add_ics_feed(self.user.id, ["https://feeds.example/a.ics"],
                                                               True)
        return feed.credential_id

    def days(self, offset: int) -> str:
        day = dt.datetime.fromtimestamp(self.fake.model.clock.now(), tz=dt.UTC).date()
        return (day + dt.timedelta(days=offset)).isoformat()

    async def call(self, method: str, path: str, json: object = None) -> httpx.Response:
        return await self.http.request(method, path, json=json, headers=headers_for(path, self.token))

    async def legacy(self, method: str, path: str, json: object = None) -> httpx.Response:
        """A request without ``cal-api-version``: the 2024-04-15 legacy controllers."""
        return await self.http.request(method, path, json=json,
                                       headers={"Authorization": f"Bearer {self.token}"})


Scenario = Callable[[Ctx], Awaitable[httpx.Response]]
_B = "/v2/bookings"
_E = "/v2/event-types"
_S = "/v2/schedules"
_W = "/v2/webhooks"
_NEW_HOOK = {"subscriberUrl": "https://hooks.example/new",
             "triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED"],
             "active": True, "payloadTemplate": '{"t":"{{type}}"}', "secret": "s3cret"}


def _etw(c: Ctx, tail: str = "") -> str:
    return f"{_E}/{c.event_type('30min')}/webhooks{tail}"


SCENARIOS: dict[str, tuple[int, Scenario]] = {
    "MeController_getMe": (200, lambda c: c.call("GET", "/v2/me")),
    "MeController_updateMe": (200, lambda c: c.call("PATCH", "/v2/me", {"bio": "Hi", "timeFormat": 12})),
    "BookingsController_2024_08_13_getBookings": (200, lambda c: c.call("GET", f"{_B}?take=2&skip=1")),
    "BookingsController_2024_08_13_createBooking": (201, lambda c: c.call("POST", _B, {
        "start": c.slot(), "eventTypeSlug": "30min", "username": c.user.username,
        "attendee": {"name": "Pat Doe", "email": "pat@example.org", "timeZone": "Europe/Paris"},
        "guests": ["g@example.org"]})),
    "BookingsController_2024_08_13_getBooking": (
        200, lambda c: c.call("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}")),
    "BookingsController_2024_08_13_cancelBooking": (200, lambda c: c.call(
        "POST", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/cancel", {"cancellationReason": "Ill"})),
    "BookingsController_2024_08_13_rescheduleBooking": (201, lambda c: c.call(
        "POST", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/reschedule",
        {"start": c.slot(days=2, hour=14), "reschedulingReason": "Moved"})),
    "BookingsController_2024_08_13_confirmBooking": (
        200, lambda c: c.call("POST", f"{_B}/{c.uid(BookingStatus.PENDING)}/confirm")),
    "BookingsController_2024_08_13_declineBooking": (
        200, lambda c: c.call("POST", f"{_B}/{c.uid(BookingStatus.PENDING)}/decline", {"reason": "No"})),
    "BookingsController_2024_08_13_markNoShow": (200, lambda c: c.call(
        "POST", f"{_B}/{c.uid(BookingStatus.ACCEPTED, past=True)}/mark-absent", {"host": True})),
    "EventTypesController_2024_06_14_getEventTypes": (200, lambda c: c.call("GET", _E)),
    "EventTypesController_2024_06_14_createEventType": (201, lambda c: c.call("POST", _E, {
        "title": "Intro", "slug": "intro", "lengthInMinutes": 20, "lengthInMinutesOptions": [20, 40],
        "locations": [{"type": "link", "link": "https://meet.example/x", "public": True}]})),
    "EventTypesController_2024_06_14_getEventTypeById": (200, lambda c: c.call(
        "GET", f"{_E}/{c.event_type('30min')}")),
    "EventTypesController_2024_06_14_updateEventType": (200, lambda c: c.call(
        "PATCH", f"{_E}/{c.event_type('15min')}",
        {"title": "Quick chat"})),
    "EventTypesController_2024_06_14_deleteEventType": (200, lambda c: c.call(
        "DELETE", f"{_E}/{c.event_type('secret')}")),
    "SchedulesController_2024_06_11_getSchedules": (200, lambda c: c.call("GET", _S)),
    "SchedulesController_2024_06_11_createSchedule": (201, lambda c: c.call("POST", _S, {
        "name": "Evenings", "timeZone": "Europe/Rome", "isDefault": False,
        "availability": [{"days": ["Monday"], "startTime": "18:00", "endTime": "21:00"}],
        "overrides": [{"date": "2026-02-02", "startTime": "10:00", "endTime": "12:00"}]})),
    "SchedulesController_2024_06_11_getDefaultSchedule": (200, lambda c: c.call("GET", f"{_S}/default")),
    "SchedulesController_2024_06_11_getSchedule": (
        200, lambda c: c.call("GET", f"{_S}/{c.user.default_schedule_id}")),
    "SchedulesController_2024_06_11_updateSchedule": (
        200, lambda c: c.call("PATCH", f"{_S}/{c.user.default_schedule_id}", {"name": "Core hours"})),
    "SchedulesController_2024_06_11_deleteSchedule": (
        200, lambda c: c.call("DELETE", f"{_S}/{c.user.default_schedule_id}")),
    "CalendarsController_getCalendars": (200, lambda c: c.call("GET", "/v2/calendars")),
    "CalendarsController_check": (200, lambda c: c.call("GET", "/v2/calendars/google/check")),
    "SlotsController_2024_09_04_getAvailableSlots": (200, lambda c: c.call(
        "GET", f"/v2/slots?eventTypeId={c.event_type('30min')}&start={c.slot()[:10]}&end={c.slot()[:10]}"
               "&timeZone=Europe/Rome")),
    "ConferencingController_listInstalledConferencingApps": (
        200, lambda c: c.call("GET", "/v2/conferencing")),
    # Legacy 2024-04-15 controllers (FACTS §11.1), reached without cal-api-version.
    "BookingsController_2024_04_15_getBookings": (200, lambda c: c.legacy(
        "GET", f"{_B}?filters[status]=upcoming&limit=2")),
    "BookingsController_2024_04_15_createBooking": (201, lambda c: c.legacy("POST", _B, {
        "start": c.slot(), "eventTypeId": c.event_type("30min"), "timeZone": "Europe/Paris",
        "language": "en", "metadata": {}, "responses": {"name": "Pat Doe", "email": "pat@example.org"}})),
    # Instant meetings are for team event types, which the fake has none of: a 400.
    "BookingsController_2024_04_15_createInstantBooking": (400, lambda c: c.legacy(
        "POST", f"{_B}/instant", {
            "start": c.slot(), "eventTypeId": c.event_type("30min"), "timeZone": "Europe/Paris",
            "language": "en", "metadata": {}, "responses": {"name": "Pat Doe", "email": "pat@example.org"}})),
    "BookingsController_2024_04_15_getBooking": (
        200, lambda c: c.legacy("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}")),
    "BookingsController_2024_04_15_getBookingForReschedule": (
        200, lambda c: c.legacy("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/reschedule")),
    "BookingsController_2024_04_15_createRecurringBooking": (201, lambda c: c.legacy(
        "POST", f"{_B}/recurring", [
        {"start": c.slot(days=days), "eventTypeId": c.event_type("30min"), "timeZone": "Europe/Paris",
         "language": "en", "metadata": {}, "responses": {"name": "Pat Doe", "email": "pat@example.org"}}
        for days in (1, 8)])),
    "BookingsController_2024_04_15_cancelBooking": (200, lambda c: c.legacy(
        "POST", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/cancel", {"cancellationReason": "Ill"})),
    "BookingsController_2024_04_15_markNoShow": (200, lambda c: c.legacy(
        "POST", f"{_B}/{c.uid(BookingStatus.ACCEPTED, past=True)}/mark-no-show", {"noShowHost": True})),
    "EventTypesController_2024_04_15_getEventTypes": (200, lambda c: c.legacy("GET", _E)),
    "EventTypesController_2024_04_15_createEventType": (201, lambda c: c.legacy("POST", _E, {
        "title": "Intro", "slug": "intro", "length": 20,
        "locations": [{"type": "link", "link": "https://meet.example/x"}]})),
    "EventTypesController_2024_04_15_getEventType": (
        200, lambda c: c.legacy("GET", f"{_E}/{c.event_type('30min')}")),
    "EventTypesController_2024_04_15_updateEventType": (
        200, lambda c: c.legacy("PATCH", f"{_E}/{c.event_type('15min')}", {"title": "Quick chat"})),
    "EventTypesController_2024_04_15_deleteEventType": (
        200, lambda c: c.legacy("DELETE", f"{_E}/{c.event_type('secret')}")),
    "EventTypesController_2024_04_15_getPublicEventTypes": (
        200, lambda c: c.legacy("GET", f"{_E}/{c.user.username}/public")),
    "EventTypesController_2024_04_15_getPublicEventType": (
        200, lambda c: c.legacy("GET", f"{_E}/{c.user.username}/30min/public")),
    "SchedulesController_2024_04_15_getSchedules": (200, lambda c: c.legacy("GET", _S)),
    "SchedulesController_2024_04_15_createSchedule": (201, lambda c: c.legacy("POST", _S, {
        "name": "Evenings", "timeZone": "Europe/Rome", "isDefault": False, "availabilities": [
            {"days": [1], "startTime": "1970-01-01T18:00:00.000Z", "endTime": "1970-01-01T21:00:00.000Z"}]})),
    "SchedulesController_2024_04_15_getDefaultSchedule": (200, lambda c: c.legacy("GET", f"{_S}/default")),
    "SchedulesController_2024_04_15_getSchedule": (
        200, lambda c: c.legacy("GET", f"{_S}/{c.user.default_schedule_id}")),
    "SchedulesController_2024_04_15_updateSchedule": (
        200, lambda c: c.legacy("PATCH", f"{_S}/{c.user.default_schedule_id}", {"name": "Core hours"})),
    "SchedulesController_2024_04_15_deleteSchedule": (
        200, lambda c: c.legacy("DELETE", f"{_S}/{c.user.default_schedule_id}")),
    "SlotsController_2024_04_15_getAvailableSlots": (200, lambda c: c.legacy(
        "GET", f"/v2/slots/available?eventTypeId={c.event_type('30min')}&startTime={c.slot()[:10]}"
               f"&endTime={c.slot(days=2)[:10]}")),
    "SlotsController_2024_04_15_reserveSlot": (201, lambda c: c.legacy("POST", "/v2/slots/reserve", {
        "eventTypeId": c.event_type("30min"), "slotUtcStartDate": c.slot(),
        "slotUtcEndDate": c.slot()[:11] + "13:30:00.000Z"})),
    "SlotsController_2024_04_15_deleteSelectedSlot": (
        200, lambda c: c.legacy("DELETE", "/v2/slots/selected-slot?uid=any")),
    "WebhooksController_createWebhook": (201, lambda c: c.call("POST", _W, _NEW_HOOK)),
    "WebhooksController_getWebhooks": (200, lambda c: (c.webhook(), c.call("GET", f"{_W}?take=5"))[1]),
    "WebhooksController_getWebhook": (200, lambda c: c.call("GET", f"{_W}/{c.webhook()}")),
    "WebhooksController_updateWebhook": (200, lambda c: c.call(
        "PATCH", f"{_W}/{c.webhook()}", {"active": False, "triggers": ["MEETING_ENDED"]})),
    "WebhooksController_deleteWebhook": (200, lambda c: c.call("DELETE", f"{_W}/{c.webhook()}")),
    "EventTypeWebhooksController_createEventTypeWebhook": (201, lambda c: c.call("POST", _etw(c), _NEW_HOOK)),
    "EventTypeWebhooksController_getEventTypeWebhooks": (
        200, lambda c: (c.webhook("30min"), c.call("GET", _etw(c)))[1]),
    "EventTypeWebhooksController_getEventTypeWebhook": (
        200, lambda c: c.call("GET", _etw(c, f"/{c.webhook('30min')}"))),
    "EventTypeWebhooksController_updateEventTypeWebhook": (
        200, lambda c: c.call("PATCH", _etw(c, f"/{c.webhook('30min')}"), {"secret": "new"})),
    "EventTypeWebhooksController_deleteEventTypeWebhook": (
        200, lambda c: c.call("DELETE", _etw(c, f"/{c.webhook('30min')}"))),
    "EventTypeWebhooksController_deleteAllEventTypeWebhooks": (
        200, lambda c: (c.webhook("30min"), c.call("DELETE", _etw(c)))[1]),
    "CalendarsController_createIcsFeed": (201, lambda c: c.call(
        "POST", "/v2/calendars/ics-feed/save",
        {"urls": ["https://feeds.example/team.ics"], "readOnly": False})),
    "CalendarsController_checkIcsFeed": (
        200, lambda c: (c.ics_feed(), c.call("GET", "/v2/calendars/ics-feed/check"))[1]),
    "CalendarsController_getBusyTimes": (200, lambda c: c.call(
        "GET", f"/v2/calendars/busy-times?timeZone=Europe/London&dateFrom={c.days(-5)}&dateTo={c.days(7)}"
               f"&calendarsToLoad[0][credentialId]={c.google[0]}&calendarsToLoad[0][externalId]={c.google[1]}")),
    "CalUnifiedCalendarsController_listConnections": (
        200, lambda c: c.call("GET", "/v2/calendars/connections")),
    "CalUnifiedCalendarsController_getConnectionFreeBusy": (200, lambda c: c.call(
        "GET", f"/v2/calendars/connections/{c.google[0]}/freebusy?from={c.days(-5)}&to={c.days(7)}")),
    "CalUnifiedCalendarsController_getFreeBusy": (200, lambda c: c.call(
        "GET", f"/v2/calendars/google/freebusy?from={c.days(-5)}&to={c.days(7)}&timeZone=Europe/Paris")),
    "CalendarsController_deleteCalendarCredentials": (200, lambda c: c.call(
        "POST", "/v2/calendars/google/disconnect", {"id": c.google[0]})),
    "DestinationCalendarsController_updateDestinationCalendars": (200, lambda c: c.call(
        "PUT", "/v2/destination-calendars", {"integration": "google_calendar", "externalId": c.google[1]})),
    "SelectedCalendarsController_addSelectedCalendar": (201, lambda c: c.call(
        "POST", "/v2/selected-calendars",
        {"integration": "google_calendar", "externalId": c.google[1], "credentialId": c.google[0]})),
    "SelectedCalendarsController_deleteSelectedCalendar": (200, lambda c: c.call(
        "DELETE", f"/v2/selected-calendars?integration=google_calendar&externalId={c.google[1]}"
                  f"&credentialId={c.google[0]}")),
    "BookingsController_2024_08_13_getBookingRecordings": (
        200, lambda c: c.call("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/recordings")),
    "BookingsController_2024_08_13_getBookingTranscripts": (
        200, lambda c: c.call("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/transcripts")),
    "BookingsController_2024_08_13_getCalendarLinks": (
        200, lambda c: c.call("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/calendar-links")),
    "BookingsController_2024_08_13_getBookingReferences": (
        200, lambda c: c.call("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/references")),
    "BookingsController_2024_08_13_getVideoSessions": (
        200, lambda c: c.call("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/conferencing-sessions")),
    "BookingLocationController_2024_08_13_updateBookingLocation": (200, lambda c: c.call(
        "PATCH", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/location",
        {"location": {"type": "address", "address": "1 Main St"}})),
    "BookingAttendeesController_2024_08_13_getBookingAttendees": (
        200, lambda c: c.call("GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/attendees")),
    "BookingAttendeesController_2024_08_13_addAttendee": (201, lambda c: c.call(
        "POST", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/attendees",
        {"name": "New One", "email": "new.one@example.org", "timeZone": "Europe/Rome", "language": "it"})),
    "BookingAttendeesController_2024_08_13_getBookingAttendee": (200, lambda c: c.call(
        "GET", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/attendees/"
               f"{c.attendee_id(c.uid(BookingStatus.ACCEPTED))}")),
    "BookingAttendeesController_2024_08_13_removeAttendee": (200, lambda c: c.call(
        "DELETE", f"{_B}/{c.with_guest(c.uid(BookingStatus.ACCEPTED))}/attendees/"
                  f"{c.attendee_id(c.uid(BookingStatus.ACCEPTED))}")),
    "BookingGuestsController_2024_08_13_addGuests": (200, lambda c: c.call(
        "POST", f"{_B}/{c.uid(BookingStatus.ACCEPTED)}/guests",
        {"guests": [{"email": "guest.one@example.org", "name": "Guest One"}]})),
    "ConferencingController_getDefault": (200, lambda c: c.call("GET", "/v2/conferencing/default")),
    "ConferencingController_connect": (200, lambda c: c.call("POST", "/v2/conferencing/google-meet/connect")),
    "ConferencingController_default": (200, lambda c: c.call("POST", "/v2/conferencing/google-meet/default")),
    "ConferencingController_disconnect": (
        200, lambda c: c.call("DELETE", "/v2/conferencing/google-meet/disconnect")),
    "SlotsController_2024_09_04_reserveSlot": (201, lambda c: c.call(
        "POST", "/v2/slots/reservations", {"eventTypeId": c.event_type("30min"), "slotStart": c.slot()})),
    "SlotsController_2024_09_04_getReservedSlot": (
        200, lambda c: c.call("GET", f"/v2/slots/reservations/{c.reservation()}")),
    "SlotsController_2024_09_04_updateReservedSlot": (200, lambda c: c.call(
        "PATCH", f"/v2/slots/reservations/{c.reservation()}",
        {"eventTypeId": c.event_type("30min"), "slotStart": c.slot(days=4, hour=10)})),
    "SlotsController_2024_09_04_deleteReservedSlot": (
        200, lambda c: c.call("DELETE", f"/v2/slots/reservations/{c.reservation()}")),
    "EventTypesPrivateLinksController_createPrivateLink": (201, lambda c: c.call(
        "POST", f"{_E}/{c.event_type('30min')}/private-links", {"maxUsageCount": 3})),
    "EventTypesPrivateLinksController_getPrivateLinks": (200, lambda c: (
        c.private_link(), c.call("GET", f"{_E}/{c.event_type('30min')}/private-links"))[1]),
    "EventTypesPrivateLinksController_updatePrivateLink": (200, lambda c: c.call(
        "PATCH", f"{_E}/{c.event_type('30min')}/private-links/{c.private_link()}",
        {"expiresAt": "2031-01-01T00:00:00.000Z"})),
    "EventTypesPrivateLinksController_deletePrivateLink": (200, lambda c: c.call(
        "DELETE", f"{_E}/{c.event_type('30min')}/private-links/{c.private_link()}")),
    "UserVerifiedResourcesController_requestEmailVerificationCode": (200, lambda c: c.call(
        "POST", "/v2/verified-resources/emails/verification-code/request", {"email": "ops@example.org"})),
    "UserVerifiedResourcesController_requestPhoneVerificationCode": (200, lambda c: c.call(
        "POST", "/v2/verified-resources/phones/verification-code/request", {"phone": "+37255556666"})),
    "UserVerifiedResourcesController_verifyEmail": (200, lambda c: c.call(
        "POST", "/v2/verified-resources/emails/verification-code/verify",
        {"email": "ops@example.org", "code": c.code("email", "ops@example.org")})),
    "UserVerifiedResourcesController_verifyPhoneNumber": (200, lambda c: c.call(
        "POST", "/v2/verified-resources/phones/verification-code/verify",
        {"phone": "+37255556666", "code": c.code("phone", "+37255556666")})),
    "UserVerifiedResourcesController_getVerifiedEmails": (200, lambda c: (
        c.verified("email", "a@example.org"), c.call("GET", "/v2/verified-resources/emails"))[1]),
    "UserVerifiedResourcesController_getVerifiedPhoneNumbers": (200, lambda c: (
        c.verified("phone", "+37255550000"), c.call("GET", "/v2/verified-resources/phones"))[1]),
    "UserVerifiedResourcesController_getVerifiedEmailById": (200, lambda c: c.call(
        "GET", f"/v2/verified-resources/emails/{c.verified('email', 'b@example.org')}")),
    "UserVerifiedResourcesController_getVerifiedPhoneById": (200, lambda c: c.call(
        "GET", f"/v2/verified-resources/phones/{c.verified('phone', '+37255551111')}")),
    "TeamsController_getTeams": (200, lambda c: c.call("GET", "/v2/teams")),
    "TeamsController_getTeam": (200, lambda c: c.call("GET", f"/v2/teams/{c.team()}")),
    "TeamsController_deleteTeam": (200, lambda c: c.call("DELETE", f"/v2/teams/{c.team()}")),
    "TeamsMembershipsController_getTeamMemberships": (
        200, lambda c: c.call("GET", f"/v2/teams/{c.team()}/memberships")),
    "TeamsMembershipsController_createTeamMembership": (201, lambda c: c.call(
        "POST", f"/v2/teams/{c.team()}/memberships", {"userId": c.other_user(), "role": "ADMIN"})),
    "TeamsMembershipsController_getTeamMembership": (200, lambda c: c.call(
        "GET", "/v2/teams/{}/memberships/{}".format(*c.membership()))),
    "TeamsMembershipsController_updateTeamMembership": (200, lambda c: c.call(
        "PATCH", "/v2/teams/{}/memberships/{}".format(*c.membership()), {"role": "ADMIN"})),
    "TeamsMembershipsController_deleteTeamMembership": (200, lambda c: c.call(
        "DELETE", "/v2/teams/{}/memberships/{}".format(*c.membership()))),
    "TimezonesController_getTimeZones": (200, lambda c: c.call("GET", "/v2/timezones")),
}
