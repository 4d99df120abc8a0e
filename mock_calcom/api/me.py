"""``/v2/me`` (me.controller.ts @5f5010ca): the token's user. Any ``cal-api-version``."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.validation import (
    IS_EMAIL,
    IS_INT,
    IS_OBJECT,
    IS_STRING,
    IS_TIME_ZONE,
    IS_URL,
    Prop,
    Rule,
    Schema,
    one_of,
)
from mock_calcom.model.resources.profile import update_profile
from mock_calcom.model.resources.timeutil import WEEKDAYS
from mock_calcom.model.users import User

#: The ``locale`` values of UpdateManagedUserInput.
LOCALES = ("ar", "ca", "de", "es", "eu", "he", "id", "ja", "lv", "pl", "ro", "sr", "th", "vi", "az",
           "cs", "el", "es-419", "fi", "hr", "it", "km", "nl", "pt", "ru", "sv", "tr", "zh-CN", "bg",
           "da", "en", "et", "fr", "hu", "iw", "ko", "no", "pt-BR", "sk", "ta", "uk", "zh-TW", "bn")

_METADATA_LIMITS = Rule(
    "validateMetadata",
    lambda v: isinstance(v, dict) and len(v) <= 50 and all(
        len(k) <= 40 and (not isinstance(x, str) or len(x) <= 500) for k, x in v.items()),
    "Metadata must have at most 50 keys, each key up to 40 characters, and values up to 500 characters.",
)

UPDATE_ME = Schema((
    Prop("email", (IS_EMAIL,), optional=True),
    Prop("name", (IS_STRING,), optional=True),
    Prop("timeFormat", (Rule("isIn", lambda v: v in (12, 24) and not isinstance(v, bool),
                             "timeFormat must be a number either 12 or 24"),), optional=True),
    Prop("defaultScheduleId", (IS_INT,), optional=True),
    Prop("weekStart", (one_of(WEEKDAYS),), optional=True),
    Prop("timeZone", (IS_TIME_ZONE,), optional=True),
    Prop("locale", (one_of(LOCALES),), optional=True),
    Prop("avatarUrl", (IS_URL,), optional=True, nullable=True),
    Prop("bio", (IS_STRING,), optional=True, nullable=True),
    Prop("metadata", (IS_OBJECT, _METADATA_LIMITS), optional=True),
))


def me_out(user: User) -> dict[str, Any]:
    """``MeOutput``."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "name": user.name,
        "avatarUrl": user.avatar_url,
        "bio": user.bio,
        "timeFormat": user.time_format,
        "defaultScheduleId": user.default_schedule_id,
        "weekStart": user.week_start,
        "timeZone": user.time_zone,
        "organizationId": user.organization_id,
    }


def get_me(call: Call) -> Response:
    return success(me_out(call.user))


def update_me(call: Call) -> Response:
    values = UPDATE_ME.validate(call.body)
    user = update_profile(call.user, values, call.model.resources.schedules)
    return success(me_out(user))


ENDPOINTS = (
    Endpoint("GET", "/v2/me", "MeController_getMe", get_me, versions.ANY, API_AUTH),
    Endpoint("PATCH", "/v2/me", "MeController_updateMe", update_me, versions.ANY, API_AUTH,
             reads_body=True),
)
