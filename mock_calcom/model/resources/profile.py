"""``PATCH /v2/me``: profile changes of a user (me.controller.ts @5f5010ca)."""

from __future__ import annotations

from typing import Any

from mock_calcom.model.resources.schedules import ScheduleStore
from mock_calcom.model.users import User

#: API field -> ``User`` attribute.
PROFILE_FIELDS: dict[str, str] = {
    "name": "name",
    "timeFormat": "time_format",
    "defaultScheduleId": "default_schedule_id",
    "weekStart": "week_start",
    "timeZone": "time_zone",
    "locale": "locale",
    "avatarUrl": "avatar_url",
    "bio": "bio",
    "metadata": "metadata",
}


def update_profile(user: User, values: dict[str, Any], schedules: ScheduleStore) -> User:
    """Apply validated ``values`` (camelCase API keys).

    ``email`` is accepted but not applied: a new address needs verification and the primary
    email stays unchanged until then (MeController_updateMe's documented behaviour).
    """
    if "defaultScheduleId" in values:
        schedules.owned(user.id, values["defaultScheduleId"])
    for key, attribute in PROFILE_FIELDS.items():
        if key in values:
            setattr(user, attribute, values[key])
    # A new time zone follows the user to their default schedule (updateMe).
    if "timeZone" in values and user.default_schedule_id is not None:
        default = schedules.get(user.default_schedule_id)
        if default is not None:
            default.time_zone = values["timeZone"]
    return user
