"""What a refused request must leave unchanged, shared by the robustness tests of both API versions."""
from __future__ import annotations

import copy
from typing import Any

from mock_calcom import MockCalcom
from mock_calcom.model.users import User


def resource_state(fake: MockCalcom, user: User) -> Any:
    resources = fake.model.resources
    return copy.deepcopy((vars(user), resources.bookings._by_uid,
                          [vars(e) for e in resources.event_types], resources.schedules._by_id,
                          resources.reservations._by_uid, resources.private_links._by_event_type,
                          resources.teams._teams, resources.teams._memberships))
