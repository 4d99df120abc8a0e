"""The control plane's request bodies and queries, each field declared once
(:class:`~mock_calcom.inputs.Field`): the handlers check with these, and
``/_mock/openapi.json`` states them. Settings (:data:`~mock_calcom.settings.SETTINGS_INPUTS`)
and faults (:data:`~mock_calcom.faults.FAULT_INPUTS`) are declared next to their models."""

from __future__ import annotations

from mock_calcom.inputs import MAX_CLOCK, Field, Inputs

#: ``POST /_mock/clock/advance``.
CLOCK_ADVANCE = Inputs(
    Field("seconds", "number", "Seconds to move the fake's clock forward (it never goes past "
          "9000-01-01)", required=True, minimum=0, maximum=MAX_CLOCK),
)

#: ``GET /_mock/journal``'s query.
JOURNAL_QUERY = Inputs(
    Field("limit", "integer", "At most this many entries (without after: the newest)",
          minimum=0, maximum=10_000),
    Field("after", "integer", "Cursor: only entries with a greater id, oldest first (pass the "
          "answer's next_after to read on)", minimum=0, maximum=2**63 - 1),
    Field("path", "string", "Path prefix", max_length=2048),
    Field("host", "string", "Host, with or without port", max_length=300),
    Field("method", "string", "HTTP method", max_length=16),
    Field("status", "string", "Status code (404), class (4xx), or none (dropped connections)",
          max_length=4, extra={"pattern": "^([1-5][0-9]{2}|[1-5]xx|none)$"}),
    Field("client", "string", "OAuth client id (bearer claim, client_id, x-cal-client-id)",
          max_length=300),
    Field("user", "integer", "User id of the bearer token", minimum=0, maximum=2**53),
)
