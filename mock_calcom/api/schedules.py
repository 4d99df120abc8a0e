"""``/v2/schedules`` (SchedulesController_2024_06_11, @c6b0a1ce): served for ``2024-06-11`` and
``2024-06-14``; ``@UseGuards(ApiAuthGuard, PermissionsGuard)`` puts authentication first, so a
bad bearer is a 401 here."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import status_only, success
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_BOOLEAN,
    IS_STRING,
    IS_TIME_ZONE,
    Prop,
    Rule,
    Schema,
    each_one_of,
    matches,
    numeric_id,
)
from mock_calcom.model.resources.schedules import Schedule
from mock_calcom.model.resources.timeutil import WEEKDAYS, is_date
from mock_calcom.model.users import User

_HH_MM = r"^([01]\d|2[0-3]):([0-5]\d)$"


def _time(name: str) -> Prop:
    return Prop(name, (IS_STRING, matches(_HH_MM, f"{name} must be a valid time format HH:MM")))


AVAILABILITY = Schema((
    Prop("days", (IS_ARRAY, each_one_of(
        WEEKDAYS, f"each value in days must be one of the following values: {', '.join(WEEKDAYS)}"))),
    _time("startTime"),
    _time("endTime"),
))
OVERRIDE = Schema((
    Prop("date", (IS_STRING, Rule("isDate", is_date, "date must be a valid date in format YYYY-MM-DD"))),
    _time("startTime"),
    _time("endTime"),
))


def _props(optional: bool) -> tuple[Prop, ...]:
    return (
        Prop("name", (IS_STRING,), optional=optional),
        Prop("timeZone", (IS_TIME_ZONE,), optional=optional),
        Prop("availability", (IS_ARRAY,), optional=True, nested=AVAILABILITY, each=True),
        Prop("isDefault", (IS_BOOLEAN,), optional=optional),
        Prop("overrides", (IS_ARRAY,), optional=True, nested=OVERRIDE, each=True),
    )


CREATE_SCHEDULE = Schema(_props(optional=False))
UPDATE_SCHEDULE = Schema(_props(optional=True))


def schedule_out(schedule: Schedule, owner: User) -> dict[str, Any]:
    """``ScheduleOutput_2024_06_11`` (output-schedules.service.ts @9c477e49)."""
    return {
        "id": schedule.id,
        "ownerId": schedule.owner_id,
        "name": schedule.name,
        "timeZone": schedule.time_zone,
        "availability": [{"days": list(a.days), "startTime": a.start_time, "endTime": a.end_time}
                         for a in schedule.availability],
        "isDefault": owner.default_schedule_id == schedule.id,
        "overrides": [{"date": o.date, "startTime": o.start_time, "endTime": o.end_time}
                      for o in schedule.overrides],
    }


def create_schedule(call: Call) -> Response:
    values = CREATE_SCHEDULE.validate(call.body)
    schedule = call.model.resources.schedules.create(call.user, values)
    return success(schedule_out(schedule, call.user), status_code=201)


def list_schedules(call: Call) -> Response:
    user = call.user
    return success([schedule_out(s, user) for s in call.model.resources.schedules.of_user(user.id)])


def default_schedule(call: Call) -> Response:
    user = call.user
    found = call.model.resources.schedules.default_of(user)
    # getUserScheduleDefault returns null without a default (data: null, UNCONFIRMED live).
    return success(schedule_out(found, user) if found is not None else None)


def get_schedule(call: Call) -> Response:
    schedule_id = numeric_id(call.path_params["scheduleId"])
    schedule = call.model.resources.schedules.owned(call.user.id, schedule_id)
    return success(schedule_out(schedule, call.user))


def update_schedule(call: Call) -> Response:
    values = UPDATE_SCHEDULE.validate(call.body)
    schedule_id = numeric_id(call.path_params["scheduleId"])
    store = call.model.resources.schedules
    schedule = store.owned(call.user.id, schedule_id)
    store.update(call.user, schedule, values)
    return success(schedule_out(schedule, call.user))


def delete_schedule(call: Call) -> Response:
    schedule_id = numeric_id(call.path_params["scheduleId"])
    store = call.model.resources.schedules
    schedule = store.owned(call.user.id, schedule_id, missing_is_bad_request=True)
    store.delete(call.user, schedule)
    for event_type in call.model.resources.event_types.of_user(call.user.id):
        if event_type.schedule_id == schedule.id:
            event_type.schedule_id = None  # EventType.scheduleId is set null with its schedule
    return status_only()


_V = versions.SCHEDULES
_G = API_AUTH
_ID = "/v2/schedules/{scheduleId}"
_C = "SchedulesController_2024_06_11_"
ENDPOINTS = (
    Endpoint("POST", "/v2/schedules", f"{_C}createSchedule", create_schedule, _V, _G, reads_body=True),
    Endpoint("GET", "/v2/schedules", f"{_C}getSchedules", list_schedules, _V, _G),
    Endpoint("GET", "/v2/schedules/default", f"{_C}getDefaultSchedule", default_schedule, _V, _G),
    Endpoint("GET", _ID, f"{_C}getSchedule", get_schedule, _V, _G),
    Endpoint("PATCH", _ID, f"{_C}updateSchedule", update_schedule, _V, _G, reads_body=True),
    Endpoint("DELETE", _ID, f"{_C}deleteSchedule", delete_schedule, _V, _G),
)
