"""Webhooks of a user or of one of their event types (API v2 ``/v2/webhooks`` and
``/v2/event-types/{id}/webhooks``). Cal.com keeps both in one ``Webhook`` table whose id is a
uuid string (schema.prisma), owned by a user *or* an event type.

Messages: webhooks.service.ts @1409d293, user-webhooks.service.ts and
event-type-webhooks.service.ts @03670679/@0397fa3d.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from mock_calcom.errors import BadRequestError, ConflictError, NotFoundError
from mock_calcom.model.clock import Clock
from mock_calcom.model.randomness import Randomness

#: ``WebhookTriggerEvents`` (schema.prisma): what a webhook may subscribe to.
TRIGGERS = (
    "BOOKING_CREATED", "BOOKING_PAYMENT_INITIATED", "BOOKING_PAID", "BOOKING_RESCHEDULED",
    "BOOKING_REQUESTED", "BOOKING_CANCELLED", "BOOKING_REJECTED", "BOOKING_NO_SHOW_UPDATED",
    "FORM_SUBMITTED", "MEETING_ENDED", "MEETING_STARTED", "RECORDING_READY",
    "INSTANT_MEETING", "RECORDING_TRANSCRIPTION_GENERATED", "OOO_CREATED",
    "AFTER_HOSTS_CAL_VIDEO_NO_SHOW", "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
    "FORM_SUBMITTED_NO_EVENT", "DELEGATION_CREDENTIAL_ERROR",
)
DELEGATION_ONLY = "DELEGATION_CREDENTIAL_ERROR"


@dataclass
class Webhook:
    id: str
    subscriber_url: str
    triggers: list[str]
    active: bool
    created_at: float
    user_id: int | None = None
    event_type_id: int | None = None
    payload_template: str | None = None
    secret: str | None = None
    version: str = "2021-10-20"


class WebhookStore:
    def __init__(self, clock: Clock, rng: Randomness) -> None:
        self._clock = clock
        self._rng = rng
        self._by_id: dict[str, Webhook] = {}

    def get(self, webhook_id: str) -> Webhook:
        """``getWebhookById``: 404 when there is none."""
        found = self._by_id.get(webhook_id)
        if found is None:
            raise NotFoundError(f"Webhook ({webhook_id}) not found")
        return found

    def of_user(self, user_id: int, *, skip: int = 0, take: int = 250) -> list[Webhook]:
        hooks = [w for w in self._by_id.values() if w.user_id == user_id]
        return hooks[skip:skip + take]

    def of_event_type(self, event_type_id: int, *, skip: int = 0, take: int = 250) -> list[Webhook]:
        hooks = [w for w in self._by_id.values() if w.event_type_id == event_type_id]
        return hooks[skip:skip + take]

    def create_for_user(self, user_id: int, values: dict[str, Any]) -> Webhook:
        if any(w.subscriber_url == values["subscriberUrl"] for w in self.of_user(user_id, take=10**9)):
            raise ConflictError("Webhook with this subscriber url already exists for this user")
        return self._add(values, user_id=user_id)

    def create_for_event_type(self, event_type_id: int, values: dict[str, Any]) -> Webhook:
        if DELEGATION_ONLY in values["triggers"]:
            raise BadRequestError(
                "DELEGATION_CREDENTIAL_ERROR trigger is only available for organization webhooks")
        if any(w.subscriber_url == values["subscriberUrl"]
               for w in self.of_event_type(event_type_id, take=10**9)):
            raise ConflictError("Webhook with this subscriber url already exists for this event type")
        return self._add(values, event_type_id=event_type_id)

    def update(self, webhook: Webhook, values: dict[str, Any]) -> Webhook:
        if "payloadTemplate" in values:
            webhook.payload_template = values["payloadTemplate"]
        if "active" in values:
            webhook.active = values["active"]
        if "subscriberUrl" in values:
            webhook.subscriber_url = values["subscriberUrl"]
        if "triggers" in values:
            webhook.triggers = list(values["triggers"])
        if "secret" in values:
            webhook.secret = values["secret"]
        if "version" in values:
            webhook.version = values["version"]
        return webhook

    def delete(self, webhook: Webhook) -> None:
        del self._by_id[webhook.id]

    def delete_of_event_type(self, event_type_id: int) -> int:
        doomed = [w.id for w in self._by_id.values() if w.event_type_id == event_type_id]
        for webhook_id in doomed:
            del self._by_id[webhook_id]
        return len(doomed)

    def _add(self, values: dict[str, Any], *, user_id: int | None = None,
             event_type_id: int | None = None) -> Webhook:
        webhook = Webhook(
            id=str(uuid.UUID(bytes=self._rng.token_bytes(16), version=4)),
            subscriber_url=values["subscriberUrl"], triggers=list(values["triggers"]),
            active=values["active"], created_at=self._clock.now(), user_id=user_id,
            event_type_id=event_type_id, payload_template=values.get("payloadTemplate"),
            secret=values.get("secret"), version=values.get("version", "2021-10-20"))
        self._by_id[webhook.id] = webhook
        return webhook
