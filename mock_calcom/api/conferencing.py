"""The rest of ``/v2/conferencing`` (ConferencingController, conferencing.controller.ts
@03670679; ConferencingService @762e9542): connect Google Meet, the default app, disconnect, and
the OAuth apps' (Zoom, Office 365 video) URL and callback. Version-neutral; ``ApiAuthGuard``
except the callback, which has no guard (the provider calls it). No ``@OAuthPermissions``:
scoped third-party tokens get the scope guard's 403.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import RedirectResponse, Response

from mock_calcom.api import versions
from mock_calcom.api.calendars import provider_not_emulated
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import status_only, success
from mock_calcom.api.validation import query_dict
from mock_calcom.errors import BadRequestError

GOOGLE_MEET, ZOOM, OFFICE_365_VIDEO, CAL_VIDEO = "google-meet", "zoom", "office365-video", "cal-video"
#: ``CONFERENCING_APPS`` (@calcom/platform-constants): the slugs the default may name.
CONFERENCING_APPS = (GOOGLE_MEET, ZOOM, OFFICE_365_VIDEO, CAL_VIDEO)
#: Credential type of each slug.
APP_TYPES = {GOOGLE_MEET: "google_video", ZOOM: "zoom_video", OFFICE_365_VIDEO: "office365_video",
             CAL_VIDEO: "daily_video"}
_OAUTH_APPS = f"{ZOOM}, {OFFICE_365_VIDEO}"


def _bad_app(message: str, listed: str) -> BadRequestError:
    # new BadRequestException(message, description): the list lands in details.error.
    return BadRequestError(message, details={"message": message, "error": listed, "statusCode": 400})


def _app_out(app: Any) -> dict[str, Any]:
    return {"id": app.id, "type": app.type, "userId": app.user_id, "invalid": app.invalid}


def connect(call: Call) -> Response:
    """connectUserNonOauthApp: Google Meet only."""
    app = call.path_params["app"]
    if app != GOOGLE_MEET:
        raise BadRequestError("Invalid conferencing app. Available apps: GOOGLE_MEET.")
    store = call.model.resources.apps
    existing = next((a for a in store.conferencing_of(call.user.id) if a.type == APP_TYPES[app]), None)
    installed = existing or store.install_conferencing(call.user.id, APP_TYPES[app])
    return success(_app_out(installed))


def _connected(call: Call, app: str) -> None:
    """checkAppIsValidAndConnected."""
    if app not in CONFERENCING_APPS:
        raise _bad_app("Invalid app, available apps are: ", ", ".join(CONFERENCING_APPS))
    if not any(a.type == APP_TYPES[app] for a in call.model.resources.apps.conferencing_of(call.user.id)):
        raise BadRequestError(f"{app} not connected.")


def set_default(call: Call) -> Response:
    app = call.path_params["app"]
    if app != CAL_VIDEO:  # Cal Video is global
        _connected(call, app)
    call.model.resources.apps.set_default_conferencing(call.user.id, app)
    return status_only()


def get_default(call: Call) -> Response:
    found = call.model.resources.apps.default_conferencing(call.user.id)
    # ``data: undefined`` vanishes from the JSON when the user never chose one.
    return status_only() if found is None else success(dict(found))


def disconnect(call: Call) -> Response:
    app = call.path_params["app"]
    _connected(call, app)
    store = call.model.resources.apps
    store.uninstall_conferencing(call.user.id, APP_TYPES[app])
    default = store.default_conferencing(call.user.id)
    if default is not None and default.get("appSlug") == app:
        # handleDeleteCredential drops a default that named the removed app.
        store.clear_default_conferencing(call.user.id)
    return status_only()


def auth_url(call: Call) -> Response:
    app = call.path_params["app"]
    if app not in (ZOOM, OFFICE_365_VIDEO):
        raise _bad_app("Invalid conferencing app, available apps are: ", _OAUTH_APPS)
    provider_not_emulated(f"the {app} OAuth consent screen")


def oauth_callback(call: Call) -> Response:
    """No guard. Every failure after the state is read redirects (301) to its
    ``onErrorReturnTo``; the fake cannot exchange the provider's code, so that is where it
    sends the browser."""
    state = query_dict(call.query).get("state")
    if not state or not isinstance(state, str):
        raise BadRequestError("Missing `state` query param")
    try:
        decoded = json.loads(state)
    except ValueError:
        # Cal.com's JSON.parse throws outside its try: a 500 there; a clear 400 here.
        raise BadRequestError("state must be the JSON the auth-url endpoint issued") from None
    target = decoded.get("onErrorReturnTo") if isinstance(decoded, dict) else None
    return RedirectResponse(str(target or ""), status_code=301)


_A = versions.ANY
_C = "ConferencingController_"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/conferencing/default", f"{_C}getDefault", get_default, _A, API_AUTH),
    Endpoint("POST", "/v2/conferencing/{app}/connect", f"{_C}connect", connect, _A, API_AUTH),
    Endpoint("POST", "/v2/conferencing/{app}/default", f"{_C}default", set_default, _A, API_AUTH),
    Endpoint("DELETE", "/v2/conferencing/{app}/disconnect", f"{_C}disconnect", disconnect, _A, API_AUTH),
)
PROVIDER_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/conferencing/{app}/oauth/auth-url", f"{_C}redirect", auth_url, _A, API_AUTH),
)
#: No guard at all.
CALLBACK_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/v2/conferencing/{app}/oauth/callback", f"{_C}save", oauth_callback, _A, ()),
)
