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
