"""What the 2024-04-15 legacy controllers share: Express's nested query objects, Prisma's
stored forms of locations and statuses, and ``Date`` as the legacy bodies write it.

The legacy handlers return what Cal.com's libraries return (Prisma rows, tRPC handler
results), not DTOs shaped for the API, so their bodies use Cal.com's stored forms: statuses in
upper case (``ACCEPTED``), locations as internal types (``integrations:daily``, ``inPerson``),
weekdays as numbers (0 = Sunday).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from mock_calcom.model.resources.timeutil import WEEKDAYS

_BRACKET = re.compile(r"\[([^\[\]]*)\]")

#: Conferencing integrations of the 2024-06-14 output (``cal-video``) and their stored types.
INTEGRATION_TYPES = {
    "cal-video": "integrations:daily",
    "google-meet": "integrations:google:meet",
    "zoom": "integrations:zoom",
    "office365-video": "integrations:office365_video",
}
_INTEGRATION_SLUGS = {stored: slug for slug, stored in INTEGRATION_TYPES.items()}


def nested_query(items: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Express's ``qs`` parse of a query (``query parser: extended``): ``filters[status]=x``
    is ``{"filters": {"status": "x"}}``, ``a[]=1&a[]=2`` and ``a[0]=1`` are arrays, a
    repeated plain key is an array. Depth and sizes are bounded by the URL."""
    out: dict[str, Any] = {}
    for key, value in items:
        head, bracket, tail = key.partition("[")
        parts = _BRACKET.findall(bracket + tail)
        if not head or not bracket or "".join(f"[{p}]" for p in parts) != bracket + tail:
            head, parts = key, []  # not qs syntax: a plain key
        _put(out, [head, *parts], value)
    return out


def _put(target: dict[str, Any], path: list[str], value: str) -> None:
    node: Any = target
    for index, part in enumerate(path):
        last = index == len(path) - 1
        following = None if last else path[index + 1]
        if isinstance(node, list):
            if last:
                node.append(value)
                return
            child: Any = [] if _is_index(following) else {}
            node.append(child)
            node = child
            continue
        if last:
            existing = node.get(part)
            if existing is None:
                node[part] = value
            elif isinstance(existing, list):
                existing.append(value)
            elif isinstance(existing, str):
                node[part] = [existing, value]
            return
        if part in node and isinstance(node[part], dict | list):
            node = node[part]
            continue
        if part in node:
            return  # "a=1&a[b]=2": qs keeps the first form; the fake ignores the clash
        node[part] = [] if _is_index(following) else {}
        node = node[part]


def _is_index(part: str | None) -> bool:
    return part is not None and (part == "" or part.isdigit())


def upper_status(status: str) -> str:
    """Prisma's ``BookingStatus``: ``accepted`` -> ``ACCEPTED``."""
    return status.upper()


def weekday_numbers(days: Sequence[str]) -> list[int]:
    """``["Monday", "Sunday"]`` -> ``[1, 0]`` (Cal.com's ``Availability.days``, 0 = Sunday)."""
    return [(WEEKDAYS.index(d) + 1) % 7 for d in days]


def weekday_names(numbers: Sequence[int]) -> list[str]:
    return [WEEKDAYS[(n - 1) % 7] for n in sorted(set(numbers), key=lambda n: (n - 1) % 7)]


def time_of_day(hh_mm: str) -> str:
    """An availability time as Prisma returns a ``@db.Time`` column: a ``Date`` on 1970-01-01."""
    return f"1970-01-01T{hh_mm}:00.000Z"


def stored_location(location: dict[str, Any]) -> dict[str, Any]:
    """A 2024-06-14 event-type location as Cal.com stores it (``EventTypeLocation_2024_04_15``
    is that stored form): ``{"type": "integration", "integration": "cal-video"}`` is
    ``{"type": "integrations:daily"}``; see transformLocationsApiToInternal in
    apps/api/v2/src/ee/event-types/event-types_2024_06_14/transformers @5b6d63e6."""
    kind = location.get("type")
    public = {"displayLocationPublicly": bool(location.get("public"))} if "public" in location else {}
    if kind == "integration":
        slug = str(location.get("integration", "cal-video"))
        return {"type": INTEGRATION_TYPES.get(slug, f"integrations:{slug}")}
    if kind == "address":
        return {"type": "inPerson", "address": location.get("address", ""), **public}
    if kind == "link":
        return {"type": "link", "link": location.get("link", ""), **public}
    if kind == "phone":
        return {"type": "userPhone", "hostPhoneNumber": location.get("phone", ""), **public}
    if kind == "attendeeAddress":
        return {"type": "attendeeInPerson"}
    if kind == "attendeePhone":
        return {"type": "phone"}
    if kind == "attendeeDefined":
        return {"type": "somewhereElse"}
    return {k: v for k, v in location.items() if k != "location"} | {"type": str(kind)}


def api_location(stored: dict[str, Any]) -> dict[str, Any]:
    """The reverse of :func:`stored_location`: what the 2024-06-14 controller shows for a
    location a legacy request stored. Types it has no output for stay readable as
    ``{"type": "unknown", "location": ...}`` (its transformer's fallback)."""
    kind = str(stored.get("type", ""))
    public = ({"public": bool(stored["displayLocationPublicly"])}
              if "displayLocationPublicly" in stored else {})
    if kind in _INTEGRATION_SLUGS:
        return {"type": "integration", "integration": _INTEGRATION_SLUGS[kind]}
    if kind.startswith("integrations:"):
        return {"type": "integration", "integration": kind.split(":", 1)[1].replace(":", "-")}
    if kind == "inPerson":
        return {"type": "address", "address": str(stored.get("address", "")), **public}
    if kind == "link":
        return {"type": "link", "link": str(stored.get("link", "")), **public}
    if kind == "userPhone":
        return {"type": "phone", "phone": str(stored.get("hostPhoneNumber", "")), **public}
    if kind == "attendeeInPerson":
        return {"type": "attendeeAddress"}
    if kind == "phone":
        return {"type": "attendeePhone"}
    if kind == "somewhereElse":
        return {"type": "attendeeDefined"}
    return {"type": "unknown", "location": str(stored)}
