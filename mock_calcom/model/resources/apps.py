"""Installed apps of a user: connected calendars and conferencing apps (credentials)."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class ConferencingApp:
    id: int
    user_id: int
    type: str
    invalid: bool | None = None


class AppStore:
    def __init__(self, ids: IdSequence) -> None:
        self._ids = ids
        # Per user, in installation order: a user's apps never mean reading everyone's.
        self._calendars: dict[int, list[CalendarConnection]] = {}
        self._conferencing: dict[int, list[ConferencingApp]] = {}

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
