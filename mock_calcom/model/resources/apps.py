"""Installed apps of a user: connected calendars, ICS feeds, selected calendars and
conferencing apps (credentials).

Messages: calendars.service.ts (``checkCalendarCredentials``) and
destination-calendars.service.ts, calcom/cal.com, as cited where raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mock_calcom.errors import NotFoundError
from mock_calcom.model.resources.ids import IdSequence

#: ``CALENDARS`` of @calcom/platform-constants apps.ts: the ``{calendar}`` path values.
CALENDAR_SLUGS = ("google", "office365", "apple")
#: Credential type of each calendar slug (GOOGLE_CALENDAR_TYPE, ...).
CALENDAR_TYPES = {"google": "google_calendar", "office365": "office365_calendar",
                  "apple": "apple_calendar"}


@dataclass
class CalendarConnection:
    """A calendar credential and its one (primary) calendar."""

    credential_id: int
    user_id: int
    type: str
    external_id: str
    name: str
    invalid: bool = False
    is_destination: bool = False
    #: Removed from the calendars checked for conflicts (DELETE /v2/selected-calendars).
    unselected: bool = False


@dataclass
class ConferencingApp:
    id: int
    user_id: int
    type: str
    invalid: bool | None = None


@dataclass
class IcsFeed:
    """An ``ics-feed_calendar`` credential: one or more feed URLs, read-only or not."""

    credential_id: int
    user_id: int
    urls: list[str]
    read_only: bool = True


@dataclass(frozen=True)
class SelectedCalendar:
    user_id: int
    integration: str
    external_id: str
    credential_id: int


@dataclass
class _Defaults:
    #: The user's default conferencing app slug (``metadata.defaultConferencingApp``).
    conferencing: dict[int, dict[str, str]] = field(default_factory=dict)


CREDENTIALS_NOT_FOUND = "Calendar credentials not found"


class AppStore:
    def __init__(self, ids: IdSequence) -> None:
        self._ids = ids
        # Per user, in installation order: a user's apps never mean reading everyone's.
        self._calendars: dict[int, list[CalendarConnection]] = {}
        self._conferencing: dict[int, list[ConferencingApp]] = {}
        self._ics: dict[int, list[IcsFeed]] = {}
        self._selected: dict[int, list[SelectedCalendar]] = {}
        self._defaults = _Defaults()

    def connect_calendar(self, user_id: int, slug: str, external_id: str, *,
                         destination: bool = False) -> CalendarConnection:
        kind = CALENDAR_TYPES[slug]
        name = external_id if slug != "apple" else "Calendar"
        connection = CalendarConnection(self._ids.next(), user_id, kind, external_id, name,
                                        is_destination=destination)
        self._calendars.setdefault(user_id, []).append(connection)
        return connection

    def install_conferencing(self, user_id: int, app_type: str) -> ConferencingApp:
        app = ConferencingApp(self._ids.next(), user_id, app_type)
        self._conferencing.setdefault(user_id, []).append(app)
        return app

    def calendars_of(self, user_id: int) -> list[CalendarConnection]:
        return list(self._calendars.get(user_id, ()))

    def calendar(self, user_id: int, slug: str) -> CalendarConnection | None:
        kind = CALENDAR_TYPES[slug]
        return next((c for c in self.calendars_of(user_id) if c.type == kind), None)

    def destination_of(self, user_id: int) -> CalendarConnection | None:
        return next((c for c in self.calendars_of(user_id) if c.is_destination), None)

    def conferencing_of(self, user_id: int) -> list[ConferencingApp]:
        return list(self._conferencing.get(user_id, ()))

    # -- calendar credentials ---------------------------------------------------------------

    def add_ics_feed(self, user_id: int, urls: list[str], read_only: bool) -> IcsFeed:
        # upsertUserAppCredential: one ICS credential per user, replaced by a new save.
        existing = self._ics.get(user_id)
        credential_id = existing[0].credential_id if existing else self._ids.next()
        feed = IcsFeed(credential_id, user_id, list(urls), read_only)
        self._ics[user_id] = [feed]
        return feed

    def ics_feeds_of(self, user_id: int) -> list[IcsFeed]:
        return list(self._ics.get(user_id, ()))

    def check_credentials(self, user_id: int, credential_id: int) -> None:
        """``checkCalendarCredentials``: the credential must be one of the user's calendars."""
        owned = {c.credential_id for c in self.calendars_of(user_id)} | {
            f.credential_id for f in self.ics_feeds_of(user_id)}
        if credential_id not in owned:
            raise NotFoundError(CREDENTIALS_NOT_FOUND)

    def disconnect_calendar(self, user_id: int, credential_id: int) -> CalendarConnection | IcsFeed:
        self.check_credentials(user_id, credential_id)
        found: CalendarConnection | IcsFeed
        calendars = self._calendars.get(user_id, [])
        connection = next((c for c in calendars if c.credential_id == credential_id), None)
        if connection is not None:
            calendars.remove(connection)
            found = connection
        else:
            feeds = self._ics.get(user_id, [])
            feed = next(f for f in feeds if f.credential_id == credential_id)
            feeds.remove(feed)
            found = feed
        self._selected[user_id] = [s for s in self._selected.get(user_id, [])
                                   if s.credential_id != credential_id]
        return found

    def set_destination(self, user_id: int, integration: str, external_id: str) -> CalendarConnection:
        """``updateDestinationCalendars`` (destination-calendars.service.ts): the calendar must be
        one of the user's writable ones."""
        target = next((c for c in self.calendars_of(user_id)
                       if c.type == integration and c.external_id == external_id), None)
        if target is None:
            raise NotFoundError(f"Could not find calendar {external_id}")
        for connection in self.calendars_of(user_id):
            connection.is_destination = connection is target
        return target

    def select(self, user_id: int, integration: str, external_id: str,
               credential_id: int) -> SelectedCalendar:
        self.check_credentials(user_id, credential_id)
        entry = SelectedCalendar(user_id, integration, external_id, credential_id)
        selected = self._selected.setdefault(user_id, [])
        if entry not in selected:
            selected.append(entry)
        for connection in self.calendars_of(user_id):
            if connection.credential_id == credential_id and connection.external_id == external_id:
                connection.unselected = False
        return entry

    def unselect(self, user_id: int, integration: str, external_id: str,
                 credential_id: int) -> SelectedCalendar:
        self.check_credentials(user_id, credential_id)
        entry = SelectedCalendar(user_id, integration, external_id, credential_id)
        selected = self._selected.setdefault(user_id, [])
        if entry in selected:
            selected.remove(entry)
        for connection in self.calendars_of(user_id):
            if connection.credential_id == credential_id and connection.external_id == external_id:
                connection.unselected = True
        return entry

    # -- conferencing ------------------------------------------------------------------------

    def default_conferencing(self, user_id: int) -> dict[str, str] | None:
        return self._defaults.conferencing.get(user_id)

    def set_default_conferencing(self, user_id: int, app_slug: str, app_link: str | None = None) -> None:
        entry = {"appSlug": app_slug}
        if app_link:
            entry["appLink"] = app_link
        self._defaults.conferencing[user_id] = entry

    def clear_default_conferencing(self, user_id: int) -> None:
        self._defaults.conferencing.pop(user_id, None)

    def uninstall_conferencing(self, user_id: int, app_type: str) -> ConferencingApp | None:
        apps = self._conferencing.get(user_id, [])
        app = next((a for a in apps if a.type == app_type), None)
        if app is not None:
            apps.remove(app)
        return app
