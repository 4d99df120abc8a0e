"""``mock-calcom serve --config FILE.toml``: a fake's starting state, declared in a file.

The file declares users, OAuth clients (with fixed credentials, so an app's ``.env`` keeps
working across restarts), event types, schedules, bookings, settings, the consent mode and
the seed. Everything is checked before the fake is touched; a mistake is a
:class:`ConfigError` naming the file, the line and the key path (``clients[2].status``).

See ``docs/serve.md`` for the format; ``mock_calcom/configs/demo.toml`` is the shipped demo.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mock_calcom.errors import MockCalcomError
from mock_calcom.settings import Settings

if TYPE_CHECKING:
    from mock_calcom.fake import MockCalcom, RegisteredClient
    from mock_calcom.model.users import User

#: Stands for the server's own origin in a redirect URI (``{server}/_mock/callback``), so a
#: config works on any port.
SERVER_PLACEHOLDER = "{server}"
_TOP_KEYS = ("seed", "consent", "consent_user", "settings", "users", "clients", "event_types",
             "schedules", "bookings")
_USER_KEYS = ("username", "email", "name", "time_zone")
_CLIENT_KEYS = ("name", "client_id", "client_secret", "type", "status", "scopes",
                "redirect_uris", "owner", "trusted", "logo", "rejection_reason")
_EVENT_TYPE_KEYS = ("owner", "title", "slug", "length", "description", "hidden",
                    "requires_confirmation", "schedule")
_SCHEDULE_KEYS = ("owner", "name", "time_zone", "availability", "default")
_AVAILABILITY_KEYS = ("days", "start", "end")
_BOOKING_KEYS = ("host", "event_type", "start", "attendee", "status")
_ATTENDEE_KEYS = ("name", "email", "time_zone")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_CLIENT_ID = re.compile(r"[A-Za-z0-9_.~-]{1,128}")
_SECRET = re.compile(r"[\x21-\x7e]{8,256}")


class ConfigError(MockCalcomError):
    """A config file that cannot be used: ``file:line: key path: what is wrong``."""


def demo_config_path() -> Path:
    """The shipped demo config (``mock-calcom serve --demo``, ``make serve``)."""
    from importlib import resources  # only for --demo: serve's start does without it

    return Path(str(resources.files("mock_calcom") / "configs" / "demo.toml"))


# -- the parsed file ---------------------------------------------------------------------------

@dataclass
class ServeConfig:
    """A checked config file; :meth:`apply` builds its state into a fake."""

    path: str
    #: The file's text, to point a late error (found while applying) at its line.
    text: str = field(default="", repr=False)
    seed: int | None = None
    consent: str | None = None
    consent_user: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    clients: list[dict[str, Any]] = field(default_factory=list)
    event_types: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    bookings: list[dict[str, Any]] = field(default_factory=list)

    def settings_object(self, overrides: Mapping[str, Any] | None = None) -> Settings:
        """The config's settings (and seed), then ``overrides`` (``--set``) on top."""
        values = dict(self.settings)
        if self.seed is not None:
            values["seed"] = self.seed
        values.update(overrides or {})
        return Settings().replace(**values)

    def apply(self, fake: MockCalcom, *, server_url: str | None = None) -> list[RegisteredClient]:
        """Create everything in ``fake`` (users first, so clients and resources can name
        them); returns the clients as registered, plain secrets included."""
        users: dict[str, User] = {}
        for index, user in enumerate(self.users):
            try:
                users[user["username"]] = fake.create_user(
                    user["username"], user.get("email"), name=user.get("name"),
                    time_zone=user.get("time_zone", "Europe/London"))
            except MockCalcomError as exc:
                raise self._error(("users", index), str(exc)) from None
        registered = []
        for index, client in enumerate(self.clients):
            uris = [_with_server(uri, server_url) for uri in client["redirect_uris"]]
            owner = users[client["owner"]].id if "owner" in client else None
            try:
                made = fake.create_client(
                    client["name"], uris, client.get("scopes"),
                    status=client.get("status", "APPROVED"),
                    client_type=client.get("type", "CONFIDENTIAL"), owner_user_id=owner,
                    is_trusted=client.get("trusted", False), logo=client.get("logo"),
                    client_id=client.get("client_id"), client_secret=client.get("client_secret"))
            except MockCalcomError as exc:
                raise self._error(("clients", index), str(exc)) from None
            if "rejection_reason" in client:
                fake.update_client(made.client_id, rejection_reason=client["rejection_reason"])
            registered.append(made)
        if self.schedules or self.event_types or self.bookings:
            self._add_resources(fake, users)
        if self.consent is not None or self.consent_user is not None:
            user_id = users[self.consent_user].id if self.consent_user else None
            fake.set_consent(self.consent or fake.consent.mode, user_id)
        return registered

    def _add_resources(self, fake: MockCalcom, users: dict[str, User]) -> None:
        """The file's schedules, event types and bookings (their tables are made on first
        use, so a file without any leaves them unmade)."""
        from mock_calcom.model.resources.bookings import Attendee, Booking, BookingStatus
        from mock_calcom.model.resources.ids import booking_uid
        from mock_calcom.model.resources.schedules import Availability, Schedule

        model = fake.model
        with model.lock:
            store = model.resources
            for schedule in self.schedules:
                owner_user = users[schedule["owner"]]
                made_schedule = Schedule(
                    id=store.schedules.new_id(), owner_id=owner_user.id, name=schedule["name"],
                    time_zone=schedule.get("time_zone", owner_user.time_zone),
                    availability=[Availability(list(a["days"]), a["start"], a["end"])
                                  for a in schedule["availability"]])
                store.schedules.add(made_schedule)
                if schedule.get("default"):
                    owner_user.default_schedule_id = made_schedule.id
            for index, event_type in enumerate(self.event_types):
                owner_user = users[event_type["owner"]]
                values: dict[str, Any] = {
                    "title": event_type["title"], "slug": event_type["slug"],
                    "lengthInMinutes": event_type["length"],
                    "description": event_type.get("description", ""),
                    "hidden": event_type.get("hidden", False)}
                if "schedule" in event_type:
                    found = [s for s in store.schedules.of_user(owner_user.id)
                             if s.name == event_type["schedule"]]
                    if not found:
                        raise self._error(("event_types", index, "schedule"),
                                          f"{owner_user.username} has no schedule "
                                          f"{event_type['schedule']!r}")
                    values["scheduleId"] = found[0].id
                try:
                    made_type = store.event_types.create(owner_user.id, values)
                except MockCalcomError as exc:
                    raise self._error(("event_types", index), str(exc)) from None
                made_type.requires_confirmation = bool(event_type.get("requires_confirmation"))
            rng = model.rng.fork("config-bookings")
            for index, booking in enumerate(self.bookings):
                host = users[booking["host"]]
                found_type = store.event_types.by_slug(host.id, booking["event_type"])
                if found_type is None:
                    raise self._error(("bookings", index, "event_type"),
                                      f"{host.username} has no event type "
                                      f"{booking['event_type']!r}")
                attendee = booking["attendee"]
                start = booking["start"]
                uid = booking_uid(rng)
                now = model.clock.now()
                made_attendee = Attendee(name=attendee["name"], email=attendee["email"],
                                         time_zone=attendee.get("time_zone", host.time_zone))
                store.bookings.add(Booking(
                    id=store.bookings.new_id(), uid=uid,
                    title=f"{found_type.title} between {host.name or host.username} "
                          f"and {made_attendee.name}",
                    host_id=host.id, event_type_id=found_type.id,
                    event_type_slug=found_type.slug, start=start,
                    end=start + found_type.length * 60,
                    status=BookingStatus(booking.get("status", "accepted")),
                    attendees=[made_attendee], location="integrations:daily",
                    created_at=min(start, now), updated_at=min(start, now),
                    responses={"name": made_attendee.name, "email": made_attendee.email},
                    metadata={"videoCallUrl": f"https://app.cal.com/video/{uid}"},
                    ics_uid=f"{uid}@Cal.com"))

    def _error(self, path: tuple[str | int, ...], message: str) -> ConfigError:
        return _Checker(self.path, self.text).fail(path, message)


def _with_server(uri: str, server_url: str | None) -> str:
    if SERVER_PLACEHOLDER not in uri:
        return uri
    return uri.replace(SERVER_PLACEHOLDER, server_url or "http://127.0.0.1:8765")


# -- loading and checking ----------------------------------------------------------------------

def load_config(path: str | Path) -> ServeConfig:
    """Read and check ``path``; every problem is a :class:`ConfigError` with its line."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
    import tomllib  # only when a file is given: serve without --config starts without it

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends in "(at line L, column C)".
        line = re.search(r"at line (\d+)", str(exc))
        where = f"{name}:{line.group(1)}" if line else name
        raise ConfigError(f"{where}: not valid TOML: {re.sub(r' [(]at .*[)]$', '', str(exc))}"
                          ) from None
    config = _Checker(name, text).check(data)
    config.text = text
    # A dry run on a throwaway fake finds what only the model can tell (a username Cal.com
    # refuses, a duplicate client id) before the server starts.
    from mock_calcom.fake import MockCalcom

    with MockCalcom(config.settings_object()) as probe:
        config.apply(probe)
    return config


class _Checker:
    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = text.splitlines()

    # Where a key path sits in the file: tomllib keeps no positions, so find the nth
    # [[table]] header (or [table]) and the key's line inside it. Good enough to point at
    # the right line in the files people write; falls back to the file alone.
    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        if not path:
            return None
        first = path[0]
        if not isinstance(first, str):
            return None
        start, end = 0, len(self.lines)
        rest = path[1:]
        if rest and isinstance(rest[0], int):
            headers = [i for i, line in enumerate(self.lines)
                       if re.match(rf"\s*\[\[\s*{re.escape(first)}\s*\]\]", line)]
            if rest[0] >= len(headers):
                return None
            start = headers[rest[0]]
            later = [i for i, line in enumerate(self.lines) if i > start and re.match(r"\s*\[", line)]
            end = later[0] if later else len(self.lines)
            rest = rest[1:]
            found: int | None = start
        else:
            header = [i for i, line in enumerate(self.lines)
                      if re.match(rf"\s*\[\s*{re.escape(first)}\s*\]", line)]
            if header and rest:
                start = header[0]
                later = [i for i, line in enumerate(self.lines) if i > start and re.match(r"\s*\[", line)]
                end = later[0] if later else len(self.lines)
                found = start
            else:
                rest = (first,)
                start, found = 0, None
                firsts = [i for i, line in enumerate(self.lines) if re.match(r"\s*\[", line)]
                end = firsts[0] if firsts else len(self.lines)
        key = next((k for k in rest if isinstance(k, str)), None)
        if key is not None:
            for i in range(start, end):
                if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[i]):
                    return i + 1
        return found + 1 if found is not None else None

    def fail(self, path: tuple[str | int, ...], message: str) -> ConfigError:
        dotted = ""
        for part in path:
            dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else part)
        line = self.line_of(path)
        where = f"{self.name}:{line}" if line else self.name
        return ConfigError(f"{where}: {dotted}: {message}" if dotted else f"{where}: {message}")

    # -- typed readers ------------------------------------------------------------------------

    def table(self, value: Any, path: tuple[str | int, ...], keys: tuple[str, ...],
              required: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be a table")
        for key in value:
            if key not in keys:
                raise self.fail((*path, key), f"unknown key (known: {', '.join(keys)})")
        for key in required:
            if key not in value:
                raise self.fail(path, f"missing required key {key!r}")
        return value

    def tables(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail((key,), f"must be an array of tables ([[{key}]])")
        return value

    def string(self, value: Any, path: tuple[str | int, ...],
               pattern: re.Pattern[str] | None = None, what: str = "") -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "must be a non-empty string")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.fail(path, f"must be {what}")
        return value

    def strings(self, value: Any, path: tuple[str | int, ...]) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(path, "must be an array of strings")
        return value

    def boolean(self, value: Any, path: tuple[str | int, ...]) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, "must be true or false")
        return value

    def choice(self, value: Any, path: tuple[str | int, ...], options: tuple[str, ...]) -> str:
        if value not in options:
            raise self.fail(path, f"must be one of {', '.join(options)}")
        return str(value)

    def known(self, value: Any, path: tuple[str | int, ...], names: Mapping[str, Any],
              what: str) -> str:
        self.string(value, path)
        if value not in names:
            raise self.fail(path, f"no {what} {value!r} in this file")
        return str(value)

    # -- the file -----------------------------------------------------------------------------

    def check(self, data: dict[str, Any]) -> ServeConfig:
        self.table(data, (), _TOP_KEYS)
        config = ServeConfig(path=self.name)
        if "seed" in data:
            seed = data["seed"]
            if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
                raise self.fail(("seed",), "must be a non-negative integer")
            config.seed = seed
        if "consent" in data:
            config.consent = self.choice(data["consent"], ("consent",),
                                         ("approve", "deny", "interactive"))
        settings = data.get("settings", {})
        self.table(settings, ("settings",), tuple(Settings.__dataclass_fields__))
        for key, value in settings.items():
            try:
                Settings().replace(**{key: value})
            except MockCalcomError as exc:
                raise self.fail(("settings", key), str(exc)) from None
        config.settings = dict(settings)
        users: dict[str, dict[str, Any]] = {}
        for i, user in enumerate(self.tables(data, "users")):
            path: tuple[str | int, ...] = ("users", i)
            self.table(user, path, _USER_KEYS, required=("username",))
            username = self.string(user["username"], (*path, "username"))
            if username in users:
                raise self.fail((*path, "username"), f"user {username!r} is declared twice")
            for key in ("email", "name", "time_zone"):
                if key in user:
                    self.string(user[key], (*path, key))
            if "time_zone" in user:
                self._time_zone(user["time_zone"], (*path, "time_zone"))
            users[username] = user
        config.users = list(users.values())
        if "consent_user" in data:
            config.consent_user = self.known(data["consent_user"], ("consent_user",), users, "user")
        config.clients = [self._client(c, ("clients", i), users)
                          for i, c in enumerate(self.tables(data, "clients"))]
        ids = [c["client_id"] for c in config.clients if "client_id" in c]
        for i, client in enumerate(config.clients):
            if "client_id" in client and ids.count(client["client_id"]) > 1:
                raise self.fail(("clients", i, "client_id"), "client_id is declared twice")
        schedules: set[tuple[str, str]] = set()
        for i, schedule in enumerate(self.tables(data, "schedules")):
            path = ("schedules", i)
            self.table(schedule, path, _SCHEDULE_KEYS, required=("owner", "name", "availability"))
            owner = self.known(schedule["owner"], (*path, "owner"), users, "user")
            schedules.add((owner, self.string(schedule["name"], (*path, "name"))))
            if "time_zone" in schedule:
                self._time_zone(schedule["time_zone"], (*path, "time_zone"))
            if "default" in schedule:
                self.boolean(schedule["default"], (*path, "default"))
            windows = schedule["availability"]
            if not isinstance(windows, list) or not windows:
                raise self.fail((*path, "availability"), "must be a non-empty array of tables")
            for j, window in enumerate(windows):
                wpath = (*path, "availability", j)
                self.table(window, wpath, _AVAILABILITY_KEYS, required=_AVAILABILITY_KEYS)
                days = self.strings(window["days"], (*wpath, "days"))
                if not days or any(d not in _WEEKDAYS for d in days):
                    raise self.fail((*wpath, "days"), f"must name days: {', '.join(_WEEKDAYS)}")
                for key in ("start", "end"):
                    self.string(window[key], (*wpath, key), _HHMM, "a time HH:MM")
            config.schedules.append(schedule)
        slugs: set[tuple[str, str]] = set()
        for i, event_type in enumerate(self.tables(data, "event_types")):
            path = ("event_types", i)
            self.table(event_type, path, _EVENT_TYPE_KEYS,
                       required=("owner", "title", "slug", "length"))
            owner = self.known(event_type["owner"], (*path, "owner"), users, "user")
            self.string(event_type["title"], (*path, "title"))
            slug = self.string(event_type["slug"], (*path, "slug"), re.compile(r"[a-z0-9-]+"),
                               "lower-case letters, digits and dashes")
            if (owner, slug) in slugs:
                raise self.fail((*path, "slug"), f"{owner} already has an event type {slug!r}")
            slugs.add((owner, slug))
            length = event_type["length"]
            if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 1440:
                raise self.fail((*path, "length"), "must be minutes, 1 to 1440")
            for key in ("hidden", "requires_confirmation"):
                if key in event_type:
                    self.boolean(event_type[key], (*path, key))
            if "description" in event_type and not isinstance(event_type["description"], str):
                raise self.fail((*path, "description"), "must be a string")
            if "schedule" in event_type and (owner, event_type["schedule"]) not in schedules:
                raise self.fail((*path, "schedule"),
                                f"{owner} has no schedule {event_type['schedule']!r} in this file")
            config.event_types.append(event_type)
        for i, booking in enumerate(self.tables(data, "bookings")):
            path = ("bookings", i)
            self.table(booking, path, _BOOKING_KEYS,
                       required=("host", "event_type", "start", "attendee"))
            host = self.known(booking["host"], (*path, "host"), users, "user")
            slug = self.string(booking["event_type"], (*path, "event_type"))
            if (host, slug) not in slugs and slug not in ("15min", "30min", "secret"):
                raise self.fail((*path, "event_type"),
                                f"{host} has no event type {slug!r} (declared or seeded)")
            start = booking["start"]
            if isinstance(start, str):
                try:
                    start = dt.datetime.fromisoformat(start)
                except ValueError:
                    start = None
            if not isinstance(start, dt.datetime) or start.tzinfo is None:
                raise self.fail((*path, "start"),
                                "must be a date-time with a zone (2026-12-01T10:00:00Z)")
            attendee = self.table(booking["attendee"], (*path, "attendee"), _ATTENDEE_KEYS,
                                  required=("name", "email"))
            for key in attendee:
                self.string(attendee[key], (*path, "attendee", key))
            if "status" in booking:
                self.choice(booking["status"], (*path, "status"),
                            ("accepted", "pending", "cancelled", "rejected"))
            config.bookings.append({**booking, "start": start.timestamp()})
        return config

    def _time_zone(self, value: Any, path: tuple[str | int, ...]) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.string(value, path))
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(path, f"unknown time zone {value!r}") from None

    def _client(self, client: Any, path: tuple[str | int, ...],
                users: Mapping[str, Any]) -> dict[str, Any]:
        self.table(client, path, _CLIENT_KEYS, required=("name", "redirect_uris"))
        self.string(client["name"], (*path, "name"))
        uris = self.strings(client["redirect_uris"], (*path, "redirect_uris"))
        probe = [_with_server(u, None) for u in uris]
        from mock_calcom.model.clients import validate_redirect_uris, validate_scopes

        try:
            validate_redirect_uris(probe)
            if "scopes" in client:
                validate_scopes(self.strings(client["scopes"], (*path, "scopes")))
        except MockCalcomError as exc:
            key = "redirect_uris" if "redirect" in str(exc) else "scopes"
            raise self.fail((*path, key), str(exc)) from None
        if "client_id" in client:
            self.string(client["client_id"], (*path, "client_id"), _CLIENT_ID,
                        "1-128 letters, digits or -._~")
        ctype = self.choice(client.get("type", "CONFIDENTIAL"), (*path, "type"),
                            ("CONFIDENTIAL", "PUBLIC"))
        if "client_secret" in client:
            if ctype == "PUBLIC":
                raise self.fail((*path, "client_secret"), "a PUBLIC client has no secret")
            self.string(client["client_secret"], (*path, "client_secret"), _SECRET,
                        "8-256 printable characters, no spaces")
        if "status" in client:
            self.choice(client["status"], (*path, "status"), ("APPROVED", "PENDING", "REJECTED"))
        if "owner" in client:
            self.known(client["owner"], (*path, "owner"), users, "user")
        if "trusted" in client:
            self.boolean(client["trusted"], (*path, "trusted"))
        for key in ("logo", "rejection_reason"):
            if key in client:
                self.string(client[key], (*path, key))
        return dict(client)


# -- --set KEY=VALUE ---------------------------------------------------------------------------

def parse_set(items: list[str] | None) -> dict[str, Any]:
    """``["rate_limit=10", "legacy_endpoints=false"]`` as settings changes. A value is read
    as TOML (``10``, ``false``, ``"text"``), else taken as a bare string (``seconds``)."""
    changes: dict[str, Any] = {}
    for item in items or ():
        key, eq, raw = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE")
        if key not in Settings.__dataclass_fields__:
            raise ConfigError(f"--set {item!r}: unknown setting {key!r} "
                              f"(known: {', '.join(Settings.__dataclass_fields__)})")
        raw = raw.strip()
        import tomllib

        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        try:
            Settings().replace(**{key: value})
        except MockCalcomError as exc:
            raise ConfigError(f"--set {item!r}: {exc}") from None
        changes[key] = value
    return changes
