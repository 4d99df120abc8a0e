"""``/v2/schedules`` at 2024-04-15: ``SchedulesController_2024_04_15``
(apps/api/v2/src/ee/schedules/schedules_2024_04_15/controllers/schedules.controller.ts
@8f81cbef), reached without ``cal-api-version`` (FACTS §11.1).

``@UseGuards(ApiAuthGuard, PermissionsGuard)``: authentication first, as on the current
controller. Bodies are ``ScheduleRepository.findDetailedScheduleById``'s schedule
(``ScheduleOutput``, outputs/schedule.output.ts @03670679): ``workingHours`` in minutes of the
day, the stored availability rows (``schedule``, weekdays as numbers with 0 = Sunday, times
as ``Date`` on 1970-01-01), ``availability`` as seven day lists (Sunday first) of
``{start, end}``, ``dateOverrides`` as ``{ranges}``. Update answers the ``updateSchedule``
handler's result (outputs/schedule-updated.output.ts @5b6d63e6), delete ``{status}`` only.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import status_only, success
from mock_calcom.api.legacy.common import time_of_day, weekday_names, weekday_numbers
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_BOOLEAN,
    IS_STRING,
    IS_TIME_ZONE,
    Prop,
    Rule,
    Schema,
    numeric_id,
)
from mock_calcom.errors import BadRequestError
from mock_calcom.model.resources.schedules import Schedule
from mock_calcom.model.resources.timeutil import is_time_zone, minutes_of
from mock_calcom.model.users import User

_DAYS = Rule("isNumber", lambda v: isinstance(v, list) and all(
    isinstance(d, int | float) and not isinstance(d, bool) for d in v),
    "each value in days must be a number conforming to the specified constraints")
_TIME_PART = re.compile(r"^[^T]*T(\d+):(\d+):(\d+)")

#: CreateAvailabilityInput_2024_04_15 (inputs/create-availability.input.ts @4e9fbaa8).
AVAILABILITY = Schema((
    Prop("days", (IS_ARRAY, _DAYS)),
    Prop("startTime", ()),
    Prop("endTime", ()),
))
#: CreateScheduleInput_2024_04_15 (inputs/create-schedule.input.ts @03670679).
CREATE_SCHEDULE = Schema((
    Prop("name", (IS_STRING,)),
    Prop("timeZone", (IS_TIME_ZONE,)),
    Prop("availabilities", (IS_ARRAY,), optional=True, nested=AVAILABILITY, each=True),
    Prop("isDefault", (IS_BOOLEAN,)),
))
_RANGE = Schema((Prop("start", (IS_STRING,)), Prop("end", (IS_STRING,))))
#: UpdateScheduleInput_2024_04_15 (packages/platform/types schedules @03670679).
UPDATE_SCHEDULE = Schema((
    Prop("timeZone", (IS_STRING,), optional=True),
    Prop("name", (IS_STRING,), optional=True),
    Prop("isDefault", (IS_BOOLEAN,), optional=True),
    Prop("schedule", (IS_ARRAY,), optional=True),
    Prop("dateOverrides", (IS_ARRAY,), optional=True, nested=_RANGE, each=True),
))


def _hh_mm(value: Any, key: str) -> str:
    """``transformStringToDate``: the time part of an ISO string, checked part by part. A
    value that is not a string is a TypeError (a 500) in Cal.com; a 400 here."""
    if not isinstance(value, str):
        raise BadRequestError(f"{key} must be a Date instance")
    match = _TIME_PART.match(value)
    if not match:
        raise BadRequestError(
            f"Invalid time format. Expected format(ISO8061): 2025-0412T13:17:56.324Z. Received: {value}")
    hours, minutes, seconds = (int(g) for g in match.groups())
    for label, number, high in (("hours", hours, 23), ("minutes", minutes, 59), ("seconds", seconds, 59)):
        if number > high:
            raise BadRequestError(f"Invalid {key} {label}. Expected value between 0 and {high}")
    return f"{hours:02d}:{minutes:02d}"


def _days(numbers: list[Any]) -> list[str]:
    if not all(float(n).is_integer() and 0 <= n <= 6 for n in numbers):
        raise BadRequestError("each value in days must be a weekday number from 0 (Sunday) to 6")
    return weekday_names([int(n) for n in numbers])


def _row_id(schedule: Schedule, index: int) -> int:
    """The fake keeps no availability rows; their ids are derived from the schedule's."""
    return schedule.id * 100 + index + 1


def _rows(schedule: Schedule) -> list[dict[str, Any]]:
    rows = [{"id": _row_id(schedule, i), "userId": None, "eventTypeId": None,
             "days": weekday_numbers(a.days), "startTime": time_of_day(a.start_time),
             "endTime": time_of_day(a.end_time), "date": None, "scheduleId": schedule.id}
            for i, a in enumerate(schedule.availability)]
    offset = len(rows)
    rows += [{"id": _row_id(schedule, offset + i), "userId": None, "eventTypeId": None, "days": [],
              "startTime": time_of_day(o.start_time), "endTime": time_of_day(o.end_time),
              "date": f"{o.date}T00:00:00.000Z", "scheduleId": schedule.id}
             for i, o in enumerate(schedule.overrides)]
    return rows


def schedule_out(schedule: Schedule, owner: User, count: int) -> dict[str, Any]:
    """``ScheduleOutput`` of the 2024-04-15 controller (``count``: the owner's schedules)."""
    by_day: list[list[dict[str, str]]] = [[] for _ in range(7)]
    for a in schedule.availability:
        for day in weekday_numbers(a.days):
            by_day[day].append({"start": time_of_day(a.start_time), "end": time_of_day(a.end_time)})
    return {
        "id": schedule.id,
        "name": schedule.name,
        "isManaged": False,
        "workingHours": [{"days": weekday_numbers(a.days), "startTime": minutes_of(a.start_time),
                          "endTime": minutes_of(a.end_time) or 24 * 60, "userId": owner.id}
                         for a in schedule.availability],
        "schedule": _rows(schedule),
        "availability": by_day,
        "timeZone": schedule.time_zone,
        "dateOverrides": [{"ranges": [{"start": f"{o.date}T{o.start_time}:00.000Z",
                                       "end": f"{o.date}T{o.end_time}:00.000Z"}]}
                          for o in schedule.overrides],
        "isDefault": owner.default_schedule_id == schedule.id,
        "isLastSchedule": count <= 1,
        "readOnly": False,
    }


def _out(call: Call, schedule: Schedule) -> dict[str, Any]:
    count = len(call.model.resources.schedules.of_user(call.user.id))
    return schedule_out(schedule, call.user, count)


def create_schedule(call: Call) -> Response:
    body = CREATE_SCHEDULE.validate(call.body)
    values: dict[str, Any] = {key: body[key] for key in ("name", "timeZone", "isDefault")}
    if body.get("availabilities"):
        values["availability"] = [
            {"days": _days(a["days"]), "startTime": _hh_mm(a["startTime"], "startTime"),
             "endTime": _hh_mm(a["endTime"], "endTime")} for a in body["availabilities"]]
    schedule = call.model.resources.schedules.create(call.user, values)
    return success(_out(call, schedule), status_code=201)


def list_schedules(call: Call) -> Response:
    user = call.user
    schedules = call.model.resources.schedules.of_user(user.id)
    return success([schedule_out(s, user, len(schedules)) for s in schedules])


def default_schedule(call: Call) -> Response:
    user = call.user
    found = call.model.resources.schedules.default_of(user)
    return success(_out(call, found) if found is not None else None)


def get_schedule(call: Call) -> Response:
    schedule_id = numeric_id(call.path_params["scheduleId"])
    return success(_out(call, call.model.resources.schedules.owned(call.user.id, schedule_id)))


def _weekly(items: list[Any]) -> list[dict[str, Any]]:
    """``schedule``: seven lists (Sunday first) of ``{start, end}``; equal ranges on several
    days become one availability, as ``getAvailabilityFromSchedule`` groups them."""
    if len(items) > 7 or not all(isinstance(day, list) for day in items):
        raise BadRequestError("schedule must be an array of 7 arrays of time ranges, Sunday first")
    grouped: dict[tuple[str, str], list[int]] = {}
    for day, ranges in enumerate(items):
        for item in ranges:
            if not isinstance(item, dict):
                raise BadRequestError("nested property schedule must be either object or array")
            span = (_hh_mm(item.get("start"), "start"), _hh_mm(item.get("end"), "end"))
            grouped.setdefault(span, []).append(day)
    return [{"days": weekday_names(days), "startTime": s, "endTime": e} for (s, e), days in grouped.items()]


def _overrides(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for item in items:
        date = str(item["start"])[:10]
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise BadRequestError("dateOverrides.start must be a Date instance")
        out.append({"date": date, "startTime": _hh_mm(item["start"], "start"),
                    "endTime": _hh_mm(item["end"], "end")})
    return out


def update_schedule(call: Call) -> Response:
    body = UPDATE_SCHEDULE.validate(call.body)
    schedule_id = numeric_id(call.path_params["scheduleId"])
    store = call.model.resources.schedules
    schedule = store.owned(call.user.id, schedule_id)
    if "timeZone" in body and not is_time_zone(body["timeZone"]):
        raise BadRequestError("timeZone must be a valid IANA time-zone")
    values: dict[str, Any] = {k: body[k] for k in ("name", "timeZone", "isDefault") if k in body}
    if "schedule" in body:
        values["availability"] = _weekly(body["schedule"])
    if "dateOverrides" in body:
        values["overrides"] = _overrides(body["dateOverrides"])
    previous = call.user.default_schedule_id
    store.update(call.user, schedule, values)
    return success({
        "schedule": {"id": schedule.id, "userId": schedule.owner_id, "name": schedule.name,
                     "timeZone": schedule.time_zone, "availability": _rows(schedule)},
        "isDefault": call.user.default_schedule_id == schedule.id,
        "timeZone": schedule.time_zone,
        "prevDefaultId": previous,
        "currentDefaultId": call.user.default_schedule_id,
    })


def delete_schedule(call: Call) -> Response:
    schedule_id = numeric_id(call.path_params["scheduleId"])
    store = call.model.resources.schedules
    schedule = store.owned(call.user.id, schedule_id, missing_is_bad_request=True)
    store.delete(call.user, schedule)
    for event_type in call.model.resources.event_types.of_user(call.user.id):
        if event_type.schedule_id == schedule.id:
            event_type.schedule_id = None
    return status_only()


_V = versions.LEGACY_SCHEDULES
_G = API_AUTH
_ID = "/v2/schedules/{scheduleId}"
_C = "SchedulesController_2024_04_15_"
ENDPOINTS = (
    Endpoint("POST", "/v2/schedules", f"{_C}createSchedule", create_schedule, _V, _G, reads_body=True,
             legacy=True),
    Endpoint("GET", "/v2/schedules", f"{_C}getSchedules", list_schedules, _V, _G, legacy=True),
    Endpoint("GET", "/v2/schedules/default", f"{_C}getDefaultSchedule", default_schedule, _V, _G,
             legacy=True),
    Endpoint("GET", _ID, f"{_C}getSchedule", get_schedule, _V, _G, legacy=True),
    Endpoint("PATCH", _ID, f"{_C}updateSchedule", update_schedule, _V, _G, reads_body=True, legacy=True),
    Endpoint("DELETE", _ID, f"{_C}deleteSchedule", delete_schedule, _V, _G, legacy=True),
)
