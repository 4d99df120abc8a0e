"""What the robustness tests of both API versions share: how they call the app, and what a
refused request must leave unchanged."""
from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from typing import Any

import httpx

from mock_calcom import MockCalcom
from mock_calcom.model.users import User


def resource_state(fake: MockCalcom, user: User) -> Any:
    resources = fake.model.resources
    return copy.deepcopy((vars(user), resources.bookings._by_uid,
                          [vars(e) for e in resources.event_types], resources.schedules._by_id,
                          resources.reservations._by_uid, resources.private_links._by_event_type,
                          resources.teams._teams, resources.teams._memberships))


def send(fake: MockCalcom, method: str, path: str, headers: Mapping[str, str],
         **options: Any) -> httpx.Response:
    """One request to the fake's ASGI app, on a fresh client (hypothesis calls it per example)."""
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=fake.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://api.cal.com") as http:
            return await http.request(method, path, headers=headers, **options)

    return asyncio.run(go())
