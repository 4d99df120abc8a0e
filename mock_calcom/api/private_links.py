"""``/v2/event-types/{eventTypeId}/private-links`` (EventTypesPrivateLinksController): hashed
booking links that expire at a time (``expiresAt``) or after a number of bookings
(``maxUsageCount``). ``ApiAuthGuard`` and ``EventTypeOwnershipGuard``; ``@OAuthPermissions``
EVENT_TYPE_WRITE on the writes (controller read December 2026) and EVENT_TYPE_READ on the list
(FACTS §5)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.validation import IS_NUMBER, Prop, Rule, Schema, min_value, numeric_id
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.private_links import PrivateLink
from mock_calcom.model.resources.timeutil import iso_ms, parse_iso

_DATE = Rule("isDate", lambda v: isinstance(v, str) and parse_iso(v) is not None,
             "{p} must be a Date instance")
LINK_INPUT = Schema((
    Prop("expiresAt", (_DATE,), optional=True),
    Prop("maxUsageCount", (IS_NUMBER, min_value(1)), optional=True),
))


def link_out(call: Call, link: PrivateLink, event_type: EventType) -> dict[str, Any]:
    store = call.model.resources.private_links
    out: dict[str, Any] = {"linkId": link.link_id, "eventTypeId": link.event_type_id,
                           "isExpired": store.is_expired(link),
                           "bookingUrl": f"https://cal.com/d/{link.link_id}/{event_type.slug}"}
    if link.expires_at is not None:
        out["expiresAt"] = iso_ms(link.expires_at)
    else:
        out["maxUsageCount"] = link.max_usage_count
        out["usageCount"] = link.usage_count
    return out


def _event_type(call: Call) -> EventType:
    """EventTypeOwnershipGuard: missing is 404, another user's is 403."""
    return call.model.resources.event_types.changeable(
        call.user.id, numeric_id(call.path_params["eventTypeId"]))


def _limits(values: dict[str, Any]) -> tuple[float | None, int | None]:
    expires = parse_iso(values["expiresAt"]) if "expiresAt" in values else None
    uses = int(values["maxUsageCount"]) if "maxUsageCount" in values else None
    return expires, uses


def create_link(call: Call) -> Response:
    event_type = _event_type(call)
    expires, uses = _limits(LINK_INPUT.validate(call.body))
    link = call.model.resources.private_links.create(event_type.id, expires, uses)
    return success(link_out(call, link, event_type), status_code=201)


def list_links(call: Call) -> Response:
    event_type = _event_type(call)
    links = call.model.resources.private_links.of_event_type(event_type.id)
    return success([link_out(call, link, event_type) for link in links])


def update_link(call: Call) -> Response:
    event_type = _event_type(call)
    expires, uses = _limits(LINK_INPUT.validate(call.body))
    store = call.model.resources.private_links
    link = store.update(store.require(event_type.id, call.path_params["linkId"]), expires, uses)
    return success(link_out(call, link, event_type))


def delete_link(call: Call) -> Response:
    event_type = _event_type(call)
    store = call.model.resources.private_links
    link = store.require(event_type.id, call.path_params["linkId"])
    store.delete(link)
    return success({"linkId": link.link_id, "message": "Private link deleted successfully"})


_A = versions.ANY
_L = "/v2/event-types/{eventTypeId}/private-links"
_C = "EventTypesPrivateLinksController_"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", _L, f"{_C}createPrivateLink", create_link, _A, API_AUTH, reads_body=True),
    Endpoint("GET", _L, f"{_C}getPrivateLinks", list_links, _A, API_AUTH),
    Endpoint("PATCH", f"{_L}/{{linkId}}", f"{_C}updatePrivateLink", update_link, _A, API_AUTH,
             reads_body=True),
    Endpoint("DELETE", f"{_L}/{{linkId}}", f"{_C}deletePrivateLink", delete_link, _A, API_AUTH),
)
