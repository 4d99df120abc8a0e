"""JSON shapes of the control plane (snake_case, the fake's own vocabulary; not Cal.com's)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from mock_calcom.model.clients import OAuthClient
from mock_calcom.model.clock import Clock
from mock_calcom.model.consent import Consent
from mock_calcom.model.users import User
from mock_calcom.settings import Settings


def iso_timestamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).isoformat().replace("+00:00", "Z")


def user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "email": user.email, "name": user.name,
            "time_zone": user.time_zone}


def client_json(client: OAuthClient) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "name": client.name,
        "redirect_uris": list(client.redirect_uris),
        "scopes": list(client.scopes),
        "status": client.status.value,
        "client_type": client.client_type.value,
        "owner_user_id": client.owner_user_id,
        "is_trusted": client.is_trusted,
        "logo": client.logo,
        "rejection_reason": client.rejection_reason,
        "created_at": iso_timestamp(client.created_at),
        # Only hints: Cal.com keeps sha256 hashes, the plain secret is shown once.
        "secrets": [{"id": s.id, "hint": s.hint, "created_at": iso_timestamp(s.created_at)}
                    for s in client.secrets],
    }


def consent_json(consent: Consent) -> dict[str, Any]:
    return {"mode": consent.mode.value, "user_id": consent.user_id}


def clock_json(clock: Clock) -> dict[str, Any]:
    now = clock.now()
    return {"now": now, "iso": iso_timestamp(now), "frozen": clock.frozen}


def settings_json(settings: Settings) -> dict[str, Any]:
    return dataclasses.asdict(settings)
