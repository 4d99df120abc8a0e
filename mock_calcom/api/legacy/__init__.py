"""The 2024-04-15 legacy controllers behind the version fallback (FACTS §11.1).

Cal.com's version extractor sends a request with no (or an unknown) ``cal-api-version`` to
version ``2024-04-15``, and these controllers are registered there (and at the versions listed
in :mod:`mock_calcom.api.versions`). They share the current controllers' state: one booking is
one booking whichever version reads it; only the request DTOs and the response shapes differ.
"""

from __future__ import annotations

from mock_calcom.api.endpoint import Endpoint
from mock_calcom.api.legacy import bookings, event_types, schedules, slots

ENDPOINTS: tuple[Endpoint, ...] = (
    *bookings.ENDPOINTS,
    *event_types.ENDPOINTS,
    *schedules.ENDPOINTS,
    *slots.ENDPOINTS,
)
