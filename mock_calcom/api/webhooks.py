"""``/v2/webhooks`` (WebhooksController, webhooks.controller.ts @4a2b3abf) and
``/v2/event-types/{eventTypeId}/webhooks`` (EventTypeWebhooksController,
event-types-webhooks.controller.ts @1b8f10b8). Version-neutral, ``ApiAuthGuard`` first.

No handler carries ``@OAuthPermissions``, so a scoped third-party token gets the scope guard's
403 (``WEBHOOK_*`` are not in ``SCOPE_TO_PERMISSION``, FACTS §11.8); legacy tokens are served.

Ownership is checked by guards before any body is read: ``IsUserWebhookGuard`` returns
``false`` for another user's webhook (Nest's 403 ``Forbidden resource``) and
``IsUserEventTypeWebhookGuard`` (@03670679) answers with its own messages.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mock_calcom.api import versions
from mock_calcom.api.endpoint import API_AUTH, Call, Endpoint
from mock_calcom.api.envelope import success
from mock_calcom.api.validation import (
    IS_ARRAY,
    IS_BOOLEAN,
    IS_NUMBER,
    IS_STRING,
    Prop,
    Rule,
    Schema,
    max_value,
    min_value,
    one_of,
    parse_int_when_truthy,
    query_dict,
)
from mock_calcom.errors import BadRequestError, ForbiddenError, NotFoundError
from mock_calcom.model.resources.event_types import EventType
from mock_calcom.model.resources.timeutil import iso_ms
from mock_calcom.model.resources.webhooks import TRIGGERS, Webhook

_TRIGGER_LIST = ", ".join(TRIGGERS)
_EACH_TRIGGER = Rule("isEnum", lambda v: isinstance(v, list) and all(t in TRIGGERS for t in v),
                     f"each value in triggers must be one of the following values: {_TRIGGER_LIST}")


def _webhook_props(optional: bool) -> tuple[Prop, ...]:
    """CreateWebhookInputDto (webhook.input.ts @056fc84e); the update DTO is its PartialType."""
    return (
        Prop("payloadTemplate", (IS_STRING,), optional=True),
        Prop("active", (IS_BOOLEAN,), optional=optional),
        Prop("subscriberUrl", (IS_STRING,), optional=optional),
        Prop("triggers", (IS_ARRAY, _EACH_TRIGGER), optional=optional),
        Prop("secret", (IS_STRING,), optional=True),
        Prop("version", (one_of(("2021-10-20",),
                                "version must be one of the following values: 2021-10-20"),),
             optional=True),
    )


CREATE = Schema(_webhook_props(optional=False))
UPDATE = Schema(_webhook_props(optional=True))
#: SkipTakePagination.
PAGE = Schema((
    Prop("take", (IS_NUMBER, min_value(1), max_value(250)), optional=True,
         transform=parse_int_when_truthy),
    Prop("skip", (IS_NUMBER, min_value(0)), optional=True, transform=parse_int_when_truthy),
))

#: ``new ForbiddenException()`` that Nest throws when a guard returns ``false``.
FORBIDDEN_RESOURCE = "Forbidden resource"


def _core(webhook: Webhook) -> dict[str, Any]:
    return {"payloadTemplate": webhook.payload_template, "triggers": list(webhook.triggers),
            "id": webhook.id, "subscriberUrl": webhook.subscriber_url, "active": webhook.active,
            "secret": webhook.secret}


def user_webhook_out(webhook: Webhook) -> dict[str, Any]:
    """UserWebhookOutputDto under ``excludeAll``."""
    return {**_core(webhook), "userId": webhook.user_id}


def _full(webhook: Webhook) -> dict[str, Any]:
    """The piped row without ``excludeAll`` (``GET /v2/webhooks/{id}`` serializes it so):
    WebhookOutputPipe renames ``eventTriggers`` and ``platformOAuthClientId``."""
    return {"id": webhook.id, "userId": webhook.user_id, "teamId": None,
            "eventTypeId": webhook.event_type_id, "subscriberUrl": webhook.subscriber_url,
            "payloadTemplate": webhook.payload_template, "createdAt": iso_ms(webhook.created_at),
            "active": webhook.active, "appId": None, "secret": webhook.secret, "platform": False,
            "time": None, "timeUnit": None, "version": webhook.version,
            "triggers": list(webhook.triggers), "oAuthClientId": None}


def event_type_webhook_out(webhook: Webhook) -> dict[str, Any]:
    return {**_core(webhook), "eventTypeId": webhook.event_type_id}


def _page(call: Call) -> tuple[int, int]:
    q = PAGE.validate(query_dict(call.query))
    return int(q.get("skip", 0)), int(q.get("take", 250))


# -- user webhooks ----------------------------------------------------------------------------

def _user_webhook(call: Call) -> Webhook:
    """IsUserWebhookGuard."""
    webhook = call.model.resources.webhooks.get(call.path_params["webhookId"])
    if webhook.user_id != call.user.id:
        raise ForbiddenError(FORBIDDEN_RESOURCE)
    return webhook


def create_webhook(call: Call) -> Response:
    values = CREATE.validate(call.body)
    webhook = call.model.resources.webhooks.create_for_user(call.user.id, values)
    return success(user_webhook_out(webhook), status_code=201)


def list_webhooks(call: Call) -> Response:
    skip, take = _page(call)
    hooks = call.model.resources.webhooks.of_user(call.user.id, skip=skip, take=take)
    return success([user_webhook_out(w) for w in hooks])


def get_webhook(call: Call) -> Response:
    return success(_full(_user_webhook(call)))


def update_webhook(call: Call) -> Response:
    webhook = _user_webhook(call)
    values = UPDATE.validate(call.body)
    return success(user_webhook_out(call.model.resources.webhooks.update(webhook, values)))


def delete_webhook(call: Call) -> Response:
    webhook = _user_webhook(call)
    call.model.resources.webhooks.delete(webhook)
    return success(user_webhook_out(webhook))


# -- event type webhooks ----------------------------------------------------------------------

def _event_type(call: Call) -> EventType:
    """IsUserEventTypeWebhookGuard's event type half (it ``parseInt``s the id)."""
    raw = call.path_params["eventTypeId"]
    user_id = call.user.id
    try:
        event_type_id = int(raw)
    except ValueError:
        raise NotFoundError(f"IsUserEventTypeWebhookGuard - Event type ({raw}) not found") from None
    found = call.model.resources.event_types.get(event_type_id)
    if found is None:
        raise NotFoundError(f"IsUserEventTypeWebhookGuard - Event type ({raw}) not found")
    if found.owner_id != user_id:
        raise ForbiddenError(
            f"IsUserEventTypeWebhookGuard - User ({user_id}) is not the owner of event type ({raw})")
    return found


def _event_type_webhook(call: Call) -> tuple[EventType, Webhook]:
    event_type = _event_type(call)
    webhook_id = call.path_params["webhookId"]
    webhook = call.model.resources.webhooks.get(webhook_id)
    if webhook.event_type_id is None:
        raise BadRequestError(
            f"IsUserEventTypeWebhookGuard - Webhook ({webhook_id}) is not associated with an event type")
    if webhook.event_type_id != event_type.id:
        raise ForbiddenError(
            f"IsUserEventTypeWebhookGuard - Webhook ({webhook_id}) is not associated with event type "
            f"({call.path_params['eventTypeId']})")
    return event_type, webhook


def create_event_type_webhook(call: Call) -> Response:
    event_type = _event_type(call)
    values = CREATE.validate(call.body)
    webhook = call.model.resources.webhooks.create_for_event_type(event_type.id, values)
    return success(event_type_webhook_out(webhook), status_code=201)


def list_event_type_webhooks(call: Call) -> Response:
    event_type = _event_type(call)
    skip, take = _page(call)
    hooks = call.model.resources.webhooks.of_event_type(event_type.id, skip=skip, take=take)
    return success([event_type_webhook_out(w) for w in hooks])


def get_event_type_webhook(call: Call) -> Response:
    return success(event_type_webhook_out(_event_type_webhook(call)[1]))


def update_event_type_webhook(call: Call) -> Response:
    _, webhook = _event_type_webhook(call)
    values = UPDATE.validate(call.body)
    return success(event_type_webhook_out(call.model.resources.webhooks.update(webhook, values)))


def delete_event_type_webhook(call: Call) -> Response:
    _, webhook = _event_type_webhook(call)
    call.model.resources.webhooks.delete(webhook)
    return success(event_type_webhook_out(webhook))


def delete_event_type_webhooks(call: Call) -> Response:
    event_type = _event_type(call)
    count = call.model.resources.webhooks.delete_of_event_type(event_type.id)
    return success(f"{count} webhooks deleted")


_A = versions.ANY
_W = "/v2/webhooks/{webhookId}"
_E = "/v2/event-types/{eventTypeId}/webhooks"
_UC = "WebhooksController_"
_EC = "EventTypeWebhooksController_"
ENDPOINTS = (
    Endpoint("POST", "/v2/webhooks", f"{_UC}createWebhook", create_webhook, _A, API_AUTH, reads_body=True),
    Endpoint("GET", "/v2/webhooks", f"{_UC}getWebhooks", list_webhooks, _A, API_AUTH),
    Endpoint("PATCH", _W, f"{_UC}updateWebhook", update_webhook, _A, API_AUTH, reads_body=True),
    Endpoint("GET", _W, f"{_UC}getWebhook", get_webhook, _A, API_AUTH),
    Endpoint("DELETE", _W, f"{_UC}deleteWebhook", delete_webhook, _A, API_AUTH),
    Endpoint("POST", _E, f"{_EC}createEventTypeWebhook", create_event_type_webhook, _A, API_AUTH,
             reads_body=True),
    Endpoint("GET", _E, f"{_EC}getEventTypeWebhooks", list_event_type_webhooks, _A, API_AUTH),
    Endpoint("DELETE", _E, f"{_EC}deleteAllEventTypeWebhooks", delete_event_type_webhooks, _A, API_AUTH),
    Endpoint("PATCH", f"{_E}/{{webhookId}}", f"{_EC}updateEventTypeWebhook", update_event_type_webhook,
             _A, API_AUTH, reads_body=True),
    Endpoint("GET", f"{_E}/{{webhookId}}", f"{_EC}getEventTypeWebhook", get_event_type_webhook, _A,
             API_AUTH),
    Endpoint("DELETE", f"{_E}/{{webhookId}}", f"{_EC}deleteEventTypeWebhook", delete_event_type_webhook,
             _A, API_AUTH),
)
