"""Cal.com users of one fake."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mock_calcom.errors import InvalidControlInput, UnknownObjectError

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class User:
    """A Cal.com user; the fields are those of API v2's ``MeOutput``."""

    id: int
    username: str
    email: str
    name: str | None = None
    avatar_url: str | None = None
    bio: str | None = None
    time_format: int = 24
    default_schedule_id: int | None = None
    week_start: str = "Monday"
    time_zone: str = "Europe/London"
    organization_id: int | None = None
    locale: str = "en"
    metadata: dict[str, object] = field(default_factory=dict)
    #: Bumped by every attribute assignment: what a serialised form showing this user (a
    #: booking's host, api/bookings.py) is checked against.
    revision: int = field(default=0, init=False, compare=False, repr=False)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name != "revision":
            object.__setattr__(self, "revision", self.__dict__.get("revision", 0) + 1)


class UserStore:
    """Users by id. Ids start at 1 and never repeat within one fake."""

    def __init__(self) -> None:
        self._users: dict[int, User] = {}
        self._next_id = 1
        #: Moved by every new user: which object :meth:`get` gives for an id changes only then.
        self.generation = 0

    def create(
        self,
        username: str,
        email: str | None = None,
        *,
        name: str | None = None,
        time_zone: str = "Europe/London",
    ) -> User:
        if not isinstance(username, str) or not _USERNAME.match(username):
            raise InvalidControlInput(
                "username must be 1-64 lowercase letters, digits, '.', '_' or '-'"
            )
        if any(u.username == username for u in self._users.values()):
            raise InvalidControlInput(f"username {username!r} is taken")
        email = email if email is not None else f"{username}@example.com"
        if not isinstance(email, str) or "@" not in email:
            raise InvalidControlInput("email must be an address")
        user = User(id=self._next_id, username=username, email=email,
                    name=name if name is not None else username.title(), time_zone=time_zone)
        self._users[user.id] = user
        self._next_id += 1
        self.generation += 1
        return user

    def get(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    def getter(self) -> Callable[[int], User | None]:
        """:meth:`get` as the dict's own bound ``get``: a loop over many ids (a listing's
        hosts) calls it without a Python frame per id."""
        return self._users.get

    def require(self, user_id: int) -> User:
        user = self._users.get(user_id)
        if user is None:
            raise UnknownObjectError(f"no user with id {user_id}")
        return user

    def all(self) -> list[User]:
        return list(self._users.values())

    def first(self) -> User | None:
        return next(iter(self._users.values()), None)
